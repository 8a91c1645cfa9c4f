// N-API surface of the vector index. Every heavy call runs on a worker thread (AsyncWorker)
// and returns a Promise; typed arrays are read in place (the caller keeps them unchanged
// until the promise settles).
#include <napi.h>

#include <functional>
#include <memory>
#include <string>

#include "vector_core.h"

namespace {

using bv::VectorCore;
using CorePtr = std::shared_ptr<VectorCore>;

Napi::Value reject(Napi::Env env, const std::string &msg) {
  auto d = Napi::Promise::Deferred::New(env);
  d.Reject(Napi::Error::New(env, msg).Value());
  return d.Promise();
}

// A worker that runs `work` off the event loop and resolves with `done()`'s value.
class Task : public Napi::AsyncWorker {
 public:
  Task(Napi::Env env, std::function<void()> work, std::function<Napi::Value(Napi::Env)> done)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), work_(std::move(work)),
        done_(std::move(done)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void keep(Napi::Value v) { refs_.push_back(Napi::Persistent(v)); }

 protected:
  void Execute() override {
    try {
      work_();
    } catch (const std::exception &e) {
      SetError(e.what());
    } catch (...) {
      SetError("unknown native error");
    }
  }
  void OnOK() override { deferred_.Resolve(done_(Env())); }
  void OnError(const Napi::Error &e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<void()> work_;
  std::function<Napi::Value(Napi::Env)> done_;
  std::vector<Napi::Reference<Napi::Value>> refs_;
};

class IndexWrap : public Napi::ObjectWrap<IndexWrap> {
 public:
  static Napi::FunctionReference *ctor;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(
        env, "VectorIndexNative",
        {
            InstanceMethod<&IndexWrap::AddBatch>("addBatch"),
            InstanceMethod<&IndexWrap::Remove>("remove"),
            InstanceMethod<&IndexWrap::Search>("search"),
            InstanceMethod<&IndexWrap::Save>("save"),
            InstanceMethod<&IndexWrap::Compact>("compact"),
            InstanceMethod<&IndexWrap::Repair>("repair"),
            InstanceMethod<&IndexWrap::Stats>("stats"),
            InstanceMethod<&IndexWrap::Size>("size"),
            StaticMethod<&IndexWrap::Load>("load"),
        });
  }

  // new VectorIndexNative({dim, kind, M, efConstruction, capacity, seed}) or (External<CorePtr>)
  explicit IndexWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<IndexWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() >= 1 && info[0].IsExternal()) {
      core_ = *info[0].As<Napi::External<CorePtr>>().Data();
      return;
    }
    if (info.Length() < 1 || !info[0].IsObject()) {
      Napi::TypeError::New(env, "options object expected").ThrowAsJavaScriptException();
      return;
    }
    auto o = info[0].As<Napi::Object>();
    auto num = [&](const char *k, double def) {
      auto v = o.Get(k);
      return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : def;
    };
    bv::IndexParams p;
    p.dim = size_t(num("dim", 0));
    std::string kind = o.Get("kind").IsString() ? o.Get("kind").As<Napi::String>().Utf8Value() : "f32";
    if (kind != "f32" && kind != "i8") {
      Napi::TypeError::New(env, "kind must be 'f32' or 'i8'").ThrowAsJavaScriptException();
      return;
    }
    p.kind = kind == "i8" ? bv::VecKind::I8 : bv::VecKind::F32;
    p.M = size_t(num("M", 16));
    p.efConstruction = size_t(num("efConstruction", 200));
    p.capacity = size_t(num("capacity", 1024));
    p.seed = uint64_t(num("seed", 100));
    try {
      core_ = std::make_shared<VectorCore>(p);
    } catch (const std::exception &e) {
      Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
    }
  }

 private:
  // addBatch(ids: Float64Array, vectors: Float32Array, watchlists: Uint32Array, threads) -> Promise<void>
  Napi::Value AddBatch(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsTypedArray())
      return reject(env, "addBatch(ids, vectors, watchlists, threads) expects typed arrays");
    auto ids = info[0].As<Napi::Float64Array>();
    auto vecs = info[1].As<Napi::Float32Array>();
    auto wls = info[2].As<Napi::Uint32Array>();
    unsigned threads = info[3].As<Napi::Number>().Uint32Value();
    size_t n = ids.ElementLength();
    if (wls.ElementLength() != n || vecs.ElementLength() != n * core_->params().dim)
      return reject(env, "addBatch: array lengths disagree with the count and dim");
    CorePtr core = core_;
    const double *pi = ids.Data();
    const float *pv = vecs.Data();
    const uint32_t *pw = wls.Data();
    auto *t = new Task(
        env, [core, pi, pv, pw, n, threads] { core->addBatch(pi, pv, pw, n, threads); },
        [](Napi::Env e) { return e.Undefined(); });
    t->keep(ids);
    t->keep(vecs);
    t->keep(wls);
    auto p = t->promise();
    t->Queue();
    return p;
  }

  Napi::Value Remove(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) {
      Napi::TypeError::New(env, "remove(id) expects a number").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    try {
      return Napi::Boolean::New(env, core_->remove(info[0].As<Napi::Number>().DoubleValue()));
    } catch (const std::exception &e) {
      Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }

  // search(queries: Float32Array, k, ef, exact, watchlists: Uint32Array|null, threads)
  //   -> Promise<{ids: Float64Array, scores: Float32Array, counts: Uint32Array}>
  Napi::Value Search(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 6 || !info[0].IsTypedArray())
      return reject(env, "search(queries, k, ef, exact, watchlists, threads) expects a Float32Array");
    auto qs = info[0].As<Napi::Float32Array>();
    size_t dim = core_->params().dim;
    if (qs.ElementLength() % dim != 0) return reject(env, "search: query length is not a multiple of dim");
    struct State {
      bv::SearchRequest r{};
      std::vector<bv::Hit> hits;
      std::vector<uint32_t> counts;
    };
    auto st = std::make_shared<State>();
    st->r.queries = qs.Data();
    st->r.nq = qs.ElementLength() / dim;
    st->r.k = info[1].As<Napi::Number>().Uint32Value();
    st->r.ef = info[2].As<Napi::Number>().Uint32Value();
    st->r.exact = info[3].ToBoolean().Value();
    st->r.threads = info[5].As<Napi::Number>().Uint32Value();
    if (info[4].IsTypedArray()) {
      auto wl = info[4].As<Napi::Uint32Array>();
      st->r.allowed = wl.Data();
      st->r.nAllowed = wl.ElementLength();
    }
    CorePtr core = core_;
    auto *t = new Task(
        env, [core, st] { core->search(st->r, st->hits, st->counts); },
        [st](Napi::Env e) -> Napi::Value {
          size_t n = st->hits.size();
          auto ids = Napi::Float64Array::New(e, n);
          auto scores = Napi::Float32Array::New(e, n);
          for (size_t i = 0; i < n; i++) {
            ids[i] = st->hits[i].id;
            scores[i] = st->hits[i].score;
          }
          auto counts = Napi::Uint32Array::New(e, st->counts.size());
          for (size_t i = 0; i < st->counts.size(); i++) counts[i] = st->counts[i];
          auto o = Napi::Object::New(e);
          o.Set("ids", ids);
          o.Set("scores", scores);
          o.Set("counts", counts);
          return o;
        });
    t->keep(qs);
    if (info[4].IsTypedArray()) t->keep(info[4]);
    auto p = t->promise();
    t->Queue();
    return p;
  }

  Napi::Value Save(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber())
      return reject(env, "save(path, highWater) expects a string and a number");
    std::string path = info[0].As<Napi::String>().Utf8Value();
    double hw = info[1].As<Napi::Number>().DoubleValue();
    CorePtr core = core_;
    auto *t = new Task(env, [core, path, hw] { core->save(path, hw); }, [](Napi::Env e) { return e.Undefined(); });
    auto p = t->promise();
    t->Queue();
    return p;
  }

  Napi::Value Compact(const Napi::CallbackInfo &info) {
    unsigned threads = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 0;
    CorePtr core = core_;
    auto *t = new Task(info.Env(), [core, threads] { core->compact(threads); },
                       [](Napi::Env e) { return e.Undefined(); });
    auto p = t->promise();
    t->Queue();
    return p;
  }

  // repair(threads) -> Promise<{checked, missed, linked, stillMissed}>
  Napi::Value Repair(const Napi::CallbackInfo &info) {
    unsigned threads = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 0;
    CorePtr core = core_;
    auto result = std::make_shared<bv::RepairResult>();
    auto *t = new Task(info.Env(), [core, threads, result] { *result = core->repair(threads); },
                       [result](Napi::Env e) {
                         auto o = Napi::Object::New(e);
                         o.Set("checked", double(result->checked));
                         o.Set("missed", double(result->missed));
                         o.Set("linked", double(result->linked));
                         o.Set("stillMissed", double(result->stillMissed));
                         return Napi::Value(o);
                       });
    auto p = t->promise();
    t->Queue();
    return p;
  }

  Napi::Value Size(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), double(core_->size())); }

  Napi::Value Stats(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    auto o = Napi::Object::New(env);
    const auto &p = core_->params();
    o.Set("dim", double(p.dim));
    o.Set("kind", p.kind == bv::VecKind::I8 ? "i8" : "f32");
    o.Set("M", double(p.M));
    o.Set("efConstruction", double(p.efConstruction));
    o.Set("size", double(core_->size()));
    o.Set("slots", double(core_->elements()));
    o.Set("deleted", double(core_->deleted()));
    o.Set("capacity", double(core_->capacity()));
    o.Set("indexBytes", double(core_->indexBytes()));
    o.Set("exactFallbacks", double(core_->exactFallbacks()));
    o.Set("repairedNodes", double(core_->repairedNodes()));
    o.Set("simd", bv::kernels().level);
    return o;
  }

  // VectorIndexNative.load(path) -> Promise<{index, highWater}>
  static Napi::Value Load(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) return reject(env, "load(path) expects a string");
    std::string path = info[0].As<Napi::String>().Utf8Value();
    struct State {
      CorePtr core;
      double hw = 0;
    };
    auto st = std::make_shared<State>();
    auto *t = new Task(
        env, [st, path] { st->core = CorePtr(VectorCore::load(path, st->hw)); },
        [st](Napi::Env e) -> Napi::Value {
          auto ext = Napi::External<CorePtr>::New(e, new CorePtr(st->core),
                                                  [](Napi::Env, CorePtr *p) { delete p; });
          auto o = Napi::Object::New(e);
          o.Set("index", ctor->New({ext}));
          o.Set("highWater", st->hw);
          return o;
        });
    auto p = t->promise();
    t->Queue();
    return p;
  }

  CorePtr core_;
};

Napi::FunctionReference *IndexWrap::ctor = nullptr;

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Function f = IndexWrap::Define(env);
  IndexWrap::ctor = new Napi::FunctionReference(Napi::Persistent(f));
  exports.Set("VectorIndexNative", f);
  exports.Set("simd", Napi::String::New(env, bv::kernels().level));
  return exports;
}

}  // namespace

NODE_API_MODULE(biocheck_vector, Init)
