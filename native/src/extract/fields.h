// Block fields of a fingerprint image: local normalisation, segmentation, ridge orientation
// (gradient doubled-angle averaging) and ridge period (x-signature), on a kBlock grid.
#pragma once
#include <cstdint>
#include <vector>

namespace fx {

struct Fields {
  int width = 0, height = 0;   // pixels
  int bw = 0, bh = 0;          // blocks
  std::vector<float> norm;     // pixels: locally zero-mean, unit-contrast image
  std::vector<float> contrast; // blocks: local standard deviation, grey levels
  std::vector<uint8_t> mask;   // blocks: 1 = fingerprint
  std::vector<float> cos2, sin2; // blocks: smoothed doubled-angle vector of the ridge-normal direction
  std::vector<float> coherence;  // blocks: 0..1
  std::vector<float> period;     // blocks: ridge period, pixels

  /** Ridge-normal direction (radians mod π) at a pixel, interpolated from the blocks. */
  float normalAt(float x, float y) const;
  bool foregroundAt(int x, int y) const;
};

void computeFields(const uint8_t* pixels, int width, int height, Fields& f);

}  // namespace fx
