// Full comparison: bit-cylinder similarities, then local similarity sort with relaxation (LSS-R),
// which keeps the minutia pairs whose geometry agrees with the other pairs and averages them; then the global
// consolidation (global_consolidation.cc) checks those pairs against one rigid transform.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>
#include "angles.h"
#include "fingerprint.h"
#include "similarity_matrix.h"

namespace fm {
namespace {

constexpr int kBuckets = kSimilarityBuckets;
constexpr int kSigTable = 2048;
constexpr float kSigSpan = 12.f;  // logistic tabulated on [-kSigSpan, kSigSpan]

const std::array<float, kSigTable + 1>& sigmoidTable() {
  static const std::array<float, kSigTable + 1> t = [] {
    std::array<float, kSigTable + 1> r{};
    for (int i = 0; i <= kSigTable; i++) r[i] = float(1 / (1 + std::exp(-(-kSigSpan + 2.0 * kSigSpan * i / kSigTable))));
    return r;
  }();
  return t;
}

/** Z(v; mu, tau) = 1 / (1 + exp(-tau (v - mu))). */
inline float logistic(float v, float mu, float tau) {
  float x = tau * (v - mu);
  if (x <= -kSigSpan) return 0.f;
  if (x >= kSigSpan) return 1.f;
  return sigmoidTable()[int((x + kSigSpan) * (kSigTable / (2 * kSigSpan)) + 0.5f)];
}

int minMatchableCells() {
  static const int n = [] {
    int cells = 0;
    const double s = 2 * kRadius / kNs;
    for (int a = 0; a < kNs; a++)
      for (int b = 0; b < kNs; b++) {
        double ca = (a - (kNs - 1) / 2.0) * s, cb = (b - (kNs - 1) / 2.0) * s;
        if (ca * ca + cb * cb <= kRadius * kRadius) cells++;
      }
    return int(std::ceil(kMinMatchable * cells));
  }();
  return n;
}

struct Scratch {
  SimilarityMatrix sim;
  std::vector<int> order;
  std::vector<uint8_t> usedA, usedB;
};

/** Score of a against b in a fixed order; compareFeatures makes it symmetric. */
double compareOrdered(const Features& fa, const Features& fb, Pairing* out = nullptr) {
  const auto& A = fa.cylinders;
  const auto& B = fb.cylinders;
  const int nA = int(A.size()), nB = int(B.size());
  if (nA == 0 || nB == 0) return 0;
  thread_local Scratch s;
  const int minCells = minMatchableCells();
  similarityMatrix(A, B, minCells, s.sim);
  const std::vector<float>& gamma = s.sim.gamma;
  // Counting sort, best first, of the pairs with any similarity (stable: ties keep index order).
  int counts[kBuckets + 1] = {0};
  for (int idx : s.sim.nonzero) counts[s.sim.bucket[idx]]++;
  int start[kBuckets + 1];
  int acc = 0;
  for (int q = kBuckets - 1; q >= 1; q--) { start[q] = acc; acc += counts[q]; }
  s.order.resize(acc);
  for (int idx : s.sim.nonzero) s.order[start[s.sim.bucket[idx]]++] = idx;
  // Greedy one-to-one selection of the pairs that enter relaxation.
  const int nR = std::min({nA, nB, kMaxRelaxPairs});
  s.usedA.assign(nA, 0);
  s.usedB.assign(nB, 0);
  int pa[kMaxRelaxPairs], pb[kMaxRelaxPairs];
  float lam0[kMaxRelaxPairs];
  int n = 0;
  for (int idx : s.order) {
    if (n == nR) break;
    int i = idx / nB, j = idx % nB;
    if (s.usedA[i] || s.usedB[j]) continue;
    s.usedA[i] = s.usedB[j] = 1;
    pa[n] = i; pb[n] = j; lam0[n] = gamma[idx]; n++;
  }
  if (n < 2) { if (out) *out = Pairing{}; return 0; }
  // Compatibility of every two selected pairs: do distances, relative directions and radial angles agree?
  // A side with a pair table (the probe of a search, prepared once) reads it instead of recomputing.
  static thread_local float rho[kMaxRelaxPairs][kMaxRelaxPairs];
  const PairTable &tA = fa.pairs, &tB = fb.pairs;
  for (int p = 0; p < n; p++) {
    rho[p][p] = 0;
    const Cylinder &a1 = A[pa[p]], &b1 = B[pb[p]];
    for (int q = p + 1; q < n; q++) {
      const Cylinder &a2 = A[pa[q]], &b2 = B[pb[q]];
      float dA = tA.ready() ? tA.distance(pa[p], pa[q]) : cylinderDistance(a1, a2);
      float dB = tB.ready() ? tB.distance(pb[p], pb[q]) : cylinderDistance(b1, b2);
      float z1 = logistic(std::fabs(dA - dB), float(kRhoDistMu + kRhoDistRel * 0.5 * (dA + dB)), float(kRhoDistTau));
      float d2 = std::fabs(angleDiff(angleDiff(a1.angle, a2.angle), angleDiff(b1.angle, b2.angle)));
      float z2 = logistic(d2, float(kRhoDirMu), float(kRhoDirTau));
      float rA = tA.ready() ? tA.radial(pa[p], pa[q]) : radialAngle(a1, a2);
      float rB = tB.ready() ? tB.radial(pb[p], pb[q]) : radialAngle(b1, b2);
      float z3 = logistic(std::fabs(angleDiff(rA, rB)), float(kRhoRadMu), float(kRhoRadTau));
      rho[p][q] = rho[q][p] = z1 * z2 * z3;
    }
  }
  float lam[kMaxRelaxPairs], next[kMaxRelaxPairs];
  std::copy(lam0, lam0 + n, lam);
  const float w = float(kRelaxWeight), inv = (1 - w) / float(n - 1);
  for (int it = 0; it < kRelaxIterations; it++) {
    // sum[p] = sum over q, in order, of rho[p][q] * lam[q]; rho is symmetric, so the inner loop runs along a row and
    // vectorises across p without reordering any one sum.
    float sum[kMaxRelaxPairs] = {};
    for (int q = 0; q < n; q++) {
      const float lq = lam[q];
      for (int p = 0; p < n; p++) sum[p] += rho[q][p] * lq;
    }
    for (int p = 0; p < n; p++) next[p] = w * lam[p] + inv * sum[p];
    std::copy(next, next + n, lam);
  }
  // Keep the nP pairs whose support grew the most (efficiency) and average their relaxed similarity.
  int nP = kMinNp + int(std::lround(logistic(float(std::min(nA, nB)), float(kNpMu), float(kNpTau)) * (kMaxNp - kMinNp)));
  nP = std::min(nP, n);
  int idx[kMaxRelaxPairs];
  float eff[kMaxRelaxPairs];
  for (int p = 0; p < n; p++) { idx[p] = p; eff[p] = lam0[p] > 0 ? lam[p] / lam0[p] : 0; }
  std::partial_sort(idx, idx + nP, idx + n, [&](int x, int y) { return eff[x] > eff[y] || (eff[x] == eff[y] && x < y); });
  double score = 0;
  for (int k = 0; k < nP; k++) score += lam[idx[k]];
  score /= nP;
  const double gw = kGlobalWeight;
  double share = globalAgreement(fa, fb, PairSet{n, pa, pb}, out);
  return std::pow(score, 1 - gw) * std::pow(share, gw);
}

}  // namespace

void preparePairTable(Features& f) {
  const auto& C = f.cylinders;
  const int n = int(C.size());
  f.pairs.n = n;
  f.pairs.dist.resize(size_t(n) * n);
  f.pairs.rad.resize(size_t(n) * n);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      f.pairs.dist[size_t(i) * n + j] = cylinderDistance(C[i], C[j]);
      f.pairs.rad[size_t(i) * n + j] = radialAngle(C[i], C[j]);
    }
}

