// Minutiae on a one-pixel skeleton: crossing number (1 = ending, 3 = bifurcation), direction from the
// traced ridge refined by the orientation field, and removal of the artefacts thinning leaves: short
// ridges, spurs, bridges, breaks and points near the border of the fingerprint area.
#pragma once
#include <cstdint>
#include <vector>
#include "extract.h"
#include "fields.h"

namespace fx {

std::vector<Minutia> findMinutiae(const std::vector<uint8_t>& skeleton, const Fields& f);

}  // namespace fx
