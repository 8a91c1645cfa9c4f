// Gabor enhancement (Hong, Wan and Jain 1998) and thinning: an oriented even-symmetric Gabor filter
// tuned to the local ridge orientation and period, its sign as the ridge map, then a one-pixel skeleton.
#pragma once
#include <cstdint>
#include <vector>
#include "fields.h"

namespace fx {

/** Ridge map: 1 = ridge pixel (inside the fingerprint area), 0 = valley or background. */
std::vector<uint8_t> gaborRidges(const Fields& f);

/** Thins a ridge map in place to one-pixel-wide lines (Zhang and Suen 1984). */
void thin(std::vector<uint8_t>& img, int width, int height);

}  // namespace fx
