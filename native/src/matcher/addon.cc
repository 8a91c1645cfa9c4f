// N-API surface of the fingerprint matcher: template encoding, 1:1 comparison (sync and on a worker),
// and the 1:N gallery whose searches run on native threads, never on the event loop.
#include <napi.h>
#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <string>
#include "fingerprint.h"
#include "gallery.h"

namespace {

using fm::Features;

/** Decodes and derives features; on failure throws a JS Error whose message is "CODE|text". */
bool featuresFrom(const Napi::Env& env, const Napi::Value& v, Features& out, uint8_t* position = nullptr) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "TEMPLATE_UNKNOWN_FORMAT|template must be a Uint8Array").ThrowAsJavaScriptException();
    return false;
  }
  auto bytes = v.As<Napi::Uint8Array>();
  fm::Finger f;
  std::string err = fm::decodeTemplate(bytes.Data(), bytes.ByteLength(), f);
  if (!err.empty()) {
    Napi::Error::New(env, err).ThrowAsJavaScriptException();
    return false;
  }
  fm::buildFeatures(f, out);
  if (position) *position = f.position;
  return true;
}

/** Decodes only (cheap, so a bad template is still refused at the call); the features, the costly part, are then
 *  built by the worker off the event loop. */
bool fingerFrom(const Napi::Env& env, const Napi::Value& v, fm::Finger& out) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "TEMPLATE_UNKNOWN_FORMAT|template must be a Uint8Array").ThrowAsJavaScriptException();
    return false;
  }
  auto bytes = v.As<Napi::Uint8Array>();
  std::string err = fm::decodeTemplate(bytes.Data(), bytes.ByteLength(), out);
  if (!err.empty()) {
    Napi::Error::New(env, err).ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

/** encode(position, width, height, Float64Array [x, y, angle, type, quality] * n) -> Uint8Array */
Napi::Value Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[3].IsTypedArray()) {
    Napi::TypeError::New(env, "TEMPLATE_INVALID_FIELD|encode(position, width, height, Float64Array)").ThrowAsJavaScriptException();
    return env.Null();
  }
  auto data = info[3].As<Napi::Float64Array>();
  fm::Finger f;
  f.position = uint8_t(info[0].As<Napi::Number>().Uint32Value());
  f.width = uint16_t(info[1].As<Napi::Number>().Uint32Value());
  f.height = uint16_t(info[2].As<Napi::Number>().Uint32Value());
  size_t n = data.ElementLength() / 5;
  for (size_t i = 0; i < n; i++) {
    const double* m = data.Data() + 5 * i;
    f.minutiae.push_back(fm::Minutia{float(m[0]), float(m[1]), float(m[2]), uint8_t(m[3]), uint8_t(m[4])});
  }
  std::vector<uint8_t> out = fm::encodeTemplate(f);
  return Napi::Buffer<uint8_t>::Copy(env, out.data(), out.size());
}

/** check(bytes) -> undefined when valid, otherwise "CODE|text". */
Napi::Value Check(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    return Napi::String::New(env, "TEMPLATE_UNKNOWN_FORMAT|template must be a Uint8Array");
  auto bytes = info[0].As<Napi::Uint8Array>();
  fm::Finger f;
  std::string err = fm::decodeTemplate(bytes.Data(), bytes.ByteLength(), f);
  return err.empty() ? env.Undefined() : Napi::String::New(env, err);
}

/** describe(bytes) -> { minutiae, cylinders, sketched } */
Napi::Value Describe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Features f;
  if (!featuresFrom(env, info[0], f)) return env.Null();
  auto bytes = info[0].As<Napi::Uint8Array>();
  Napi::Object o = Napi::Object::New(env);
  o.Set("minutiae", (bytes.ByteLength() - 16) / 8);
  o.Set("cylinders", f.cylinders.size());
  o.Set("sketched", f.sketch.count);
  return o;
}

Napi::Value Compare(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Features a, b;
  if (!featuresFrom(env, info[0], a) || !featuresFrom(env, info[1], b)) return env.Null();
  return Napi::Number::New(env, double(float(fm::compareFeatures(a, b))));
}

/** comparePairing(a, b) -> { score, pairs: Int32Array [a0, b0, a1, b1, ...] (minutia indices in each template),
 *  transform: { c, s, tx, ty } taking a's positions into b's frame } */
