// Angle helpers shared by feature extraction and comparison.
#pragma once
#include <cmath>
#include "matcher_params.h"

namespace fm {

/** Difference of two angles folded into [-pi, pi). */
inline float angleDiff(float a, float b) {
  float d = a - b;
  while (d >= float(kPi)) d -= float(kTwoPi);
  while (d < -float(kPi)) d += float(kTwoPi);
  return d;
}

/** Angle folded into [0, 2pi). */
inline float angle0(float a) {
  while (a >= float(kTwoPi)) a -= float(kTwoPi);
  while (a < 0) a += float(kTwoPi);
  return a;
}

/** atan2 to about 1e-3 rad: the exact one dominates the consolidation step otherwise. */
inline float fastAtan2(float y, float x) {
  float ax = std::fabs(x), ay = std::fabs(y);
  float mx = ax > ay ? ax : ay, mn = ax > ay ? ay : ax;
  if (mx == 0) return 0;
  float a = mn / mx, s = a * a;
  float r = ((-0.0464964749f * s + 0.15931422f) * s - 0.327622764f) * s * a + a;
  if (ay > ax) r = float(kPi / 2) - r;
  if (x < 0) r = float(kPi) - r;
  return y < 0 ? -r : r;
}

/** Direction of the segment from (x1, y1) to (x2, y2), CCW from +x with y pointing down. */
inline float segmentAngle(float x1, float y1, float x2, float y2) { return fastAtan2(y1 - y2, x2 - x1); }

}  // namespace fm
