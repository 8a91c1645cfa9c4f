// Cylinder pair similarities. A cylinder's layers only have bits in its valid cells, so with common = the cells valid
// in both: |a & common| = popcount(a & valid_b), |b & common| = popcount(b & valid_a), and the XOR count of the MCC
// similarity is their sum minus twice popcount(a & b). Both kernels compute exactly these integers and the same
// float operations, so they return the same bits as each other (and as the per-pair formula they replace).
#include "similarity_matrix.h"
#include <cmath>
#include <cstdlib>
#include <algorithm>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include "angles.h"

namespace fm {
namespace {

inline float pairSimilarity(const Cylinder& a, const Cylinder& b, int minCells) {
  if (std::fabs(angleDiff(a.angle, b.angle)) > float(kMaxRotation)) return 0.f;
  if (__builtin_popcountll(a.valid & b.valid) < minCells) return 0.f;
  int both = 0, na = 0, nb = 0;
  for (int k = 0; k < kNd; k++) {
    both += __builtin_popcountll(a.layers[k] & b.layers[k]);
    na += __builtin_popcountll(a.layers[k] & b.valid);
    nb += __builtin_popcountll(b.layers[k] & a.valid);
  }
  const int sum = na + nb;
  if (sum == 0) return 0.f;
  return 1.f - float(sum - 2 * both) / float(sum);
}

void matrixPortable(const std::vector<Cylinder>& A, const std::vector<Cylinder>& B, int minCells, SimilarityMatrix& out) {
  const int nA = int(A.size()), nB = int(B.size());
  for (int i = 0; i < nA; i++)
    for (int j = 0; j < nB; j++) {
      const int idx = i * nB + j;
      const float g = pairSimilarity(A[i], B[j], minCells);
      const int q = int(g * (kSimilarityBuckets - 1));
      out.gamma[idx] = g;
      out.bucket[idx] = uint16_t(q);
      if (q > 0) out.nonzero.push_back(idx);
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define FM_SIMD_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512vpopcntdq")))

/** B transposed (layer-major, padded to 8): one load gives the same layer of 8 cylinders. */
struct Transposed {
  std::vector<uint64_t> words;  // (kNd + 1) rows of `stride`: layers, then validity
  std::vector<float> angle;
  int stride = 0;
};

FM_SIMD_TARGET void matrixAvx512(const std::vector<Cylinder>& A, const std::vector<Cylinder>& B, int minCells, SimilarityMatrix& out) {
  const int nA = int(A.size()), nB = int(B.size());
  thread_local Transposed t;
  t.stride = (nB + 7) & ~7;
  t.words.assign(size_t(kNd + 1) * t.stride, 0);
  t.angle.assign(t.stride, 0.f);
  for (int j = 0; j < nB; j++) {
    for (int k = 0; k < kNd; k++) t.words[size_t(k) * t.stride + j] = B[j].layers[k];
    t.words[size_t(kNd) * t.stride + j] = B[j].valid;
    t.angle[j] = B[j].angle;
  }
  const __m256 pi = _mm256_set1_ps(float(kPi)), negPi = _mm256_set1_ps(-float(kPi)), twoPi = _mm256_set1_ps(float(kTwoPi));
  const __m256 maxRot = _mm256_set1_ps(float(kMaxRotation)), one = _mm256_set1_ps(1.f), zero = _mm256_setzero_ps();
  const __m256 scale = _mm256_set1_ps(float(kSimilarityBuckets - 1));
  const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256i minC = _mm256_set1_epi32(minCells), lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const uint64_t* bValid = t.words.data() + size_t(kNd) * t.stride;
  for (int i = 0; i < nA; i++) {
    const Cylinder& a = A[i];
    __m512i aL[kNd];
    for (int k = 0; k < kNd; k++) aL[k] = _mm512_set1_epi64(int64_t(a.layers[k]));
    const __m512i aV = _mm512_set1_epi64(int64_t(a.valid));
    const __m256 aAng = _mm256_set1_ps(a.angle);
    for (int j0 = 0; j0 < nB; j0 += 8) {
      const __m512i bV = _mm512_loadu_si512(bValid + j0);
      __m512i both = _mm512_setzero_si512(), na = both, nb = both;
      for (int k = 0; k < kNd; k++) {
        const __m512i bL = _mm512_loadu_si512(t.words.data() + size_t(k) * t.stride + j0);
        both = _mm512_add_epi64(both, _mm512_popcnt_epi64(_mm512_and_si512(aL[k], bL)));
        na = _mm512_add_epi64(na, _mm512_popcnt_epi64(_mm512_and_si512(aL[k], bV)));
        nb = _mm512_add_epi64(nb, _mm512_popcnt_epi64(_mm512_and_si512(bL, aV)));
      }
      const __m256i common = _mm512_cvtepi64_epi32(_mm512_popcnt_epi64(_mm512_and_si512(aV, bV)));
      const __m256i sum = _mm512_cvtepi64_epi32(_mm512_add_epi64(na, nb));
      const __m256i x = _mm256_sub_epi32(sum, _mm256_slli_epi32(_mm512_cvtepi64_epi32(both), 1));
      // angleDiff(a.angle, b.angle) folded into [-pi, pi) as the scalar loop does (twice covers any |d| < 4 pi).
      __m256 d = _mm256_sub_ps(aAng, _mm256_loadu_ps(t.angle.data() + j0));
      for (int r = 0; r < 2; r++) {
        d = _mm256_mask_sub_ps(d, _mm256_cmp_ps_mask(d, pi, _CMP_GE_OQ), d, twoPi);
        d = _mm256_mask_add_ps(d, _mm256_cmp_ps_mask(d, negPi, _CMP_LT_OQ), d, twoPi);
      }
      __mmask8 ok = _mm256_cmp_ps_mask(_mm256_and_ps(d, absMask), maxRot, _CMP_LE_OQ);
      ok &= _mm256_cmpge_epi32_mask(common, minC);
      ok &= _mm256_cmpneq_epi32_mask(sum, _mm256_setzero_si256());
      ok &= _mm256_cmplt_epi32_mask(_mm256_add_epi32(lane, _mm256_set1_epi32(j0)), _mm256_set1_epi32(nB));
      const __m256 g = _mm256_mask_sub_ps(zero, ok, one, _mm256_div_ps(_mm256_cvtepi32_ps(x), _mm256_cvtepi32_ps(sum)));
      const __m256i q = _mm256_cvttps_epi32(_mm256_mul_ps(g, scale));
      const int cnt = std::min(8, nB - j0);
      const __mmask8 live = __mmask8((1u << cnt) - 1);
      const int idx0 = i * nB + j0;
      _mm256_mask_storeu_ps(out.gamma.data() + idx0, live, g);
      _mm_mask_storeu_epi16(out.bucket.data() + idx0, live, _mm256_cvtepi32_epi16(q));
      for (__mmask8 nz = _mm256_cmpgt_epi32_mask(q, _mm256_setzero_si256()) & live; nz; nz &= nz - 1)
        out.nonzero.push_back(idx0 + __builtin_ctz(nz));
    }
  }
}

using MatrixFn = void (*)(const std::vector<Cylinder>&, const std::vector<Cylinder>&, int, SimilarityMatrix&);
const MatrixFn kernel = [] {
  __builtin_cpu_init();
  const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
                  __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vpopcntdq") && !std::getenv("BIOCHECK_MATCHER_PORTABLE");
  return ok ? &matrixAvx512 : &matrixPortable;
}();
#else
constexpr auto kernel = &matrixPortable;
#endif

}  // namespace

void similarityMatrix(const std::vector<Cylinder>& A, const std::vector<Cylinder>& B, int minCells, SimilarityMatrix& out) {
  const size_t cells = A.size() * B.size();
  out.gamma.resize(cells);
  out.bucket.resize(cells);
  out.nonzero.clear();
  kernel(A, B, minCells, out);
}

const char* similarityKernel() {
#if defined(__x86_64__) && defined(__GNUC__)
  return kernel == &matrixAvx512 ? "avx512-vpopcntdq" : "portable";
#else
  return "portable";
#endif
}

}  // namespace fm
