// Data the matcher works on: decoded minutiae and the features derived from them.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>
#include "angles.h"
#include "matcher_params.h"
#include "sketch.h"

namespace fm {

struct Minutia {
  float x, y;      // 500 ppi pixels, y down
  float angle;     // radians CCW from +x, [0, 2pi)
  uint8_t type;    // 0 other, 1 ending, 2 bifurcation
  uint8_t quality; // 0..100
};

struct Finger {
  uint8_t position = 0;
  uint16_t width = 0, height = 0;
  std::vector<Minutia> minutiae;
};

/** One bit cylinder: kNd direction layers of 64 spatial cells, and which cells are valid. */
struct Cylinder {
  uint64_t layers[kNd];
  uint64_t valid;
  float x, y, angle;
  uint16_t setBits;
  uint16_t validCells;
};

/** A minutia as the global consolidation sees it. */
struct Point {
  float x, y, angle;
};

/** Convex hull of the minutiae as outward edge lines: signed distance = nx*x + ny*y - c. */
struct Hull {
  std::vector<float> nx, ny, c;
  /** Largest signed distance of (x, y) to the edges: <= 0 inside; a generous distance outside. */
  float outside(float x, float y) const {
    float d = -1e9f;
    for (size_t i = 0; i < c.size(); i++) d = std::max(d, nx[i] * x + ny[i] * y - c[i]);
    return d;
  }
};

/** Distances and radial angles of every two cylinders of one finger: built once for a search's probe
 *  (preparePairTable), empty for gallery entries. Holds exactly what the comparison would compute. */
struct PairTable {
  int n = 0;
  std::vector<float> dist, rad;
  bool ready() const { return n > 0; }
  float distance(int i, int j) const { return dist[size_t(i) * n + j]; }
  float radial(int i, int j) const { return rad[size_t(i) * n + j]; }
};

inline float cylinderDistance(const Cylinder& a, const Cylinder& b) {
  return std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y));
}

/** Direction of a relative to the segment from a to b. */
inline float radialAngle(const Cylinder& a, const Cylinder& b) { return angleDiff(a.angle, segmentAngle(a.x, a.y, b.x, b.y)); }

/** What the matcher keeps per finger: cylinders and minutiae for the full comparison, a sketch for the first stage. */
struct Features {
  std::vector<Cylinder> cylinders;
  std::vector<Point> points;  // every minutia
  Hull hull;
  Sketch sketch;
  uint64_t digest = 0;   // content hash: orders the two sides so compare(a, b) == compare(b, a) exactly
  PairTable pairs;       // probes only
};

// template_codec.cc
std::vector<uint8_t> encodeTemplate(const Finger& f);
/** Returns an empty string on success, otherwise why the bytes are not a valid template. */
std::string decodeTemplate(const uint8_t* data, size_t len, Finger& out);

// features.cc
void buildFeatures(const Finger& f, Features& out);

/** What the global consolidation paired: indices into each side's minutiae (Features::points, the template's order),
 *  and the rigid transform taking the first side's positions into the second's frame (x' = c x - s y + tx, ...). */
struct Pairing {
  std::vector<std::pair<int, int>> pairs;
  float c = 1, s = 0, tx = 0, ty = 0;
};

// mcc_compare.cc
double compareFeatures(const Features& a, const Features& b);
/** compareFeatures, and the minutiae pairs it counted (first index: a's, second: b's; transform: a into b). */
double compareWithPairing(const Features& a, const Features& b, Pairing& out);
/** Fills f.pairs: comparisons with f as either side then skip its distances and radial angles (same results). */
void preparePairTable(Features& f);
/** Which pair-similarity kernel the CPU got (similarity_matrix.h). */
const char* compareKernel();
/** First-stage score of b for probe a (sketch.h). */
double filterSimilarity(const Features& a, const Features& b);

// global_consolidation.cc
/** Pairs (indices into the two cylinder lists) that survived LSS-R, best first. */
struct PairSet {
  int n = 0;
  const int* a = nullptr;
  const int* b = nullptr;
};
/** Share of the minutiae in the common area that one rigid transform (fitted on the local pairs) pairs up, in [0, 1]. */
double globalAgreement(const Features& A, const Features& B, const PairSet& pairs, Pairing* out = nullptr);

}  // namespace fm