const char* compareKernel() { return similarityKernel(); }

double compareFeatures(const Features& a, const Features& b) {
  if (a.digest < b.digest) return compareOrdered(a, b);
  if (a.digest > b.digest) return compareOrdered(b, a);
  return std::max(compareOrdered(a, b), compareOrdered(b, a));
}

double compareWithPairing(const Features& a, const Features& b, Pairing& out) {
  // Same order as compareFeatures (so the same score); a pairing computed as (b, a) is turned back to (a, b).
  const auto flip = [&out] {
    for (auto& p : out.pairs) std::swap(p.first, p.second);
    const float c = out.c, s = -out.s;  // inverse rotation
    const float tx = -(c * out.tx - s * out.ty), ty = -(s * out.tx + c * out.ty);
    out.c = c; out.s = s; out.tx = tx; out.ty = ty;
  };
  if (a.digest < b.digest) return compareOrdered(a, b, &out);
  if (a.digest > b.digest) { double r = compareOrdered(b, a, &out); flip(); return r; }
  Pairing other;
  const double ab = compareOrdered(a, b, &out), ba = compareOrdered(b, a, &other);
  if (ba > ab) { out = other; flip(); return ba; }
  return ab;
}

double filterSimilarity(const Features& a, const Features& b) {
  thread_local SketchProbe probe;
  buildSketchProbe(a.sketch, probe);
  return sketchScore(probe, b.sketch.keys.data(), b.sketch.count, b.sketch.count);
}

}  // namespace fm
