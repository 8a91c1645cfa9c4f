#include "minutiae.h"
#include <algorithm>
#include <cmath>
#include "params.h"

namespace fx {
namespace {

constexpr float kPi = 3.14159265358979f;
// Neighbours clockwise from north: dx, dy.
constexpr int DX[8] = {0, 1, 1, 1, 0, -1, -1, -1};
constexpr int DY[8] = {-1, -1, 0, 1, 1, 1, 0, -1};

struct Candidate { int x, y, type; float angle; bool dropped = false; };

int crossingNumber(const std::vector<uint8_t>& s, int w, int x, int y) {
  int t = 0;
  for (int i = 0; i < 8; i++) t += s[(y + DY[i]) * w + x + DX[i]] != s[(y + DY[(i + 1) % 8]) * w + x + DX[(i + 1) % 8]];
  return t / 2;
}

struct Trace { float dx = 0, dy = 0; int steps = 0; int hit = -1; };

/** Follows the skeleton from (x, y) through its neighbour `first` for up to kTraceSteps pixels. */
Trace follow(const std::vector<uint8_t>& s, const std::vector<int>& owner, int w, int h, int self, int x, int y, int first) {
  Trace t;
  int px = x, py = y, cx = x + DX[first], cy = y + DY[first];
  int ppx = x, ppy = y;
  for (t.steps = 1; t.steps <= kTraceSteps; t.steps++) {
    int o = owner[cy * w + cx];
    if (o >= 0 && o != self) { t.hit = o; break; }
    if (cx < 1 || cy < 1 || cx >= w - 1 || cy >= h - 1) break;
    int next = -1;
    for (int pass = 0; pass < 2 && next < 0; pass++) {
      for (int i = pass; i < 8; i += 2) {  // 4-neighbours first, then diagonals
        int nx = cx + DX[i], ny = cy + DY[i];
        if (!s[ny * w + nx] || (nx == px && ny == py) || (nx == ppx && ny == ppy) || (nx == x && ny == y)) continue;
        if (std::abs(nx - px) <= 1 && std::abs(ny - py) <= 1) continue;  // a corner of the step just taken
        next = i; break;
      }
    }
    if (next < 0) break;
    ppx = px; ppy = py; px = cx; py = cy; cx += DX[next]; cy += DY[next];
  }
  t.dx = static_cast<float>(cx - x); t.dy = static_cast<float>(cy - y);
  return t;
}

/** First neighbour of each run of skeleton neighbours around (x, y): one per branch. */
std::vector<int> branches(const std::vector<uint8_t>& s, int w, int x, int y) {
  std::vector<int> out;
  for (int i = 0; i < 8; i++) {
    bool on = s[(y + DY[i]) * w + x + DX[i]], prev = s[(y + DY[(i + 7) % 8]) * w + x + DX[(i + 7) % 8]];
    if (!on || prev) continue;
    // Prefer the 4-neighbour of the run when the run starts on a diagonal.
    int j = (i % 2 && s[(y + DY[(i + 1) % 8]) * w + x + DX[(i + 1) % 8]]) ? (i + 1) % 8 : i;
    out.push_back(j);
  }
  return out;
}

}  // namespace

std::vector<Minutia> findMinutiae(const std::vector<uint8_t>& s, const Fields& f) {
  const int w = f.width, h = f.height;
  std::vector<Candidate> c;
  std::vector<int> owner(s.size(), -1);
  const int margin = kGaborRadius + 2;
  for (int y = margin; y < h - margin; y++)
    for (int x = margin; x < w - margin; x++) {
      if (!s[y * w + x]) continue;
      int cn = crossingNumber(s, w, x, y);
      if (cn != 1 && cn != 3) continue;
      // A junction is often two or three touching pixels: keep the first of a cluster.
      bool near = false;
      for (int dy = -2; dy <= 0 && !near; dy++)
        for (int dx = -2; dx <= 2 && !near; dx++) {
          if (dy == 0 && dx >= 0) break;
          int o = owner[(y + dy) * w + x + dx];
          near = o >= 0 && c[o].type == (cn == 1 ? 1 : 2);
          if (near) owner[y * w + x] = o;
        }
      if (near) continue;
      owner[y * w + x] = static_cast<int>(c.size());
      c.push_back({x, y, cn == 1 ? 1 : 2, 0});
    }

  for (size_t i = 0; i < c.size(); i++) {
    Candidate& m = c[i];
    std::vector<int> br = branches(s, w, m.x, m.y);
    std::vector<Trace> tr;
    for (int b : br) tr.push_back(follow(s, owner, w, h, static_cast<int>(i), m.x, m.y, b));
    float dx = 0, dy = 0;
    if (m.type == 1) {
      if (tr.size() != 1) { m.dropped = true; continue; }
      // A ridge that ends again within the trace is a fragment; one that meets a junction is a spur.
      if (tr[0].hit >= 0) { m.dropped = true; c[tr[0].hit].dropped = true; continue; }
      if (tr[0].steps < kTraceSteps / 2) { m.dropped = true; continue; }
      dx = tr[0].dx; dy = tr[0].dy;
    } else {
      if (tr.size() != 3) { m.dropped = true; continue; }
      bool artefact = false;
      for (auto& t : tr) if (t.hit >= 0) { artefact = true; c[t.hit].dropped = true; }
      if (artefact) { m.dropped = true; continue; }
      // The two branches closest in direction form the fork; its direction is their mean.
      float best = -2; int a = 0, b = 1;
      for (int p = 0; p < 3; p++)
        for (int q = p + 1; q < 3; q++) {
          float np = std::hypot(tr[p].dx, tr[p].dy), nq = std::hypot(tr[q].dx, tr[q].dy);
          float d = (tr[p].dx * tr[q].dx + tr[p].dy * tr[q].dy) / std::max(1e-3f, np * nq);
          if (d > best) { best = d; a = p; b = q; }
        }
      int k = 3 - a - b;
      dx = tr[a].dx + tr[b].dx - tr[k].dx; dy = tr[a].dy + tr[b].dy - tr[k].dy;
    }
    // The ridge direction from the orientation field, turned to agree with the traced one.
    float along = f.normalAt(static_cast<float>(m.x), static_cast<float>(m.y)) + kPi / 2;
    float tx = std::cos(along), ty = std::sin(along);
    if (tx * dx + ty * dy < 0) { tx = -tx; ty = -ty; }
    // Image y points down; the standards measure counter-clockwise with y up.
    float a = std::atan2(-ty, tx);
    m.angle = a < 0 ? a + 2 * kPi : a;
  }

  // Points close together are breaks, bridges or noise: drop both.
  for (size_t i = 0; i < c.size(); i++)
    for (size_t j = i + 1; j < c.size(); j++) {
      float d = std::hypot(static_cast<float>(c[i].x - c[j].x), static_cast<float>(c[i].y - c[j].y));
      if (d < kPairDistance) { c[i].dropped = true; c[j].dropped = true; }
    }

  std::vector<Minutia> out;
  for (const Candidate& m : c) {
    if (m.dropped) continue;
    int bx = m.x / kBlock, by = m.y / kBlock;
    bool inside = true;
    for (int dy = -kBorderBlocks; dy <= kBorderBlocks && inside; dy++)
      for (int dx = -kBorderBlocks; dx <= kBorderBlocks && inside; dx++) {
        int x = bx + dx, y = by + dy;
        inside = x >= 0 && y >= 0 && x < f.bw && y < f.bh && f.mask[y * f.bw + x];
      }
    if (!inside) continue;
    float coh = f.coherence[by * f.bw + bx];
    int q = static_cast<int>(std::lround(100 * std::min(1.f, coh / 0.7f)));
    out.push_back({static_cast<float>(m.x), static_cast<float>(m.y), m.angle, m.type, std::max(1, q)});
  }
  if (static_cast<int>(out.size()) > kMaxMinutiae) {
    std::stable_sort(out.begin(), out.end(), [](const Minutia& a, const Minutia& b) { return a.quality > b.quality; });
    out.resize(kMaxMinutiae);
  }
  return out;
}

}  // namespace fx
