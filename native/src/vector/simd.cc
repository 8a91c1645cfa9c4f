#include "simd.h"

#include <immintrin.h>
#include <nmmintrin.h>

namespace bv {
namespace {

float dotF32Sse(const float *a, const float *b, size_t n) {
  __m128 s0 = _mm_setzero_ps(), s1 = _mm_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = _mm_add_ps(s0, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
    s1 = _mm_add_ps(s1, _mm_mul_ps(_mm_loadu_ps(a + i + 4), _mm_loadu_ps(b + i + 4)));
  }
  float t[4];
  _mm_storeu_ps(t, _mm_add_ps(s0, s1));
  float s = t[0] + t[1] + t[2] + t[3];
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

__attribute__((target("avx2,fma"))) float dotF32Avx2(const float *a, const float *b, size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
  }
  s0 = _mm256_add_ps(s0, s1);
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
  h = _mm_hadd_ps(h, h);
  h = _mm_hadd_ps(h, h);
  float s = _mm_cvtss_f32(h);
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

__attribute__((target("avx512f,avx512bw"))) float dotF32Avx512(const float *a, const float *b, size_t n) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
  }
  for (; i + 16 <= n; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
  float s = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

int32_t dotI8Sse(const int8_t *a, const int8_t *b, size_t n) {
  __m128i acc = _mm_setzero_si128();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i x = _mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)(a + i)));
    __m128i y = _mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)(b + i)));
    acc = _mm_add_epi32(acc, _mm_madd_epi16(x, y));
  }
  int32_t t[4];
  _mm_storeu_si128((__m128i *)t, acc);
  int32_t s = t[0] + t[1] + t[2] + t[3];
  for (; i < n; i++) s += int32_t(a[i]) * int32_t(b[i]);
  return s;
}

__attribute__((target("avx2"))) int32_t dotI8Avx2(const int8_t *a, const int8_t *b, size_t n) {
  __m256i acc = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i x = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a + i)));
    __m256i y = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b + i)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, y));
  }
  __m128i h = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  h = _mm_hadd_epi32(h, h);
  h = _mm_hadd_epi32(h, h);
  int32_t s = _mm_cvtsi128_si32(h);
  for (; i < n; i++) s += int32_t(a[i]) * int32_t(b[i]);
  return s;
}

__attribute__((target("avx512f,avx512bw"))) int32_t dotI8Avx512(const int8_t *a, const int8_t *b, size_t n) {
  __m512i acc = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m512i x = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(a + i)));
    __m512i y = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(b + i)));
    acc = _mm512_add_epi32(acc, _mm512_madd_epi16(x, y));
  }
  int32_t s = _mm512_reduce_add_epi32(acc);
  for (; i < n; i++) s += int32_t(a[i]) * int32_t(b[i]);
  return s;
}

// Distance wrappers compiled for each level, so the kernel inlines into them (no second
// indirect call in the graph walk's inner loop).
#define BV_DISTS(SUFFIX, TARGET)                                                                       \
  TARGET float ipDistF32##SUFFIX(const void *a, const void *b, const void *p) {                        \
    return 1.0f - dotF32##SUFFIX(static_cast<const float *>(a), static_cast<const float *>(b),         \
                                 *static_cast<const size_t *>(p));                                     \
  }                                                                                                    \
  TARGET float ipDistI8##SUFFIX(const void *a, const void *b, const void *p) {                         \
    const char *x = static_cast<const char *>(a), *y = static_cast<const char *>(b);                   \
    float sx, sy;                                                                                      \
    __builtin_memcpy(&sx, x, 4);                                                                       \
    __builtin_memcpy(&sy, y, 4);                                                                       \
    int32_t d = dotI8##SUFFIX(reinterpret_cast<const int8_t *>(x + 4), reinterpret_cast<const int8_t *>(y + 4), \
                              *static_cast<const size_t *>(p));                                        \
    return 1.0f - sx * sy * float(d);                                                                  \
  }

BV_DISTS(Sse, )
BV_DISTS(Avx2, __attribute__((target("avx2,fma"))))
BV_DISTS(Avx512, __attribute__((target("avx512f,avx512bw"))))

Kernels detect() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
    return {dotF32Avx512, dotI8Avx512, ipDistF32Avx512, ipDistI8Avx512, "avx512"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return {dotF32Avx2, dotI8Avx2, ipDistF32Avx2, ipDistI8Avx2, "avx2"};
  return {dotF32Sse, dotI8Sse, ipDistF32Sse, ipDistI8Sse, "sse"};
}

}  // namespace

const Kernels &kernels() {
  static const Kernels k = detect();
  return k;
}

uint32_t crc32c(uint32_t crc, const void *data, size_t n) {
  const unsigned char *p = static_cast<const unsigned char *>(data);
  uint64_t c = ~crc & 0xffffffffu;
  while (n >= 8) {
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = uint32_t(c);
  while (n--) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

}  // namespace bv
