// N-API surface of the minutiae extractor: extract(pixels, width, height) on the calling thread, and
// extractAsync on a libuv worker so the event loop keeps serving.
#include <napi.h>
#include <string>
#include <vector>
#include "extract.h"

namespace {

/** Largest side and pixel count accepted (a 500 ppi ten-print card is about 4,000 x 4,000). */
constexpr int kMaxSide = 8192;
constexpr double kMaxPixels = 32e6;

bool readArgs(const Napi::CallbackInfo& info, const uint8_t*& px, int& w, int& h) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      !info[1].IsNumber() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "extract(Uint8Array pixels, width, height)").ThrowAsJavaScriptException();
    return false;
  }
  auto a = info[0].As<Napi::Uint8Array>();
  w = info[1].As<Napi::Number>().Int32Value(); h = info[2].As<Napi::Number>().Int32Value();
  if (w < 32 || h < 32 || w > kMaxSide || h > kMaxSide || double(w) * h > kMaxPixels || a.ByteLength() != size_t(w) * h) {
    Napi::RangeError::New(env, "image must be 32..8192 pixels a side with width*height bytes").ThrowAsJavaScriptException();
    return false;
  }
  px = a.Data();
  return true;
}

Napi::Object toJs(Napi::Env env, const fx::Extraction& e) {
  auto m = Napi::Float64Array::New(env, e.minutiae.size() * 5);
  for (size_t i = 0; i < e.minutiae.size(); i++) {
    const auto& x = e.minutiae[i];
    m[i * 5] = x.x; m[i * 5 + 1] = x.y; m[i * 5 + 2] = x.angle; m[i * 5 + 3] = x.type; m[i * 5 + 4] = x.quality;
  }
  auto o = Napi::Object::New(env);
  o.Set("minutiae", m);
  o.Set("foreground", e.foreground);
  o.Set("coherence", e.coherence);
  o.Set("period", e.period);
  o.Set("contrast", e.contrast);
  return o;
}

Napi::Value Extract(const Napi::CallbackInfo& info) {
  const uint8_t* px; int w, h;
  if (!readArgs(info, px, w, h)) return info.Env().Null();
  return toJs(info.Env(), fx::extract(px, w, h));
}

class ExtractWorker : public Napi::AsyncWorker {
 public:
  ExtractWorker(Napi::Env env, const uint8_t* px, int w, int h)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), pixels_(px, px + size_t(w) * h), w_(w), h_(h) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override { result_ = fx::extract(pixels_.data(), w_, h_); }
  void OnOK() override { deferred_.Resolve(toJs(Env(), result_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }
 private:
  Napi::Promise::Deferred deferred_;
  std::vector<uint8_t> pixels_;
  int w_, h_;
  fx::Extraction result_;
};

Napi::Value ExtractAsync(const Napi::CallbackInfo& info) {
  const uint8_t* px; int w, h;
  if (!readArgs(info, px, w, h)) return info.Env().Null();
  auto* worker = new ExtractWorker(info.Env(), px, w, h);
  auto p = worker->promise();
  worker->Queue();
  return p;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::String::New(env, "1"));
  exports.Set("extract", Napi::Function::New(env, Extract));
  exports.Set("extractAsync", Napi::Function::New(env, ExtractAsync));
  return exports;
}

}  // namespace

NODE_API_MODULE(biocheck_extract, Init)
