// A synthetic finger's master pattern, SFinGe-style (Cappelli, Maio & Maltoni): a fingerprint class drawn with its
// natural frequency, singular points placed for that class, the orientation field of the zero-pole model
// (Sherlock & Monro 1993), a smooth ridge-period field, and the fingertip's silhouette. Coordinates are 500 ppi
// pixels, x right, y down; angles are radians counter-clockwise from the x axis (y up), as Minutia.angle.
import type { Rng } from '../finger-synthetic.ts';

export type FingerClass = 'arch' | 'tented-arch' | 'left-loop' | 'right-loop' | 'whorl';

/** Natural class frequencies used by SFinGe (after Wilson et al. 1994). */
const CLASS_FREQUENCY: [FingerClass, number][] = [
  ['arch', 0.037], ['tented-arch', 0.029], ['left-loop', 0.338], ['right-loop', 0.317], ['whorl', 0.279],
];

/** The master frame: larger than a 300 x 400 capture so that impressions can be placed partly off-centre. */
export const MASTER_WIDTH = 360, MASTER_HEIGHT = 470;
/** Orientation and period are sampled on this grid (px) and interpolated. */
const GRID = 6;

export interface Master {
  cls: FingerClass;
  cores: { x: number; y: number }[];
  deltas: { x: number; y: number }[];
  /** Fingertip silhouette: an ellipse on top of a rounded rectangle, centred at (cx, cy). */
  cx: number; cy: number; halfWidth: number; halfHeight: number;
  /** Doubled-angle orientation (cos 2φ, sin 2φ) and ridge period on the grid. */
  cos2: Float32Array; sin2: Float32Array; period: Float32Array;
  gw: number; gh: number;
}

function pickClass(r: Rng): FingerClass {
  let u = r();
  for (const [c, p] of CLASS_FREQUENCY) { if ((u -= p) < 0) return c; }
  return 'whorl';
}

const between = (r: Rng, lo: number, hi: number) => lo + r() * (hi - lo);

function singularPoints(cls: FingerClass, r: Rng, cx: number, cy: number) {
  const core = { x: cx + between(r, -25, 25), y: cy - between(r, 10, 70) };
  switch (cls) {
    case 'arch': return { cores: [], deltas: [] };
    case 'tented-arch': return { cores: [core], deltas: [{ x: core.x + between(r, -8, 8), y: core.y + between(r, 50, 90) }] };
    case 'left-loop':
    case 'right-loop': {
      const side = cls === 'left-loop' ? 1 : -1;  // the delta lies opposite the side the loop opens to
      return { cores: [core], deltas: [{ x: core.x + side * between(r, 60, 120), y: core.y + between(r, 90, 170) }] };
    }
    case 'whorl': {
      const tilt = between(r, -15, 15), gap = between(r, 14, 40);
      return {
        cores: [{ x: core.x + tilt, y: core.y - gap / 2 }, { x: core.x - tilt, y: core.y + gap / 2 }],
        deltas: [{ x: core.x - between(r, 80, 130), y: core.y + between(r, 100, 170) },
          { x: core.x + between(r, 80, 130), y: core.y + between(r, 100, 170) }],
      };
    }
  }
}

export function makeMaster(r: Rng): Master {
  const cls = pickClass(r);
  const cx = MASTER_WIDTH / 2 + between(r, -10, 10), cy = MASTER_HEIGHT / 2 + between(r, -10, 10);
  const { cores, deltas } = singularPoints(cls, r, cx, cy);
  const gw = Math.ceil(MASTER_WIDTH / GRID) + 1, gh = Math.ceil(MASTER_HEIGHT / GRID) + 1;
  const cos2 = new Float32Array(gw * gh), sin2 = new Float32Array(gw * gh), period = new Float32Array(gw * gh);
  // Zero-pole model: φ = φ0 + ½ Σ arg(z - delta) - ½ Σ arg(z - core), z in y-up coordinates; plus a weak smooth
  // random term (individuality between fingers of one class) and, for arches, a ridge hill without singular points.
  const phi0 = between(r, -0.12, 0.12);
  const wobble = [0, 1, 2].map(() => ({ a: between(r, 0, 0.12), kx: between(r, 0.004, 0.014), ky: between(r, 0.004, 0.014), p: between(r, 0, 2 * Math.PI) }));
  const archHeight = between(r, 0.35, 0.8), archWidth = between(r, 50, 110), archY = cy + between(r, -60, 30);
  const period0 = between(r, 8.2, 10.2);
  const topCore = cores.length ? Math.min(...cores.map((c) => c.y)) : cy - 60;
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const x = gx * GRID, y = gy * GRID;
      let phi = phi0;
      for (const d of deltas) phi -= 0.5 * Math.atan2(-(y - d.y), x - d.x);
      for (const c of cores) phi += 0.5 * Math.atan2(-(y - c.y), x - c.x);
      if (cls === 'arch') phi += archHeight * Math.tanh((cx - x) / archWidth) * Math.exp(-(((y - archY) / 140) ** 2));
      for (const w of wobble) phi += w.a * Math.sin(w.kx * x + w.ky * y + w.p);
      const i = gy * gw + gx;
      cos2[i] = Math.cos(2 * phi); sin2[i] = Math.sin(2 * phi);
      // Ridges are wider apart above the (upper) core and closer near the base of the finger (SFinGe's frequency map).
      const above = Math.max(0, Math.min(1, (topCore - y) / 120));
      const below = Math.max(0, Math.min(1, (y - (cy + 120)) / 120));
      period[i] = period0 * (1 + 0.1 * above - 0.08 * below + 0.04 * Math.sin(wobble[0].kx * 2 * y + wobble[1].p));
    }
  }
  return { cls, cores, deltas, cx, cy, halfWidth: between(r, 125, 160), halfHeight: between(r, 175, 215), cos2, sin2, period, gw, gh };
}

function bilinear(m: Master, a: Float32Array, x: number, y: number): number {
  const fx = Math.max(0, Math.min(m.gw - 1.001, x / GRID)), fy = Math.max(0, Math.min(m.gh - 1.001, y / GRID));
  const ix = fx | 0, iy = fy | 0, tx = fx - ix, ty = fy - iy, i = iy * m.gw + ix;
  return (a[i] * (1 - tx) + a[i + 1] * tx) * (1 - ty) + (a[i + m.gw] * (1 - tx) + a[i + m.gw + 1] * tx) * ty;
}

/** Ridge orientation at (x, y) in [0, π): interpolated on the doubled angle so that φ and φ + π agree. */
export function orientationAt(m: Master, x: number, y: number): number {
  const a = 0.5 * Math.atan2(bilinear(m, m.sin2, x, y), bilinear(m, m.cos2, x, y));
  return a < 0 ? a + Math.PI : a;
}

export const periodAt = (m: Master, x: number, y: number): number => bilinear(m, m.period, x, y);

/** Signed distance inside the silhouette, px (positive inside): an upper half-ellipse over a rectangle. */
export function insideDepth(m: Master, x: number, y: number): number {
  const dx = Math.abs(x - m.cx), dy = y - m.cy;
  const side = m.halfWidth - dx, bottom = m.cy + m.halfHeight - y;
  if (dy >= 0) return Math.min(side, bottom, y, MASTER_HEIGHT - y);
  const e = Math.hypot(dx / m.halfWidth, dy / m.halfHeight);
  return Math.min((1 - e) * Math.min(m.halfWidth, m.halfHeight), side);
}