Napi::Value ComparePairing(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Features a, b;
  if (!featuresFrom(env, info[0], a) || !featuresFrom(env, info[1], b)) return env.Null();
  fm::Pairing pr;
  const double score = double(float(fm::compareWithPairing(a, b, pr)));
  Napi::Int32Array pairs = Napi::Int32Array::New(env, pr.pairs.size() * 2);
  for (size_t i = 0; i < pr.pairs.size(); i++) { pairs[2 * i] = pr.pairs[i].first; pairs[2 * i + 1] = pr.pairs[i].second; }
  Napi::Object t = Napi::Object::New(env);
  t.Set("c", pr.c); t.Set("s", pr.s); t.Set("tx", pr.tx); t.Set("ty", pr.ty);
  Napi::Object o = Napi::Object::New(env);
  o.Set("score", score);
  o.Set("pairs", pairs);
  o.Set("transform", t);
  return o;
}

/** minutiae(bytes) -> { position, width, height, minutiae: Float64Array [x, y, angle, type, quality] x n } in the
 *  matcher's order (the indices comparePairing returns). */
Napi::Value Minutiae(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "TEMPLATE_UNKNOWN_FORMAT|template must be a Uint8Array").ThrowAsJavaScriptException();
    return env.Null();
  }
  auto bytes = info[0].As<Napi::Uint8Array>();
  fm::Finger f;
  std::string err = fm::decodeTemplate(bytes.Data(), bytes.ByteLength(), f);
  if (!err.empty()) { Napi::Error::New(env, err).ThrowAsJavaScriptException(); return env.Null(); }
  Napi::Float64Array m = Napi::Float64Array::New(env, f.minutiae.size() * 5);
  for (size_t i = 0; i < f.minutiae.size(); i++) {
    const auto& x = f.minutiae[i];
    m[5 * i] = x.x; m[5 * i + 1] = x.y; m[5 * i + 2] = x.angle; m[5 * i + 3] = x.type; m[5 * i + 4] = x.quality;
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("position", f.position); o.Set("width", f.width); o.Set("height", f.height);
  o.Set("minutiae", m);
  return o;
}

Napi::Value FilterSimilarity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Features a, b;
  if (!featuresFrom(env, info[0], a) || !featuresFrom(env, info[1], b)) return env.Null();
  return Napi::Number::New(env, fm::filterSimilarity(a, b));
}

