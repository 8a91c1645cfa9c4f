// Seeded synthetic minutiae and the perturbations a second capture of the same finger goes through:
// rotation, translation, smooth non-linear skin distortion, jitter, missing and spurious minutiae.
import type { FingerMinutiae, Minutia } from '../../src/finger/types.ts';

export type Rng = () => number;

/** mulberry32: small, fast, good enough for test fixtures. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TWO_PI = 2 * Math.PI;
const wrap = (a: number) => ((a % TWO_PI) + TWO_PI) % TWO_PI;

/**
 * A plausible finger: minutiae at least 12 px apart inside an ellipse, directions following a smooth
 * orientation field (ridges flow, they do not point anywhere) with a random sense per minutia.
 */
export function syntheticFinger(r: Rng, count = 40, width = 300, height = 400): FingerMinutiae {
  const cx = width / 2, cy = height / 2, ax = width * 0.42, ay = height * 0.42;
  const f1 = 0.004 + r() * 0.006, f2 = 0.004 + r() * 0.006, p1 = r() * TWO_PI, p2 = r() * TWO_PI, base = r() * Math.PI;
  const minutiae: Minutia[] = [];
  for (let tries = 0; minutiae.length < count && tries < count * 200; tries++) {
    const x = cx + (r() * 2 - 1) * ax, y = cy + (r() * 2 - 1) * ay;
    if (((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 > 1) continue;
    if (minutiae.some((m) => Math.hypot(m.x - x, m.y - y) < 12)) continue;
    const orientation = base + 1.2 * Math.sin(f1 * x + p1) + 1.2 * Math.cos(f2 * y + p2);
    minutiae.push({ x, y, angle: wrap(orientation + (r() < 0.5 ? 0 : Math.PI)), type: r() < 0.5 ? 'ending' : 'bifurcation', quality: 60 });
  }
  return { position: 0, width, height, minutiae };
}

export interface Perturbation {
  maxRotationDeg: number;
  maxTranslation: number;
  /** Amplitude in pixels of the smooth displacement field. */
  distortion: number;
  dropout: number;
  /** Spurious minutiae added, as a share of the original count. */
  spurious: number;
  jitterPx: number;
  jitterDeg: number;
}

export const SECOND_CAPTURE: Perturbation = {
  maxRotationDeg: 40, maxTranslation: 60, distortion: 8, dropout: 0.2, spurious: 0.2, jitterPx: 2, jitterDeg: 6,
};

/** The same finger captured again: rotation about the centre, translation, distortion, drop-out, spurious minutiae. */
export function perturb(f: FingerMinutiae, r: Rng, p: Perturbation = SECOND_CAPTURE): FingerMinutiae {
  const cx = f.width / 2, cy = f.height / 2;
  const rot = ((r() * 2 - 1) * p.maxRotationDeg * Math.PI) / 180;
  const tx = (r() * 2 - 1) * p.maxTranslation, ty = (r() * 2 - 1) * p.maxTranslation;
  const k1 = 0.01 + r() * 0.01, k2 = 0.01 + r() * 0.01, ph1 = r() * TWO_PI, ph2 = r() * TWO_PI;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(TWO_PI * r());
  const move = (x: number, y: number) => {
    // Smooth displacement first (skin stretching), then the rigid placement.
    const dx = p.distortion * Math.sin(k1 * y + ph1), dy = p.distortion * Math.sin(k2 * x + ph2);
    const ux = x + dx - cx, uy = y + dy - cy;
    // Rotation counter-clockwise on screen (y down), matching counter-clockwise minutia angles.
    return { x: cx + ux * Math.cos(rot) + uy * Math.sin(rot) + tx, y: cy - ux * Math.sin(rot) + uy * Math.cos(rot) + ty };
  };
  const out: Minutia[] = [];
  for (const m of f.minutiae) {
    if (r() < p.dropout) continue;
    const q = move(m.x, m.y);
    // Direction after distortion: move a point a little along the minutia and measure where it went.
    const ahead = move(m.x + 3 * Math.cos(m.angle), m.y - 3 * Math.sin(m.angle));
    const angle = Math.atan2(-(ahead.y - q.y), ahead.x - q.x);
    out.push({
      ...m, x: q.x + gauss() * p.jitterPx, y: q.y + gauss() * p.jitterPx,
      angle: wrap(angle + (gauss() * p.jitterDeg * Math.PI) / 180),
    });
  }
  const extra = Math.round(f.minutiae.length * p.spurious);
  for (let i = 0; i < extra; i++) {
    const q = move(r() * f.width, r() * f.height);
    out.push({ x: q.x, y: q.y, angle: r() * TWO_PI, type: 'other', quality: 20 });
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return { ...f, minutiae: out };
}
