// First stage of 1:N search: MinHash sketches of the cylinders (locality-sensitive hashing of MCC codes).
// A cylinder's code is a set of bits; for a random ranking of the 384 bit positions, the set bit of lowest rank
// is the same in two cylinders with probability equal to their Jaccard similarity (monotone in the MCC
// similarity, which is a Dice coefficient). kSketchRows such picks make one key per band; two fingers'
// first-stage score is how many of the gallery finger's band keys the probe also has. No alignment needed:
// cylinders are already in each minutia's own frame.
#pragma once
#include <cstdint>
#include <vector>
#include "matcher_params.h"

namespace fm {

struct Cylinder;

/** A finger's band keys, band-major: keys[band * count + c]; at most kSketchMax cylinders. Keys are never 0. */
struct Sketch {
  std::vector<uint16_t> keys;
  uint16_t count = 0;
};

/** The probe side: one bit per possible key and band. */
struct SketchProbe {
  std::vector<uint64_t> bits = std::vector<uint64_t>(size_t(kSketchBands) * 1024);
  uint16_t count = 0;
};

void buildSketch(const std::vector<Cylinder>& cylinders, Sketch& out);
void buildSketchProbe(const Sketch& s, SketchProbe& out);
/** Band keys of a gallery finger the probe also holds, over the product of both sketch sizes.
 *  keys[band * stride + c] for c < count. */
float sketchScore(const SketchProbe& p, const uint16_t* keys, int count, int stride);
/** Whether sketchScore runs the AVX-512 gather path (chosen at load time; the portable loop gives the same counts). */
bool sketchUsesAvx512();

}  // namespace fm
