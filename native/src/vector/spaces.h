// hnswlib distance spaces over L2-normalised vectors: distance = 1 - cosine similarity.
// F32Space stores float32; I8Space stores [float scale][int8 x dim] (symmetric, per-vector scale).
#pragma once
#include <hnswlib/hnswlib.h>

#include <cmath>
#include <cstring>

#include "simd.h"

namespace bv {

enum class VecKind : uint32_t { F32 = 0, I8 = 1 };

struct SpaceParam {
  size_t dim;
};

class F32Space : public hnswlib::SpaceInterface<float> {
 public:
  explicit F32Space(size_t dim) : param_{dim} {}
  size_t get_data_size() override { return param_.dim * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return &dist; }
  void *get_dist_func_param() override { return &param_; }

 private:
  static float dist(const void *a, const void *b, const void *p) {
    return 1.0f - kernels().dotF32(static_cast<const float *>(a), static_cast<const float *>(b),
                                   static_cast<const SpaceParam *>(p)->dim);
  }
  SpaceParam param_;
};

class I8Space : public hnswlib::SpaceInterface<float> {
 public:
  explicit I8Space(size_t dim) : param_{dim} {}
  size_t get_data_size() override { return sizeof(float) + param_.dim; }
  hnswlib::DISTFUNC<float> get_dist_func() override { return &dist; }
  void *get_dist_func_param() override { return &param_; }

  // Quantises a normalised float vector into the stored layout.
  static void encode(const float *v, size_t dim, char *out) {
    float maxAbs = 0;
    for (size_t i = 0; i < dim; i++) maxAbs = std::fmax(maxAbs, std::fabs(v[i]));
    float scale = maxAbs > 0 ? maxAbs / 127.0f : 1.0f;
    float inv = 1.0f / scale;
    std::memcpy(out, &scale, sizeof(float));
    int8_t *q = reinterpret_cast<int8_t *>(out + sizeof(float));
    for (size_t i = 0; i < dim; i++) q[i] = static_cast<int8_t>(std::lrintf(v[i] * inv));
  }

 private:
  static float dist(const void *a, const void *b, const void *p) {
    const char *x = static_cast<const char *>(a), *y = static_cast<const char *>(b);
    float sx, sy;
    std::memcpy(&sx, x, sizeof(float));
    std::memcpy(&sy, y, sizeof(float));
    int32_t d = kernels().dotI8(reinterpret_cast<const int8_t *>(x + sizeof(float)),
                                reinterpret_cast<const int8_t *>(y + sizeof(float)),
                                static_cast<const SpaceParam *>(p)->dim);
    return 1.0f - sx * sy * float(d);
  }
  SpaceParam param_;
};

}  // namespace bv
