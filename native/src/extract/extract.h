// Minutiae extraction from a grey fingerprint image at 500 ppi: segmentation, ridge orientation and
// frequency, Gabor enhancement (Hong, Wan and Jain 1998), binarisation and thinning, crossing-number
// detection, direction from the ridge flow, and removal of false minutiae.
#pragma once
#include <cstdint>
#include <vector>

namespace fx {

struct Minutia {
  float x, y;
  /** Radians, counter-clockwise from the x axis (y up), in [0, 2π). */
  float angle;
  /** 1 ending, 2 bifurcation (as the matcher's template codes them). */
  int type;
  /** 0..100. */
  int quality;
};

struct Extraction {
  std::vector<Minutia> minutiae;
  /** Fraction of the image that is fingerprint, mean orientation coherence there, ridge period. */
  float foreground = 0, coherence = 0, period = 0;
  /** Mean local contrast (grey levels) of the fingerprint area. */
  float contrast = 0;
};

/** Extracts minutiae from a width x height 8-bit grey image (dark ridges) at 500 ppi. */
Extraction extract(const uint8_t* pixels, int width, int height);

}  // namespace fx
