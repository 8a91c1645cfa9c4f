// Data the matcher works on: decoded minutiae and the features derived from them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "matcher_params.h"

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

/** What the matcher keeps per finger: cylinders for the full comparison, a pair bitset for the first stage. */
struct Features {
  std::vector<Cylinder> cylinders;
  uint64_t filter[kFilterWords];
  uint32_t filterCount = 0;
  float filterNorm = 0;  // 1 / sqrt(filterCount)
  uint64_t digest = 0;   // content hash: orders the two sides so compare(a, b) == compare(b, a) exactly
};

// template_codec.cc
std::vector<uint8_t> encodeTemplate(const Finger& f);
/** Returns an empty string on success, otherwise why the bytes are not a valid template. */
std::string decodeTemplate(const uint8_t* data, size_t len, Finger& out);

// features.cc
void buildFeatures(const Finger& f, Features& out);

// mcc_compare.cc
double compareFeatures(const Features& a, const Features& b);
double filterSimilarity(const Features& a, const Features& b);

}  // namespace fm
