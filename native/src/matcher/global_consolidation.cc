// Global consolidation after LSS-R: the local pairs vote for one rigid transform (each pair is an anchor; the one
// most other pairs agree with wins, then a least-squares fit on its inliers), and the score is the share of the
// minutiae lying in the common area that this transform pairs one-to-one. Local similarity alone is fooled by
// impostors with similar neighbourhoods in inconsistent places; a transform that pairs many minutiae is not.
#include <algorithm>
#include <cmath>
#include <vector>
#include "angles.h"
#include "fingerprint.h"

namespace fm {

namespace {

struct Rigid {
  float c, s;      // rotation of positions (x, y frame)
  float tx, ty;    // translation
  float dAngle;    // what the rotation adds to a minutia direction
  float cx, cy;    // centre of the inliers in B
  void apply(float x, float y, float& ox, float& oy) const {
    ox = c * x - s * y + tx;
    oy = s * x + c * y + ty;
  }
  void applyInverse(float x, float y, float& ox, float& oy) const {
    float dx = x - tx, dy = y - ty;
    ox = c * dx + s * dy;
    oy = -s * dx + c * dy;
  }
};

/** Transform taking minutia a onto minutia b. Directions are CCW with y down, so positions turn by minus the direction change. */
Rigid fromAnchor(const Cylinder& a, const Cylinder& b) {
  Rigid t;
  t.dAngle = angleDiff(b.angle, a.angle);
  t.c = std::cos(-t.dAngle);
  t.s = std::sin(-t.dAngle);
  t.tx = b.x - (t.c * a.x - t.s * a.y);
  t.ty = b.y - (t.s * a.x + t.c * a.y);
  t.cx = b.x; t.cy = b.y;
  return t;
}

bool agrees(const Rigid& t, const Cylinder& a, const Cylinder& b, float dTol, float aTol) {
  float x, y;
  t.apply(a.x, a.y, x, y);
  float dx = x - b.x, dy = y - b.y;
  return dx * dx + dy * dy <= dTol * dTol && std::fabs(angleDiff(angleDiff(b.angle, a.angle), t.dAngle)) <= aTol;
}

}  // namespace

double globalAgreement(const Features& A, const Features& B, const PairSet& ps) {
  if (ps.n < 2) return 0;
  const float dTol = float(kAnchorDistTol), aTol = float(kAnchorAngleTol);
  // Anchor with the most agreeing pairs (ties: the better-ranked one).
  int bestAnchor = 0, bestCount = -1;
  for (int p = 0; p < ps.n; p++) {
    Rigid t = fromAnchor(A.cylinders[ps.a[p]], B.cylinders[ps.b[p]]);
    int count = 0;
    for (int q = 0; q < ps.n; q++) count += agrees(t, A.cylinders[ps.a[q]], B.cylinders[ps.b[q]], dTol, aTol);
    if (count > bestCount) { bestCount = count; bestAnchor = p; }
  }
  Rigid t = fromAnchor(A.cylinders[ps.a[bestAnchor]], B.cylinders[ps.b[bestAnchor]]);
  // Least-squares rotation and translation over the inliers (2D Procrustes); direction change from the fit.
  {
    double sax = 0, say = 0, sbx = 0, sby = 0;
    int m = 0;
    for (int q = 0; q < ps.n; q++) {
      const Cylinder &a = A.cylinders[ps.a[q]], &b = B.cylinders[ps.b[q]];
      if (!agrees(t, a, b, dTol, aTol)) continue;
      sax += a.x; say += a.y; sbx += b.x; sby += b.y; m++;
    }
    if (m >= 3) {
      sax /= m; say /= m; sbx /= m; sby /= m;
      double sc = 0, ss = 0;
      for (int q = 0; q < ps.n; q++) {
        const Cylinder &a = A.cylinders[ps.a[q]], &b = B.cylinders[ps.b[q]];
        if (!agrees(t, a, b, dTol, aTol)) continue;
        double ax = a.x - sax, ay = a.y - say, bx = b.x - sbx, by = b.y - sby;
        sc += ax * bx + ay * by;
        ss += ax * by - ay * bx;
      }
      double phi = std::atan2(ss, sc);
      Rigid r;
      r.c = float(std::cos(phi)); r.s = float(std::sin(phi));
      r.tx = float(sbx - (r.c * sax - r.s * say));
      r.ty = float(sby - (r.s * sax + r.c * say));
      r.dAngle = float(-phi);
      r.cx = float(sbx); r.cy = float(sby);
      t = r;
    }
  }
  // One-to-one pairing of all minutiae under the transform, closest candidates first.
  const auto& PA = A.points;
  const auto& PB = B.points;
  thread_local std::vector<float> tx, ty;
  thread_local std::vector<std::pair<float, int>> cand;
  thread_local std::vector<uint8_t> usedA, usedB;
  tx.resize(PA.size()); ty.resize(PA.size());
  for (size_t i = 0; i < PA.size(); i++) t.apply(PA[i].x, PA[i].y, tx[i], ty[i]);
  cand.clear();
  const float base = float(kPairDistTol), rel = float(kPairDistRel), pTol = float(kPairAngleTol);
  const int nb = int(PB.size());
  for (size_t i = 0; i < PA.size(); i++) {
    float rx = tx[i] - t.cx, ry = ty[i] - t.cy;
    float tol = base + rel * std::sqrt(rx * rx + ry * ry);
    float ang = PA[i].angle + t.dAngle;
    for (int j = 0; j < nb; j++) {
      float dx = tx[i] - PB[j].x, dy = ty[i] - PB[j].y, d2 = dx * dx + dy * dy;
      if (d2 > tol * tol) continue;
      if (std::fabs(angleDiff(PB[j].angle, ang)) > pTol) continue;
      cand.push_back({d2 / (tol * tol), int(i) * nb + j});
    }
  }
  std::sort(cand.begin(), cand.end());
  usedA.assign(PA.size(), 0);
  usedB.assign(PB.size(), 0);
  int matched = 0;
  for (const auto& c : cand) {
    int i = c.second / nb, j = c.second % nb;
    if (usedA[i] || usedB[j]) continue;
    usedA[i] = usedB[j] = 1;
    matched++;
  }
  // Minutiae in the common area: A's inside B's hull and B's inside A's (each mapped into the other's frame).
  const float margin = float(kOverlapMargin);
  int inA = 0, inB = 0;
  for (size_t i = 0; i < PA.size(); i++) inA += B.hull.outside(tx[i], ty[i]) <= margin;
  for (const Point& p : PB) {
    float x, y;
    t.applyInverse(p.x, p.y, x, y);
    inB += A.hull.outside(x, y) <= margin;
  }
  const double floor = kOverlapFloor;
  double share = double(matched) * matched / (std::max<double>(inA, floor) * std::max<double>(inB, floor));
  return std::min(1.0, share);
}

}  // namespace fm
