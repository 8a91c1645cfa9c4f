// The ridge pattern of a master finger drawn as evenly spaced integral curves of its orientation field (Jobard &
// Lefer's streamline placement, with the local ridge period as the spacing), and the minutiae that pattern has:
// a ridge ends where neighbouring ridges converge and leave no room (or, by chance, where a ridge breaks),
// and a new ridge starts where they diverge. Each such end is a minutia: a ridge ending, or a bifurcation when
// the end touches its neighbour. Drawing curves instead of a raster ridge image (SFinGe's Gabor growth) keeps a
// finger at a few milliseconds, so a million distinct fingers fit in minutes; the minutiae come from the ridges
// all the same.
import type { Minutia } from '../../../src/finger/types.ts';
import type { Rng } from '../finger-synthetic.ts';
import { insideDepth, MASTER_HEIGHT, MASTER_WIDTH, orientationAt, periodAt, type Master } from './master.ts';

/** Tuned against the FVC2004 templates' minutiae counts and spacing (bench/results/finger-synthetic.md). */
export const RIDGES = {
  step: 2,            // tracing step, px
  seedSpacing: 1.0,   // a new ridge needs this many periods of room to start ...
  stopSpacing: 0.5,   // ... and stops when it comes closer than this many periods to another
  meanRun: 400,       // mean length between chance breaks, px (times the finger's own factor, below)
  runSpread: [0.6, 1.7],  // fingers differ in how many minutiae they have
  minLength: 14,      // shorter ridge pieces (dots) are not drawn
  borderMargin: 10,   // ends this close to the silhouette's edge are the print's edge, not minutiae
  bifurcationShare: 0.42,  // ends that join their neighbour (FVC2004 templates: 35 to 51 % bifurcations)
  minMinutiaGap: 11,  // two ends closer than this are one event (extractors merge or drop such pairs)
};

const CELL = 12;
const GW = Math.ceil(MASTER_WIDTH / CELL) + 1, GH = Math.ceil(MASTER_HEIGHT / CELL) + 1;
const MAX_POINTS = 40_000;

/** Ridge points in a uniform grid of linked lists (typed arrays: a finger is drawn in a few milliseconds). */
class PointGrid {
  readonly head = new Int32Array(GW * GH).fill(-1);
  readonly next = new Int32Array(MAX_POINTS);
  readonly xs = new Float32Array(MAX_POINTS);
  readonly ys = new Float32Array(MAX_POINTS);
  readonly line = new Int32Array(MAX_POINTS);
  readonly at = new Int32Array(MAX_POINTS);
  n = 0;
  add(x: number, y: number, line: number, at: number): boolean {
    if (this.n >= MAX_POINTS) return false;
    const c = Math.max(0, Math.min(GW - 1, Math.floor(x / CELL))) + GW * Math.max(0, Math.min(GH - 1, Math.floor(y / CELL)));
    const i = this.n++;
    this.xs[i] = x; this.ys[i] = y; this.line[i] = line; this.at[i] = at;
    this.next[i] = this.head[c]; this.head[c] = i;
    return true;
  }
  /** Whether any point, other than the given line's own ones fewer than ownGap steps away, lies within d. */
  near(x: number, y: number, d: number, line = -1, at = 0, ownGap = 0): boolean {
    const reach = Math.ceil(d / CELL), d2 = d * d;
    const x0 = Math.max(0, Math.floor(x / CELL) - reach), x1 = Math.min(GW - 1, Math.floor(x / CELL) + reach);
    const y0 = Math.max(0, Math.floor(y / CELL) - reach), y1 = Math.min(GH - 1, Math.floor(y / CELL) + reach);
    for (let gy = y0; gy <= y1; gy++) {
      for (let gx = x0; gx <= x1; gx++) {
        for (let i = this.head[gx + GW * gy]; i >= 0; i = this.next[i]) {
          const dx = this.xs[i] - x, dy = this.ys[i] - y;
          if (dx * dx + dy * dy >= d2) continue;
          if (this.line[i] === line && Math.abs(this.at[i] - at) < ownGap) continue;
          return true;
        }
      }
    }
    return false;
  }
}

type EndKind = 'border' | 'converge' | 'break' | 'length';
interface Half { pts: { x: number; y: number }[]; end: EndKind }