class CompareWorker : public Napi::AsyncWorker {
 public:
  CompareWorker(Napi::Env env, fm::Finger&& a, fm::Finger&& b)
      : Napi::AsyncWorker(env), fa_(std::move(a)), fb_(std::move(b)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    Features a, b;
    fm::buildFeatures(fa_, a);
    fm::buildFeatures(fb_, b);
    score_ = double(float(fm::compareFeatures(a, b)));
  }
  void OnOK() override { deferred_.Resolve(Napi::Number::New(Env(), score_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  fm::Finger fa_, fb_;
  double score_ = 0;
  Napi::Promise::Deferred deferred_;
};

Napi::Value CompareAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  fm::Finger a, b;
  if (!fingerFrom(env, info[0], a) || !fingerFrom(env, info[1], b)) return env.Null();
  auto* w = new CompareWorker(env, std::move(a), std::move(b));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

class SearchWorker : public Napi::AsyncWorker {
 public:
  SearchWorker(Napi::Env env, std::shared_ptr<fm::Gallery> g, fm::Finger&& probe, fm::SearchOptions opt)
      : Napi::AsyncWorker(env), gallery_(std::move(g)), probe_(std::move(probe)), opt_(std::move(opt)),
        deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    Features features;
    fm::buildFeatures(probe_, features);
    hits_ = gallery_->search(features, opt_, &stats_);
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array arr = Napi::Array::New(env, hits_.size());
    for (size_t i = 0; i < hits_.size(); i++) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("id", hits_[i].id);
      o.Set("score", hits_[i].score);
      arr.Set(uint32_t(i), o);
    }
    Napi::Object res = Napi::Object::New(env);
    res.Set("hits", arr);
    res.Set("scanned", double(stats_.scanned));
    res.Set("compared", double(stats_.compared));
    res.Set("postings", double(stats_.postings));
    res.Set("firstStageMs", stats_.firstStageMs);
    res.Set("rerankMs", stats_.rerankMs);
    deferred_.Resolve(res);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::shared_ptr<fm::Gallery> gallery_;
  fm::Finger probe_;
  fm::SearchOptions opt_;
  std::vector<fm::Hit> hits_;
  fm::SearchStats stats_;
  Napi::Promise::Deferred deferred_;
};

/** Builds the features of many fingers on native threads, then adds them under one lock. */
class AddManyWorker : public Napi::AsyncWorker {
 public:
  AddManyWorker(Napi::Env env, std::shared_ptr<fm::Gallery> g, std::vector<double>&& ids, std::vector<uint8_t>&& positions,
                std::vector<fm::Finger>&& fingers)
      : Napi::AsyncWorker(env), gallery_(std::move(g)), ids_(std::move(ids)), positions_(std::move(positions)),
        fingers_(std::move(fingers)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    std::vector<Features> features(fingers_.size());
    std::atomic<size_t> cursor{0};
    auto body = [&] {
      for (size_t i; (i = cursor.fetch_add(1)) < fingers_.size();) fm::buildFeatures(fingers_[i], features[i]);
    };
    std::vector<std::thread> pool;
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned t = 1; t < threads && t * 64 < fingers_.size(); t++) pool.emplace_back(body);
    body();
    for (auto& th : pool) th.join();
    gallery_->addMany(std::move(ids_), std::move(positions_), std::move(features));
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::shared_ptr<fm::Gallery> gallery_;
  std::vector<double> ids_;
  std::vector<uint8_t> positions_;
  std::vector<fm::Finger> fingers_;
  Napi::Promise::Deferred deferred_;
};

/** Removes entries on a native thread: the gallery's write lock waits for running searches there, not on the
 *  event loop. Resolves to how many of the ids were present. */
class RemoveManyWorker : public Napi::AsyncWorker {
 public:
  RemoveManyWorker(Napi::Env env, std::shared_ptr<fm::Gallery> g, std::vector<double>&& ids)
      : Napi::AsyncWorker(env), gallery_(std::move(g)), ids_(std::move(ids)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    for (double id : ids_) removed_ += gallery_->remove(id) ? 1 : 0;
  }
  void OnOK() override { deferred_.Resolve(Napi::Number::New(Env(), double(removed_))); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::shared_ptr<fm::Gallery> gallery_;
  std::vector<double> ids_;
  size_t removed_ = 0;
  Napi::Promise::Deferred deferred_;
};

class GalleryWrap : public Napi::ObjectWrap<GalleryWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeGallery", {
      InstanceMethod("add", &GalleryWrap::Add),
      InstanceMethod("addMany", &GalleryWrap::AddMany),
      InstanceMethod("remove", &GalleryWrap::Remove),
      InstanceMethod("removeMany", &GalleryWrap::RemoveMany),
      InstanceMethod("size", &GalleryWrap::Size),
      InstanceMethod("memoryBytes", &GalleryWrap::MemoryBytes),
      InstanceMethod("search", &GalleryWrap::Search),
    });
  }
  explicit GalleryWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<GalleryWrap>(info), gallery_(std::make_shared<fm::Gallery>()) {}

 private:
  /** add(id, bytes, position?) */
  Napi::Value Add(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Features f;
    uint8_t position = 0;
    if (!featuresFrom(env, info[1], f, &position)) return env.Null();
    if (info.Length() > 2 && info[2].IsNumber()) position = uint8_t(info[2].As<Napi::Number>().Uint32Value());
    gallery_->add(info[0].As<Napi::Number>().DoubleValue(), position, std::move(f));
    return env.Undefined();
  }
  /** addMany(ids: Float64Array, templates: Uint8Array[], positions: Int16Array (-1: the template's own)) -> Promise.
   *  Every template is decoded first: one bad template rejects the whole batch, nothing is added. */
  Napi::Value AddMany(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsArray() || !info[2].IsTypedArray()) {
      Napi::TypeError::New(env, "VALIDATION_FAILED|addMany(Float64Array ids, Uint8Array[] templates, Int16Array positions)").ThrowAsJavaScriptException();
      return env.Null();
    }
    auto ids = info[0].As<Napi::Float64Array>();
    auto arr = info[1].As<Napi::Array>();
    auto pos = info[2].As<Napi::Int16Array>();
    const size_t n = arr.Length();
    if (ids.ElementLength() != n || pos.ElementLength() != n) {
      Napi::TypeError::New(env, "VALIDATION_FAILED|addMany: ids, templates and positions differ in length").ThrowAsJavaScriptException();
      return env.Null();
    }
    std::vector<fm::Finger> fingers(n);
    std::vector<double> idv(n);
    std::vector<uint8_t> posv(n);
    for (size_t i = 0; i < n; i++) {
      Napi::Value v = arr.Get(uint32_t(i));
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        Napi::TypeError::New(env, "TEMPLATE_UNKNOWN_FORMAT|template " + std::to_string(i) + " must be a Uint8Array").ThrowAsJavaScriptException();
        return env.Null();
      }
      auto bytes = v.As<Napi::Uint8Array>();
      std::string err = fm::decodeTemplate(bytes.Data(), bytes.ByteLength(), fingers[i]);
      if (!err.empty()) {
        size_t bar = err.find('|');
        Napi::Error::New(env, err.substr(0, bar + 1) + "template " + std::to_string(i) + ": " + err.substr(bar + 1)).ThrowAsJavaScriptException();
        return env.Null();
      }
      idv[i] = ids[i];
      posv[i] = pos[i] >= 0 ? uint8_t(pos[i]) : fingers[i].position;
    }
    auto* w = new AddManyWorker(env, gallery_, std::move(idv), std::move(posv), std::move(fingers));
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  }
  Napi::Value Remove(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), gallery_->remove(info[0].As<Napi::Number>().DoubleValue()));
  }
  /** removeMany(ids: Float64Array) -> Promise<number removed> */
  Napi::Value RemoveMany(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
      Napi::TypeError::New(env, "VALIDATION_FAILED|removeMany(Float64Array ids)").ThrowAsJavaScriptException();
      return env.Null();
    }
    auto ids = info[0].As<Napi::Float64Array>();
    std::vector<double> idv(ids.Data(), ids.Data() + ids.ElementLength());
    auto* w = new RemoveManyWorker(env, gallery_, std::move(idv));
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  }
  Napi::Value Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(gallery_->size())); }
  Napi::Value MemoryBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(gallery_->memoryBytes()));
  }
  /** search(probe, { k, positions, threads, rerankFraction, rerankMin, exhaustive, firstStage }) -> Promise */
  Napi::Value Search(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    fm::Finger probe;
    if (!fingerFrom(env, info[0], probe)) return env.Null();
    fm::SearchOptions opt;
    if (info.Length() > 1 && info[1].IsObject()) {
      Napi::Object o = info[1].As<Napi::Object>();
      auto num = [&](const char* key, double def) {
        Napi::Value v = o.Get(key);
        return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : def;
      };
      opt.k = int(num("k", opt.k));
      opt.threads = int(num("threads", 0));
      opt.rerankFraction = num("rerankFraction", opt.rerankFraction);
      opt.rerankMin = int(num("rerankMin", opt.rerankMin));
      opt.exhaustive = o.Get("exhaustive").ToBoolean().Value();
      if (o.Get("firstStage").IsString()) opt.rareKeyScore = o.Get("firstStage").As<Napi::String>().Utf8Value() != "votes";
      Napi::Value pos = o.Get("positions");
      if (pos.IsArray()) {
        Napi::Array arr = pos.As<Napi::Array>();
        for (uint32_t i = 0; i < arr.Length(); i++) opt.positions.push_back(int(arr.Get(i).As<Napi::Number>().Int32Value()));
      }
    }
    auto* w = new SearchWorker(env, gallery_, std::move(probe), std::move(opt));
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  }

  std::shared_ptr<fm::Gallery> gallery_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::String::New(env, "3"));
  exports.Set("comparisonSimd", Napi::String::New(env, fm::compareKernel()));
  exports.Set("firstStageSimd", Napi::String::New(env, fm::sketchUsesAvx512() ? "avx512" : "portable"));
  exports.Set("encode", Napi::Function::New(env, Encode));
  exports.Set("check", Napi::Function::New(env, Check));
  exports.Set("describe", Napi::Function::New(env, Describe));
  exports.Set("compare", Napi::Function::New(env, Compare));
  exports.Set("compareAsync", Napi::Function::New(env, CompareAsync));
  exports.Set("filterSimilarity", Napi::Function::New(env, FilterSimilarity));
  exports.Set("comparePairing", Napi::Function::New(env, ComparePairing));
  exports.Set("minutiae", Napi::Function::New(env, Minutiae));
  exports.Set("Gallery", GalleryWrap::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(biocheck_matcher, Init)
