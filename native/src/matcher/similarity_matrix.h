// Local similarities of every cylinder pair of two fingers (the first step of the full comparison), quantised into
// buckets for the counting sort that follows. An AVX-512 VPOPCNTDQ kernel (8 pairs a step) when the CPU has it,
// chosen at load time; the portable loop gives the same bits.
#pragma once
#include <cstdint>
#include <vector>
#include "fingerprint.h"

namespace fm {

constexpr int kSimilarityBuckets = 256;

struct SimilarityMatrix {
  std::vector<float> gamma;      // nA x nB, row-major
  std::vector<uint16_t> bucket;  // int(gamma * (kSimilarityBuckets - 1))
  std::vector<int> nonzero;      // indices i * nB + j with bucket > 0, increasing
};

/** MCC bit similarity of every (A[i], B[j]); 0 where the directions differ by more than kMaxRotation or too few
 *  cells are valid in both. */
void similarityMatrix(const std::vector<Cylinder>& A, const std::vector<Cylinder>& B, int minCells, SimilarityMatrix& out);
/** "avx512-vpopcntdq" or "portable". */
const char* similarityKernel();

}  // namespace fm
