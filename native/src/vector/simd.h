// SIMD kernels for the vector index, chosen once at start-up from what the CPU offers.
// The addon compiles for the x86-64-v2 baseline; wider kernels use target attributes.
#pragma once
#include <cstddef>
#include <cstdint>

namespace bv {

using DotF32Fn = float (*)(const float *, const float *, size_t);
using DotI8Fn = int32_t (*)(const int8_t *, const int8_t *, size_t);

// hnswlib's distance signature; the third argument points at the dimension (size_t).
using DistFn = float (*)(const void *, const void *, const void *);

struct Kernels {
  DotF32Fn dotF32;
  DotI8Fn dotI8;
  DistFn ipDistF32;  // 1 - dot over float32 vectors
  DistFn ipDistI8;   // 1 - sa * sb * dot over [float scale][int8 x dim]
  const char *level;  // "avx512", "avx2" or "sse"
};

// The best kernels this CPU supports (detected once).
const Kernels &kernels();

// CRC-32C (Castagnoli) with the SSE4.2 instruction; `crc` is the running value (start at 0).
uint32_t crc32c(uint32_t crc, const void *data, size_t n);

}  // namespace bv
