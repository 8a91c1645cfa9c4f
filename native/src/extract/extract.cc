#include "extract.h"
#include <algorithm>
#include "enhance.h"
#include "fields.h"
#include "minutiae.h"

namespace fx {

Extraction extract(const uint8_t* pixels, int width, int height) {
  Extraction e;
  Fields f;
  computeFields(pixels, width, height, f);
  std::vector<uint8_t> ridges = gaborRidges(f);
  thin(ridges, width, height);
  e.minutiae = findMinutiae(ridges, f);
  int fg = 0; double coh = 0, per = 0, con = 0;
  for (size_t i = 0; i < f.mask.size(); i++) {
    if (!f.mask[i]) continue;
    fg++; coh += f.coherence[i]; per += f.period[i]; con += f.contrast[i];
  }
  e.foreground = f.mask.empty() ? 0 : static_cast<float>(fg) / f.mask.size();
  if (fg) { e.coherence = static_cast<float>(coh / fg); e.period = static_cast<float>(per / fg); e.contrast = static_cast<float>(con / fg); }
  return e;
}

}  // namespace fx
