#include "enhance.h"
#include <algorithm>
#include <cmath>
#include "params.h"

namespace fx {
namespace {

constexpr int kSide = 2 * kGaborRadius + 1;
constexpr float kPi = 3.14159265358979f;

struct Bank {
  std::vector<float> k;  // [period][angle][kSide*kSide]
  Bank() {
    k.resize(static_cast<size_t>(kGaborPeriods) * kGaborAngles * kSide * kSide);
    for (int p = 0; p < kGaborPeriods; p++) {
      float period = kMinPeriod + (kMaxPeriod - kMinPeriod) * p / (kGaborPeriods - 1);
      for (int a = 0; a < kGaborAngles; a++) {
        float phi = kPi * a / kGaborAngles, c = std::cos(phi), s = std::sin(phi);
        float* g = &k[(static_cast<size_t>(p) * kGaborAngles + a) * kSide * kSide];
        double sum = 0, wsum = 0;
        for (int dy = -kGaborRadius; dy <= kGaborRadius; dy++)
          for (int dx = -kGaborRadius; dx <= kGaborRadius; dx++) {
            float u = dx * c + dy * s, v = -dx * s + dy * c;
            float env = std::exp(-0.5f * (u * u / (kGaborSigmaAcross * kGaborSigmaAcross) + v * v / (kGaborSigmaAlong * kGaborSigmaAlong)));
            g[(dy + kGaborRadius) * kSide + dx + kGaborRadius] = env * std::cos(2 * kPi * u / period);
            sum += env * std::cos(2 * kPi * u / period); wsum += env;
          }
        // Remove the DC response (weighted by the envelope) so flat areas give zero.
        for (int dy = -kGaborRadius; dy <= kGaborRadius; dy++)
          for (int dx = -kGaborRadius; dx <= kGaborRadius; dx++) {
            float u = dx * c + dy * s, v = -dx * s + dy * c;
            float env = std::exp(-0.5f * (u * u / (kGaborSigmaAcross * kGaborSigmaAcross) + v * v / (kGaborSigmaAlong * kGaborSigmaAlong)));
            g[(dy + kGaborRadius) * kSide + dx + kGaborRadius] -= static_cast<float>(sum / wsum) * env;
          }
      }
    }
  }
  const float* at(float period, float phi) const {
    int p = static_cast<int>(std::lround((period - kMinPeriod) / (kMaxPeriod - kMinPeriod) * (kGaborPeriods - 1)));
    p = std::clamp(p, 0, kGaborPeriods - 1);
    float t = phi / kPi;
    t -= std::floor(t);
    int a = static_cast<int>(std::lround(t * kGaborAngles)) % kGaborAngles;
    return &k[(static_cast<size_t>(p) * kGaborAngles + a) * kSide * kSide];
  }
};

const Bank& bank() { static const Bank b; return b; }

}  // namespace

std::vector<uint8_t> gaborRidges(const Fields& f) {
  const int w = f.width, h = f.height;
  std::vector<uint8_t> out(static_cast<size_t>(w) * h, 0);
  const Bank& b = bank();
  for (int y = kGaborRadius; y < h - kGaborRadius; y++) {
    for (int x = kGaborRadius; x < w - kGaborRadius; x++) {
      if (!f.foregroundAt(x, y)) continue;
      float bx = static_cast<float>(x) / kBlock - 0.5f, by = static_cast<float>(y) / kBlock - 0.5f;
      int ix = std::clamp(static_cast<int>(std::lround(bx)), 0, f.bw - 1), iy = std::clamp(static_cast<int>(std::lround(by)), 0, f.bh - 1);
      const float* g = b.at(f.period[iy * f.bw + ix], f.normalAt(static_cast<float>(x), static_cast<float>(y)));
      float acc = 0;
      for (int dy = -kGaborRadius; dy <= kGaborRadius; dy++) {
        const float* row = &f.norm[(y + dy) * w + x - kGaborRadius];
        const float* k = g + (dy + kGaborRadius) * kSide;
        for (int dx = 0; dx < kSide; dx++) acc += row[dx] * k[dx];
      }
      // Ridges are dark: a negative response to the even filter.
      out[y * w + x] = acc < 0;
    }
  }
  return out;
}

void thin(std::vector<uint8_t>& img, int w, int h) {
  std::vector<int> del;
  for (bool changed = true; changed;) {
    changed = false;
    for (int pass = 0; pass < 2; pass++) {
      del.clear();
      for (int y = 1; y + 1 < h; y++)
        for (int x = 1; x + 1 < w; x++) {
          if (!img[y * w + x]) continue;
          const uint8_t* c = &img[y * w + x];
          // Neighbours P2..P9 clockwise from north.
          int p[8] = {c[-w], c[-w + 1], c[1], c[w + 1], c[w], c[w - 1], c[-1], c[-w - 1]};
          int n = 0, t = 0;
          for (int i = 0; i < 8; i++) { n += p[i]; t += !p[i] && p[(i + 1) % 8]; }
          if (n < 2 || n > 6 || t != 1) continue;
          if (pass == 0 ? (p[0] && p[2] && p[4]) || (p[2] && p[4] && p[6]) : (p[0] && p[2] && p[6]) || (p[0] && p[4] && p[6])) continue;
          del.push_back(y * w + x);
        }
      for (int i : del) img[i] = 0;
      changed = changed || !del.empty();
    }
  }
}

}  // namespace fx
