// Descriptive statistics of a set of minutiae templates, to set synthetic fingers beside real ones.
import type { FingerMinutiae } from '../../src/finger/types.ts';

export interface MinutiaeStats {
  templates: number;
  count: { p10: number; median: number; p90: number; mean: number };
  /** Minutiae per 10,000 px² of their own convex hull (500 ppi). */
  densityPer10kPx2: number;
  endingShare: number;
  bifurcationShare: number;
  /** Distance to the nearest other minutia, px. */
  nearestNeighbourPx: { p10: number; median: number };
  /** Share of nearest-neighbour pairs whose directions differ by < 30° or > 150° (ridges flow: mostly one or the other). */
  neighbourFlowAligned: number;
  /** Mean hull area, px². */
  hullAreaPx2: number;
}

export function quantile(v: readonly number[], q: number): number {
  if (!v.length) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function hullArea(pts: { x: number; y: number }[]): number {
  if (pts.length < 3) return 0;
  const p = [...pts].sort((a, b) => a.x - b.x || a.y - b.y);
  const cross = (o: typeof p[0], a: typeof p[0], b: typeof p[0]) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: typeof p = [], upper: typeof p = [];
  for (const q of p) { while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop(); lower.push(q); }
  for (const q of [...p].reverse()) { while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop(); upper.push(q); }
  const h = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  let a = 0;
  for (let i = 0; i < h.length; i++) { const j = (i + 1) % h.length; a += h[i].x * h[j].y - h[j].x * h[i].y; }
  return Math.abs(a) / 2;
}

export function minutiaeStats(fingers: readonly FingerMinutiae[]): MinutiaeStats {
  const counts = fingers.map((f) => f.minutiae.length);
  let endings = 0, bifurcations = 0, all = 0, areaSum = 0, densitySum = 0, densityN = 0, aligned = 0, pairs = 0;
  const nn: number[] = [];
  for (const f of fingers) {
    const ms = f.minutiae;
    const area = hullArea(ms);
    areaSum += area;
    if (area > 0) { densitySum += (ms.length / area) * 1e4; densityN++; }
    for (const [i, m] of ms.entries()) {
      all++;
      if (m.type === 'ending') endings++; else if (m.type === 'bifurcation') bifurcations++;
      let best = Infinity, bj = -1;
      for (const [j, o] of ms.entries()) {
        if (j === i) continue;
        const d = Math.hypot(o.x - m.x, o.y - m.y);
        if (d < best) { best = d; bj = j; }
      }
      if (bj < 0) continue;
      nn.push(best);
      let da = Math.abs(m.angle - ms[bj].angle) % (2 * Math.PI);
      if (da > Math.PI) da = 2 * Math.PI - da;
      pairs++;
      if (da < Math.PI / 6 || da > (5 * Math.PI) / 6) aligned++;
    }
  }
  const mean = counts.reduce((s, c) => s + c, 0) / Math.max(1, counts.length);
  return {
    templates: fingers.length,
    count: { p10: quantile(counts, 0.1), median: quantile(counts, 0.5), p90: quantile(counts, 0.9), mean: +mean.toFixed(1) },
    densityPer10kPx2: +(densitySum / Math.max(1, densityN)).toFixed(2),
    endingShare: +(endings / Math.max(1, all)).toFixed(3),
    bifurcationShare: +(bifurcations / Math.max(1, all)).toFixed(3),
    nearestNeighbourPx: { p10: +quantile(nn, 0.1).toFixed(1), median: +quantile(nn, 0.5).toFixed(1) },
    neighbourFlowAligned: +(aligned / Math.max(1, pairs)).toFixed(3),
    hullAreaPx2: Math.round(areaSum / Math.max(1, fingers.length)),
  };
}
