// MinHash band keys of the cylinders and the probe-side bitmap they are counted against.
#include "sketch.h"
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include "fingerprint.h"

namespace fm {
namespace {

constexpr int kCodeBits = kNd * 64;
constexpr int kFunctions = kSketchBands * kSketchRows;

/** kFunctions fixed random rankings of the code's bit positions (seeded: sketches must never change between runs). */
const std::array<std::array<uint16_t, kCodeBits>, kFunctions>& rankings() {
  static const auto t = [] {
    std::array<std::array<uint16_t, kCodeBits>, kFunctions> r{};
    uint64_t state = 0x9E3779B97F4A7C15ull;
    auto next = [&state] {
      state ^= state << 13; state ^= state >> 7; state ^= state << 17;
      return state;
    };
    for (auto& perm : r) {
      for (int i = 0; i < kCodeBits; i++) perm[i] = uint16_t(i);
      for (int i = kCodeBits - 1; i > 0; i--) std::swap(perm[i], perm[next() % uint64_t(i + 1)]);
    }
    return r;
  }();
  return t;
}

uint16_t bandKey(const uint16_t* picks, int band) {
  uint64_t h = 0xcbf29ce484222325ull ^ uint64_t(band);
  for (int r = 0; r < kSketchRows; r++) h = (h ^ picks[r]) * 0x100000001b3ull;
  h ^= h >> 29; h *= 0xbf58476d1ce4e5b9ull; h ^= h >> 32;
  uint16_t k = uint16_t(h);
  return k ? k : 1;
}

}  // namespace

void buildSketch(const std::vector<Cylinder>& cylinders, Sketch& out) {
  // The most complete cylinders first: they agree best with the other capture.
  std::vector<int> order;
  for (int i = 0; i < int(cylinders.size()); i++)
    if (cylinders[i].setBits >= kSketchMinBits) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return cylinders[a].validCells > cylinders[b].validCells; });
  if (int(order.size()) > kSketchMax) order.resize(kSketchMax);
  const int count = int(order.size());
  out.count = uint16_t(count);
  out.keys.assign(size_t(kSketchBands) * count, 0);
  const auto& rank = rankings();
  uint16_t bits[kCodeBits];
  for (size_t c = 0; c < order.size(); c++) {
    const Cylinder& cy = cylinders[order[c]];
    int n = 0;
    for (int k = 0; k < kNd; k++)
      for (uint64_t w = cy.layers[k]; w; w &= w - 1) bits[n++] = uint16_t(k * 64 + __builtin_ctzll(w));
    for (int band = 0; band < kSketchBands; band++) {
      uint16_t picks[kSketchRows];
      for (int r = 0; r < kSketchRows; r++) {
        const auto& perm = rank[band * kSketchRows + r];
        uint16_t best = 0xffff, arg = 0;
        for (int i = 0; i < n; i++)
          if (perm[bits[i]] < best) { best = perm[bits[i]]; arg = bits[i]; }
        picks[r] = arg;
      }
      out.keys[size_t(band) * count + c] = bandKey(picks, band);
    }
  }
}

void buildSketchProbe(const Sketch& s, SketchProbe& out) {
  std::fill(out.bits.begin(), out.bits.end(), 0);
  for (int band = 0; band < kSketchBands; band++)
    for (int c = 0; c < s.count; c++) {
      uint16_t k = s.keys[size_t(band) * s.count + c];
      out.bits[size_t(band) * 1024 + (k >> 6)] |= uint64_t(1) << (k & 63);
    }
  out.count = s.count;
}

namespace {

int votesPortable(const uint64_t* bits, const uint16_t* keys, int count, int stride) {
  int votes = 0;
  for (int band = 0; band < kSketchBands; band++, bits += 1024, keys += stride)
    for (int c = 0; c < count; c++) votes += int((bits[keys[c] >> 6] >> (keys[c] & 63)) & 1);
  return votes;
}

#if defined(__x86_64__) && defined(__GNUC__)
/** 16 keys at a time: gather their 32-bit bitmap words, shift each key's bit down, add. */
__attribute__((target("avx512f,avx512bw,avx512vl"))) int votesAvx512(const uint64_t* bits64, const uint16_t* keys, int count, int stride) {
  const int* bits = reinterpret_cast<const int*>(bits64);
  __m512i acc = _mm512_setzero_si512();
  const __m512i low5 = _mm512_set1_epi32(31), one = _mm512_set1_epi32(1);
  for (int band = 0; band < kSketchBands; band++, bits += 2048, keys += stride)
    for (int c = 0; c < count; c += 16) {
      const __mmask16 m = count - c >= 16 ? __mmask16(0xffff) : __mmask16((1u << (count - c)) - 1);
      __m512i k = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, keys + c));
      __m512i w = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), m, _mm512_srli_epi32(k, 5), bits, 4);
      acc = _mm512_add_epi32(acc, _mm512_and_si512(_mm512_srlv_epi32(w, _mm512_and_si512(k, low5)), one));
    }
  return _mm512_reduce_add_epi32(acc);
}

using VotesFn = int (*)(const uint64_t*, const uint16_t*, int, int);
const VotesFn votes = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") ? &votesAvx512 : &votesPortable;
}();
#else
constexpr auto votes = &votesPortable;
#endif

}  // namespace

float sketchScore(const SketchProbe& p, const uint16_t* keys, int count, int stride) {
  const int v = votes(p.bits.data(), keys, count, stride);
  if (v == 0) return 0.f;
  return float(v) / float(std::max(count, 1) * std::max<int>(p.count, 1));
}

bool sketchUsesAvx512() {
#if defined(__x86_64__) && defined(__GNUC__)
  return votes == &votesAvx512;
#else
  return false;
#endif
}

}  // namespace fm
