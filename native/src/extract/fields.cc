#include "fields.h"
#include <algorithm>
#include <cmath>
#include "params.h"

namespace fx {
namespace {

/** Summed-area table with a zero first row and column, in double so long sums stay exact enough. */
struct Integral {
  int w = 0, h = 0;
  std::vector<double> s;
  template <typename F> void build(int width, int height, F value) {
    w = width; h = height;
    s.assign(static_cast<size_t>(w + 1) * (h + 1), 0.0);
    for (int y = 0; y < h; y++) {
      double row = 0;
      for (int x = 0; x < w; x++) {
        row += value(x, y);
        s[(y + 1) * (w + 1) + x + 1] = s[y * (w + 1) + x + 1] + row;
      }
    }
  }
  /** Sum over the window of radius r around (x, y), clipped to the image; n gets the pixel count. */
  double box(int x, int y, int r, int& n) const {
    int x0 = std::max(0, x - r), y0 = std::max(0, y - r), x1 = std::min(w, x + r + 1), y1 = std::min(h, y + r + 1);
    n = (x1 - x0) * (y1 - y0);
    return s[y1 * (w + 1) + x1] - s[y0 * (w + 1) + x1] - s[y1 * (w + 1) + x0] + s[y0 * (w + 1) + x0];
  }
};

float bilinear(const std::vector<float>& img, int w, int h, float x, float y) {
  x = std::clamp(x, 0.f, w - 1.001f); y = std::clamp(y, 0.f, h - 1.001f);
  int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
  float fx = x - x0, fy = y - y0;
  const float* p = &img[y0 * w + x0];
  return (p[0] * (1 - fx) + p[1] * fx) * (1 - fy) + (p[w] * (1 - fx) + p[w + 1] * fx) * fy;
}

/** Separable Gaussian smoothing of a block field (clamped at the edges). */
void smoothBlocks(std::vector<float>& v, int bw, int bh, float sigma) {
  int r = static_cast<int>(std::ceil(2.5f * sigma));
  std::vector<float> k(2 * r + 1);
  float sum = 0;
  for (int i = -r; i <= r; i++) sum += k[i + r] = std::exp(-0.5f * i * i / (sigma * sigma));
  for (auto& x : k) x /= sum;
  std::vector<float> t(v.size());
  for (int y = 0; y < bh; y++)
    for (int x = 0; x < bw; x++) {
      float a = 0;
      for (int i = -r; i <= r; i++) a += k[i + r] * v[y * bw + std::clamp(x + i, 0, bw - 1)];
      t[y * bw + x] = a;
    }
  for (int y = 0; y < bh; y++)
    for (int x = 0; x < bw; x++) {
      float a = 0;
      for (int i = -r; i <= r; i++) a += k[i + r] * t[std::clamp(y + i, 0, bh - 1) * bw + x];
      v[y * bw + x] = a;
    }
}

/** Ridge period from the x-signature (Hong, Wan and Jain): grey profile across the ridges, peak spacing. */
float signaturePeriod(const Fields& f, float cx, float cy, float phi) {
  const float nx = std::cos(phi), ny = std::sin(phi);  // across the ridges
  const float tx = -ny, ty = nx;                        // along the ridges
  float sig[kSignatureLength];
  for (int k = 0; k < kSignatureLength; k++) {
    float u = k - kSignatureLength / 2.f, a = 0;
    for (int d = -kSignatureWidth / 2; d < kSignatureWidth / 2; d++) {
      a += bilinear(f.norm, f.width, f.height, cx + u * nx + d * tx, cy + u * ny + d * ty);
    }
    sig[k] = a;
  }
  // Valleys are the maxima of the (dark-ridge) profile; their mean spacing is the period.
  int first = -1, last = -1, peaks = 0;
  for (int k = 1; k + 1 < kSignatureLength; k++) {
    if (sig[k] > sig[k - 1] && sig[k] >= sig[k + 1] && sig[k] > 0) {
      if (first < 0) first = k;
      last = k; peaks++;
    }
  }
  if (peaks < 2) return -1;
  float p = static_cast<float>(last - first) / (peaks - 1);
  return p >= kMinPeriod && p <= kMaxPeriod ? p : -1;
}

}  // namespace

float Fields::normalAt(float x, float y) const {
  float bx = x / kBlock - 0.5f, by = y / kBlock - 0.5f;
  float c = bilinear(cos2, bw, bh, bx, by), s = bilinear(sin2, bw, bh, bx, by);
  return 0.5f * std::atan2(s, c);
}

bool Fields::foregroundAt(int x, int y) const {
  int bx = std::clamp(x / kBlock, 0, bw - 1), by = std::clamp(y / kBlock, 0, bh - 1);
  return mask[by * bw + bx] != 0;
}

void computeFields(const uint8_t* px, int w, int h, Fields& f) {
  f.width = w; f.height = h;
  f.bw = (w + kBlock - 1) / kBlock; f.bh = (h + kBlock - 1) / kBlock;
  const int nb = f.bw * f.bh;
  // Local normalisation: zero mean, unit contrast over the contrast window.
  Integral s1, s2;
  s1.build(w, h, [&](int x, int y) { return double(px[y * w + x]); });
  s2.build(w, h, [&](int x, int y) { double v = px[y * w + x]; return v * v; });
  const int rc = kContrastWindow / 2;
  f.norm.resize(static_cast<size_t>(w) * h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int n;
      double m = s1.box(x, y, rc, n) / n;
      double var = s2.box(x, y, rc, n) / n - m * m;
      float sd = static_cast<float>(std::sqrt(std::max(0.0, var)));
      f.norm[y * w + x] = (px[y * w + x] - static_cast<float>(m)) / std::max(sd, 6.f);
    }
  f.contrast.assign(nb, 0);
  for (int by = 0; by < f.bh; by++)
    for (int bx = 0; bx < f.bw; bx++) {
      int cx = std::min(w - 1, bx * kBlock + kBlock / 2), cy = std::min(h - 1, by * kBlock + kBlock / 2), n;
      double m = s1.box(cx, cy, rc, n) / n, var = s2.box(cx, cy, rc, n) / n - m * m;
      f.contrast[by * f.bw + bx] = static_cast<float>(std::sqrt(std::max(0.0, var)));
    }

  // Orientation: gradient products summed over the orientation window at each block centre.
  std::vector<float> gx(static_cast<size_t>(w) * h, 0), gy(gx.size(), 0);
  for (int y = 1; y + 1 < h; y++)
    for (int x = 1; x + 1 < w; x++) {
      const float* p = &f.norm[y * w + x];
      gx[y * w + x] = (p[-w + 1] + 2 * p[1] + p[w + 1]) - (p[-w - 1] + 2 * p[-1] + p[w - 1]);
      gy[y * w + x] = (p[w - 1] + 2 * p[w] + p[w + 1]) - (p[-w - 1] + 2 * p[-w] + p[-w + 1]);
    }
  Integral ixx, iyy, ixy;
  ixx.build(w, h, [&](int x, int y) { float g = gx[y * w + x]; return double(g * g); });
  iyy.build(w, h, [&](int x, int y) { float g = gy[y * w + x]; return double(g * g); });
  ixy.build(w, h, [&](int x, int y) { return double(gx[y * w + x] * gy[y * w + x]); });
  const int ro = kOrientationWindow / 2;
  f.cos2.assign(nb, 0); f.sin2.assign(nb, 0); f.coherence.assign(nb, 0);
  for (int by = 0; by < f.bh; by++)
    for (int bx = 0; bx < f.bw; bx++) {
      int cx = std::min(w - 1, bx * kBlock + kBlock / 2), cy = std::min(h - 1, by * kBlock + kBlock / 2), n;
      double xx = ixx.box(cx, cy, ro, n), yy = iyy.box(cx, cy, ro, n), xy = ixy.box(cx, cy, ro, n);
      double vc = xx - yy, vs = 2 * xy, mag = std::sqrt(vc * vc + vs * vs);
      int i = by * f.bw + bx;
      f.coherence[i] = xx + yy > 0 ? static_cast<float>(mag / (xx + yy)) : 0;
      f.cos2[i] = static_cast<float>(vc / n); f.sin2[i] = static_cast<float>(vs / n);
    }
  smoothBlocks(f.cos2, f.bw, f.bh, kOrientationSmoothSigma);
  smoothBlocks(f.sin2, f.bw, f.bh, kOrientationSmoothSigma);

  // Segmentation: enough contrast and a ridge flow; then a majority vote and hole filling.
  std::vector<float> sorted(f.contrast);
  std::sort(sorted.begin(), sorted.end());
  float p90 = sorted[static_cast<size_t>(0.9 * (sorted.size() - 1))];
  std::vector<uint8_t> m(nb);
  for (int i = 0; i < nb; i++) m[i] = f.contrast[i] > kForegroundContrast * p90 && f.coherence[i] > kForegroundCoherence;
  for (int pass = 0; pass < 2; pass++) {
    std::vector<uint8_t> t(m);
    for (int by = 0; by < f.bh; by++)
      for (int bx = 0; bx < f.bw; bx++) {
        int on = 0, all = 0;
        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++) {
            int x = bx + dx, y = by + dy;
            if (x < 0 || y < 0 || x >= f.bw || y >= f.bh) continue;
            all++; on += m[y * f.bw + x];
          }
        t[by * f.bw + bx] = 2 * on > all;
      }
    m.swap(t);
  }
  f.mask.swap(m);

  // Ridge period per foreground block, then filled in and smoothed.
  f.period.assign(nb, -1);
  for (int by = 0; by < f.bh; by++)
    for (int bx = 0; bx < f.bw; bx++) {
      int i = by * f.bw + bx;
      if (!f.mask[i]) continue;
      float phi = 0.5f * std::atan2(f.sin2[i], f.cos2[i]);
      f.period[i] = signaturePeriod(f, bx * kBlock + kBlock / 2.f, by * kBlock + kBlock / 2.f, phi);
    }
  std::vector<float> valid;
  for (float p : f.period) if (p > 0) valid.push_back(p);
  float median = kDefaultPeriod;
  if (!valid.empty()) { std::nth_element(valid.begin(), valid.begin() + valid.size() / 2, valid.end()); median = valid[valid.size() / 2]; }
  for (auto& p : f.period) if (p <= 0) p = median;
  smoothBlocks(f.period, f.bw, f.bh, 2.0f);
}

}  // namespace fx
