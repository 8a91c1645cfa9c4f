// From minutiae to the matcher's features: bit cylinders (MCC), the minutiae and their hull, the first-stage sketch.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include "angles.h"
#include "fingerprint.h"

namespace fm {
namespace {

struct Pt { double x, y; };

constexpr double kCellSize = 2 * kRadius / kNs;
constexpr int kGdTable = 1024;
constexpr int kExpTable = 4096;

/** Share of a direction Gaussian falling in one direction layer, by angular offset from the layer centre. */
const std::array<float, kGdTable>& directionTable() {
  static const std::array<float, kGdTable> t = [] {
    std::array<float, kGdTable> r{};
    const double half = kPi / kNd, k = 1 / (kSigmaD * std::sqrt(2.0));
    for (int i = 0; i < kGdTable; i++) {
      double a = -kPi + (i + 0.5) * kTwoPi / kGdTable;
      r[i] = float(0.5 * (std::erf((a + half) * k) - std::erf((a - half) * k)));
    }
    return r;
  }();
  return t;
}

int diskCellCount() {
  int n = 0;
  for (int a = 0; a < kNs; a++)
    for (int b = 0; b < kNs; b++) {
      double ca = (a - (kNs - 1) / 2.0) * kCellSize, cb = (b - (kNs - 1) / 2.0) * kCellSize;
      if (ca * ca + cb * cb <= kRadius * kRadius) n++;
    }
  return n;
}

double cross(const Pt& o, const Pt& a, const Pt& b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

std::vector<Pt> convexHull(std::vector<Pt> p) {
  std::sort(p.begin(), p.end(), [](const Pt& a, const Pt& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  if (p.size() < 3) return p;
  std::vector<Pt> h(2 * p.size());
  size_t k = 0;
  for (size_t i = 0; i < p.size(); i++) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) k--;
    h[k++] = p[i];
  }
  for (size_t i = p.size() - 1, t = k + 1; i > 0; i--) {
    while (k >= t && cross(h[k - 2], h[k - 1], p[i - 1]) <= 0) k--;
    h[k++] = p[i - 1];
  }
  h.resize(k - 1);
  return h;
}

/** Convex hull as outward edge lines: a point's distance outside the hull is its largest signed distance
 *  to them (exact along edges, slightly generous near vertices, which suits a validity margin). */
struct HullLines {
  std::vector<double> nx, ny, c;  // outward unit normal and offset: signed distance = nx*x + ny*y - c
  Pt single{0, 0};
  bool degenerate = true;
};

HullLines hullLines(const std::vector<Pt>& hull) {
  HullLines h;
  if (hull.size() < 3) {
    if (!hull.empty()) h.single = hull[0];
    return h;
  }
  h.degenerate = false;
  for (size_t i = 0; i < hull.size(); i++) {
    const Pt& a = hull[i];
    const Pt& b = hull[(i + 1) % hull.size()];
    double ex = b.x - a.x, ey = b.y - a.y, len = std::sqrt(ex * ex + ey * ey);
    if (len == 0) continue;
    double nx = ey / len, ny = -ex / len;  // the monotone chain is counter-clockwise in (x, y): outward is to the right
    h.nx.push_back(nx); h.ny.push_back(ny); h.c.push_back(nx * a.x + ny * a.y);
  }
  return h;
}

/** Inside the convex hull of the minutiae, or within kHullMargin of it. */
bool nearHull(const HullLines& h, const Pt& p) {
  if (h.degenerate) {
    double dx = p.x - h.single.x, dy = p.y - h.single.y;
    return dx * dx + dy * dy <= kHullMargin * kHullMargin;
  }
  for (size_t i = 0; i < h.c.size(); i++)
    if (h.nx[i] * p.x + h.ny[i] * p.y - h.c[i] > kHullMargin) return false;
  return true;
}

void buildCylinders(const Finger& f, Features& feat) {
  std::vector<Cylinder>& out = feat.cylinders;
  static const int diskCells = diskCellCount();
  const auto& gd = directionTable();
  const auto& ms = f.minutiae;
  std::vector<Pt> pts;
  for (const Minutia& m : ms) pts.push_back({m.x, m.y});
  const HullLines hull = hullLines(convexHull(pts));
  feat.hull = Hull{};
  if (!hull.degenerate)
    for (size_t e = 0; e < hull.c.size(); e++) {
      feat.hull.nx.push_back(float(hull.nx[e])); feat.hull.ny.push_back(float(hull.ny[e])); feat.hull.c.push_back(float(hull.c[e]));
    }
  const double reach = kRadius + 3 * kSigmaS, cut2 = 9 * kSigmaS * kSigmaS;
  const double gsNorm = 1 / (kSigmaS * std::sqrt(kTwoPi)), gsK = -1 / (2 * kSigmaS * kSigmaS);
  std::vector<int> nb;
  std::vector<float> gdv;
  // Spatial Gaussian tabulated on the squared distance.
  static const std::vector<float> expTable = [&] {
    std::vector<float> t(kExpTable + 1);
    for (int i = 0; i <= kExpTable; i++) t[i] = float(gsNorm * std::exp((i + 0.5) * cut2 / kExpTable * gsK));
    return t;
  }();
  const double expScale = kExpTable / cut2;
  for (size_t i = 0; i < ms.size(); i++) {
    const Minutia& m = ms[i];
    nb.clear();
    for (size_t t = 0; t < ms.size(); t++) {
      if (t == i) continue;
      double dx = ms[t].x - m.x, dy = ms[t].y - m.y;
      if (dx * dx + dy * dy <= reach * reach) nb.push_back(int(t));
    }
    if (int(nb.size()) < kMinNeighbours) continue;
    // Each neighbour's share of every direction layer depends only on its direction relative to m.
    gdv.resize(nb.size() * kNd);
    for (size_t q = 0; q < nb.size(); q++) {
      float dt = angleDiff(m.angle, ms[nb[q]].angle);
      for (int k = 0; k < kNd; k++) {
        float off = angleDiff(float(-kPi + (k + 0.5) * kTwoPi / kNd), dt);
        gdv[q * kNd + k] = gd[std::min(kGdTable - 1, int((off + kPi) / kTwoPi * kGdTable))];
      }
    }
    Cylinder c{};
    // Local frame: u along the minutia direction (y down), v perpendicular; both rotate with the finger.
    const double ux = std::cos(m.angle), uy = -std::sin(m.angle), vx = -uy, vy = ux;
    const double mid = (kNs - 1) / 2.0;
    for (int a = 0; a < kNs; a++)
      for (int b = 0; b < kNs; b++) {
        double ca = (a - mid) * kCellSize, cb = (b - mid) * kCellSize;
        if (ca * ca + cb * cb > kRadius * kRadius) continue;
        if (nearHull(hull, Pt{m.x + ca * ux + cb * vx, m.y + ca * uy + cb * vy})) c.valid |= uint64_t(1) << (a * kNs + b);
      }
    // Each neighbour reaches only the cells within 3 sigma of it.
    float sum[kNs * kNs][kNd] = {};
    const double reachCells = 3 * kSigmaS / kCellSize;
    for (size_t q = 0; q < nb.size(); q++) {
      const Minutia& t = ms[nb[q]];
      double dx = t.x - m.x, dy = t.y - m.y;
      double la = dx * ux + dy * uy, lb = dx * vx + dy * vy;  // neighbour in the local frame
      double fa = la / kCellSize + mid, fb = lb / kCellSize + mid;
      int a0 = std::max(0, int(std::ceil(fa - reachCells))), a1 = std::min(kNs - 1, int(std::floor(fa + reachCells)));
      int b0 = std::max(0, int(std::ceil(fb - reachCells))), b1 = std::min(kNs - 1, int(std::floor(fb + reachCells)));
      for (int a = a0; a <= a1; a++)
        for (int b = b0; b <= b1; b++) {
          const int bit = a * kNs + b;
          if (!((c.valid >> bit) & 1)) continue;
          double ea = (a - mid) * kCellSize - la, eb = (b - mid) * kCellSize - lb, d2 = ea * ea + eb * eb;
          if (d2 > cut2) continue;
          float gs = expTable[int(d2 * expScale)];
          for (int k = 0; k < kNd; k++) sum[bit][k] += gs * gdv[q * kNd + k];
        }
    }
    for (int bit = 0; bit < kNs * kNs; bit++)
      for (int k = 0; k < kNd; k++)
        if (sum[bit][k] >= kMuPsi) c.layers[k] |= uint64_t(1) << bit;
    c.validCells = uint16_t(__builtin_popcountll(c.valid));
    if (c.validCells < kMinValidCells * diskCells) continue;
    int set = 0;
    for (int k = 0; k < kNd; k++) set += __builtin_popcountll(c.layers[k]);
    c.setBits = uint16_t(set);
    c.x = m.x; c.y = m.y; c.angle = m.angle;
    out.push_back(c);
  }
}

uint64_t digestOf(const Finger& f) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint32_t v) { for (int i = 0; i < 4; i++) h = (h ^ ((v >> (8 * i)) & 0xff)) * 1099511628211ull; };
  for (const Minutia& m : f.minutiae) {
    mix(uint32_t(std::lround(m.x * 4)));
    mix(uint32_t(std::lround(m.y * 4)));
    mix(uint32_t(std::lround(m.angle * 10000)));
  }
  return h;
}

}  // namespace

void buildFeatures(const Finger& f, Features& out) {
  out.cylinders.clear();
  buildCylinders(f, out);
  out.points.clear();
  for (const Minutia& m : f.minutiae) out.points.push_back(Point{m.x, m.y, m.angle});
  buildSketch(out.cylinders, out.sketch);
  out.digest = digestOf(f);
}

}  // namespace fm
