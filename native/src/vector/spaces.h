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
  hnswlib::DISTFUNC<float> get_dist_func() override { return kernels().ipDistF32; }
  void *get_dist_func_param() override { return &param_; }

 private:
  SpaceParam param_;
};

class I8Space : public hnswlib::SpaceInterface<float> {
 public:
  explicit I8Space(size_t dim) : param_{dim} {}
  size_t get_data_size() override { return sizeof(float) + param_.dim; }
  hnswlib::DISTFUNC<float> get_dist_func() override { return kernels().ipDistI8; }
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
  SpaceParam param_;
};

}  // namespace bv