/** Traces from (x, y) along +dir until something stops the ridge. */
function traceHalf(m: Master, grid: PointGrid, r: Rng, x: number, y: number, dx: number, dy: number, line: number, sign: number, breakRate: number): Half {
  const pts: { x: number; y: number }[] = [];
  const { step } = RIDGES;
  for (let i = 1; i < 600; i++) {
    // Midpoint (RK2) step along the field, keeping the sense of travel.
    let a = orientationAt(m, x, y), ux = Math.cos(a), uy = -Math.sin(a);
    if (ux * dx + uy * dy < 0) { ux = -ux; uy = -uy; }
    const mx = x + (ux * step) / 2, my = y + (uy * step) / 2;
    a = orientationAt(m, mx, my);
    let vx = Math.cos(a), vy = -Math.sin(a);
    if (vx * ux + vy * uy < 0) { vx = -vx; vy = -vy; }
    // A sharp turn is a singular point: the ridge cannot go on through it.
    if (vx * dx + vy * dy < 0.7) return { pts, end: 'converge' };
    x += vx * step; y += vy * step; dx = vx; dy = vy;
    if (insideDepth(m, x, y) < 0) return { pts, end: 'border' };
    const T = periodAt(m, x, y);
    if (grid.near(x, y, RIDGES.stopSpacing * T, line, sign * i, (3 * T) / step)) return { pts, end: 'converge' };
    if (r() < breakRate) return { pts, end: 'break' };
    pts.push({ x, y });
    if (!grid.add(x, y, line, sign * i)) return { pts, end: 'length' };
  }
  return { pts, end: 'length' };
}

export interface MasterMinutiae {
  minutiae: Minutia[];
  /** Ridge polylines, for drawing the pattern (kept only when asked). */
  ridges?: { x: number; y: number }[][];
}

export function traceRidges(m: Master, r: Rng, keepRidges = false): MasterMinutiae {
  const grid = new PointGrid();
  const seeds: number[] = [m.cx, m.cy];
  const minutiae: Minutia[] = [];
  const ridges: { x: number; y: number }[][] = [];
  let line = 0;
  const [lo, hi] = RIDGES.runSpread;
  const breakRate = RIDGES.step / (RIDGES.meanRun * (lo + r() * (hi - lo)));
  const end = (p: { x: number; y: number }, from: { x: number; y: number }, kind: EndKind) => {
    if (kind === 'border' || kind === 'length' || insideDepth(m, p.x, p.y) < RIDGES.borderMargin) return;
    // Direction: from the end into the ridge (the same convention for endings and bifurcations).
    const angle = Math.atan2(-(from.y - p.y), from.x - p.x);
    const type = r() < RIDGES.bifurcationShare ? 'bifurcation' : 'ending';
    minutiae.push({ x: p.x, y: p.y, angle: angle < 0 ? angle + 2 * Math.PI : angle, type, quality: 0 });
  };
  // Seeds fill the print from the centre outwards; a sweep of the frame afterwards catches any region left over.
  let sweep = false;
  for (let s = 0; ; s++) {
    if (2 * s >= seeds.length) {
      if (sweep) break;
      sweep = true;
      for (let y = 6; y < MASTER_HEIGHT; y += 9) for (let x = 6; x < MASTER_WIDTH; x += 9) seeds.push(x, y);
    }
    const x = seeds[2 * s], y = seeds[2 * s + 1];
    if (insideDepth(m, x, y) < 2) continue;
    const T = periodAt(m, x, y);
    if (grid.near(x, y, RIDGES.seedSpacing * T)) continue;
    const a = orientationAt(m, x, y), ux = Math.cos(a), uy = -Math.sin(a);
    grid.add(x, y, line, 0);
    const fwd = traceHalf(m, grid, r, x, y, ux, uy, line, 1, breakRate);
    const back = traceHalf(m, grid, r, x, y, -ux, -uy, line, -1, breakRate);
    const pts = [...back.pts.reverse(), { x, y }, ...fwd.pts];
    line++;
    // Dots stay in the grid (they take their room) but carry no minutiae.
    if (pts.length * RIDGES.step < RIDGES.minLength) continue;
    end(pts[0], pts[Math.min(pts.length - 1, 3)], back.end);
    end(pts[pts.length - 1], pts[Math.max(0, pts.length - 4)], fwd.end);
    if (keepRidges) ridges.push(pts);
    // Seeds one period to each side of every few points of the new ridge.
    for (let i = 0; i < pts.length; i += 3) {
      const p = pts[i], q = pts[Math.min(pts.length - 1, i + 1)], o = pts[Math.max(0, i - 1)];
      const tx = q.x - o.x, ty = q.y - o.y, len = Math.hypot(tx, ty) || 1, d = RIDGES.seedSpacing * periodAt(m, p.x, p.y) * 1.02;
      seeds.push(p.x - (ty / len) * d, p.y + (tx / len) * d, p.x + (ty / len) * d, p.y - (tx / len) * d);
    }
  }
  // Two ends at one spot (a ridge stopping right where another starts) are one event.
  const kept: Minutia[] = [];
  for (const mi of minutiae) {
    if (!kept.some((k) => Math.hypot(k.x - mi.x, k.y - mi.y) < RIDGES.minMinutiaGap)) kept.push(mi);
  }
  return { minutiae: kept, ...(keepRidges ? { ridges } : {}) };
}
