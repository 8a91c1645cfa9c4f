// Global consolidation after LSS-R: the local pairs vote for one rigid transform (each pair is an anchor; the one
// most other pairs agree with wins, then a least-squares fit on its inliers); the minutiae are paired one-to-one under
// it, then again under a smooth displacement field fitted to those pairs (skin distortion), and the score is the share
// of the minutiae in the common area that end up paired. Local similarity alone is fooled by impostors with similar
// neighbourhoods in inconsistent places; a transform that pairs many minutiae is not.
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

/** Rigid transform of the anchor, refined by least squares (2D Procrustes) over the local pairs that agree with it. */
Rigid fitOnInliers(const Features& A, const Features& B, const PairSet& ps, int anchor) {
  const float dTol = float(kAnchorDistTol), aTol = float(kAnchorAngleTol);
  const Rigid t = fromAnchor(A.cylinders[ps.a[anchor]], B.cylinders[ps.b[anchor]]);
  double sax = 0, say = 0, sbx = 0, sby = 0;
  int m = 0;
  for (int q = 0; q < ps.n; q++) {
    const Cylinder &a = A.cylinders[ps.a[q]], &b = B.cylinders[ps.b[q]];
    if (!agrees(t, a, b, dTol, aTol)) continue;
    sax += a.x; say += a.y; sbx += b.x; sby += b.y; m++;
  }
  if (m < 3) return t;
  sax /= m; say /= m; sbx /= m; sby /= m;
  double sc = 0, ss = 0;
  for (int q = 0; q < ps.n; q++) {
    const Cylinder &a = A.cylinders[ps.a[q]], &b = B.cylinders[ps.b[q]];
    if (!agrees(t, a, b, dTol, aTol)) continue;
    double ax = a.x - sax, ay = a.y - say, bx = b.x - sbx, by = b.y - sby;
    sc += ax * bx + ay * by;
    ss += ax * by - ay * bx;
  }
  const double phi = std::atan2(ss, sc);
  Rigid r;
  r.c = float(std::cos(phi)); r.s = float(std::sin(phi));
  r.tx = float(sbx - (r.c * sax - r.s * say));
  r.ty = float(sby - (r.s * sax + r.c * say));
  r.dAngle = float(-phi);
  r.cx = float(sbx); r.cy = float(sby);
  return r;
}

using PairList = std::vector<std::pair<int, int>>;

/** Greedy one-to-one pairing, closest first, of A's minutiae placed at (xs, ys), directions turned by t, with B's.
 *  The distance tolerance grows with the distance from the inliers' centre (stretch grows away from it). */
void pairUp(const std::vector<Point>& PA, const std::vector<float>& xs, const std::vector<float>& ys, const Rigid& t,
            const std::vector<Point>& PB, float base, float rel, PairList& pairs) {
  thread_local std::vector<std::pair<float, int>> cand;
  thread_local std::vector<uint8_t> usedA, usedB;
  cand.clear();
  pairs.clear();
  const float aTol = float(kPairAngleTol);
  const int nb = int(PB.size());
  for (size_t i = 0; i < PA.size(); i++) {
    const float rx = xs[i] - t.cx, ry = ys[i] - t.cy;
    const float tol = base + rel * std::sqrt(rx * rx + ry * ry);
    const float ang = PA[i].angle + t.dAngle;
    for (int j = 0; j < nb; j++) {
      const float dx = xs[i] - PB[j].x, dy = ys[i] - PB[j].y, d2 = dx * dx + dy * dy;
      if (d2 > tol * tol) continue;
      if (std::fabs(angleDiff(PB[j].angle, ang)) > aTol) continue;
      cand.push_back({d2 / (tol * tol), int(i) * nb + j});
    }
  }
  std::sort(cand.begin(), cand.end());
  usedA.assign(PA.size(), 0);
  usedB.assign(PB.size(), 0);
  for (const auto& c : cand) {
    const int i = c.second / nb, j = c.second % nb;
    if (usedA[i] || usedB[j]) continue;
    usedA[i] = usedB[j] = 1;
    pairs.push_back({i, j});
  }
}

/** Moves every minutia of A (at tx, ty) by the Gaussian-weighted mean residual of the pairs, shrunk towards no
 *  displacement where few pairs are near: a smooth field that follows uneven stretching, not single minutiae. */
void displaceByField(const std::vector<float>& tx, const std::vector<float>& ty, const std::vector<Point>& PB,
                     const PairList& pairs, std::vector<float>& ex, std::vector<float>& ey) {
  const float inv2s2 = float(1 / (2 * kElasticSigma * kElasticSigma));
  ex.resize(tx.size());
  ey.resize(ty.size());
  for (size_t i = 0; i < tx.size(); i++) {
    float w0 = float(kElasticPrior), sx = 0, sy = 0;
    for (const auto& pr : pairs) {
      const int k = pr.first, j = pr.second;
      const float dx = tx[i] - tx[k], dy = ty[i] - ty[k];
      const float w = std::exp(-(dx * dx + dy * dy) * inv2s2);
      w0 += w;
      sx += w * (PB[j].x - tx[k]);
      sy += w * (PB[j].y - ty[k]);
    }
    ex[i] = tx[i] + sx / w0;
    ey[i] = ty[i] + sy / w0;
  }
}

}  // namespace

double globalAgreement(const Features& A, const Features& B, const PairSet& ps, Pairing* out) {
  if (out) *out = Pairing{};
  if (ps.n < 2) return 0;
  const float dTol = float(kAnchorDistTol), aTol = float(kAnchorAngleTol);
  // Anchor with the most agreeing pairs (ties: the better-ranked one).
  int bestAnchor = 0, bestCount = -1;
  for (int p = 0; p < ps.n; p++) {
    const Rigid t = fromAnchor(A.cylinders[ps.a[p]], B.cylinders[ps.b[p]]);
    int count = 0;
    for (int q = 0; q < ps.n; q++) count += agrees(t, A.cylinders[ps.a[q]], B.cylinders[ps.b[q]], dTol, aTol);
    if (count > bestCount) { bestCount = count; bestAnchor = p; }
  }
  const Rigid t = fitOnInliers(A, B, ps, bestAnchor);
  const auto& PA = A.points;
  const auto& PB = B.points;
  thread_local std::vector<float> tx, ty, ex, ey;
  thread_local PairList pairs, fieldPairs;
  tx.resize(PA.size()); ty.resize(PA.size());
  for (size_t i = 0; i < PA.size(); i++) t.apply(PA[i].x, PA[i].y, tx[i], ty[i]);
  pairUp(PA, tx, ty, t, PB, float(kPairDistTol), float(kPairDistRel), pairs);
  int matched = int(pairs.size());
  if (out) { out->pairs = pairs; out->c = t.c; out->s = t.s; out->tx = t.tx; out->ty = t.ty; }
  // Skin stretches unevenly: the rigid pairs fit a displacement field, the field moves the minutiae, they pair again
  // (usually more of them, further out), and the new pairs refine the field. The best count is kept.
  if (matched >= kElasticMinPairs) {
    for (int it = 0; it < kElasticIterations; it++) {
      displaceByField(tx, ty, PB, it == 0 ? pairs : fieldPairs, ex, ey);
      pairUp(PA, ex, ey, t, PB, float(kElasticDistTol), float(kElasticDistRel), fieldPairs);
      if (int(fieldPairs.size()) > matched && out) out->pairs = fieldPairs;
      matched = std::max(matched, int(fieldPairs.size()));
    }
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
  const double share = double(matched) * matched / (std::max<double>(inA, floor) * std::max<double>(inB, floor));
  return std::min(1.0, share);
}

}  // namespace fm
