// One capture of a master finger: where the finger touched the sensor (partial area), how it was placed
// (rotation, translation), how the skin stretched (Cappelli, Maio & Maltoni's 2001 plastic distortion model: a
// rigid contact core, a transition ring, an outer region dragged by a small rotation and shift), and what the
// extractor made of it (quality, missing and spurious minutiae, position and direction noise).
import type { FingerMinutiae, Minutia } from '../../../src/finger/types.ts';
import type { Rng } from '../finger-synthetic.ts';
import { orientationAt, type Master } from './master.ts';

/** The capture window, as the FVC2004 templates give it (300 x 400 pixels). */
export const IMPRESSION_WIDTH = 300, IMPRESSION_HEIGHT = 400;

/** Tuned so that synthetic genuine scores sit near FVC2004's (bench/results/finger-synthetic.md). */
export const CAPTURE = {
  placementSd: 22, maxPlacement: 50,       // px, the finger's centre against the window's
  rotationSdDeg: 10, maxRotationDeg: 30,
  contactMin: 0.78, contactMax: 1.1,        // contact ellipse semi-axes as a share of the silhouette's
  rigidRadius: [45, 90], transition: [70, 150],  // distortion model radii, px
  dragSdDeg: 3, dragSdPx: 5,               // rotation and shift of the outer region
  dropout: 0.06, dropoutPoor: 0.3,         // minutiae lost at quality 1 and extra at quality 0
  edgeBand: 18, edgeDropout: 0.35,         // near the contact edge extraction is unreliable
  spuriousMean: 2, spuriousPoor: 9,        // spurious minutiae per capture at quality 1, extra at 0
  jitterPx: 1.2, jitterPxPoor: 2.5, jitterDeg: 4, jitterDegPoor: 9,
  blobs: 3, blobRadius: [25, 60],          // poor-quality patches (dry / wet skin, smudges), up to this many
};

const TWO_PI = 2 * Math.PI;
const wrap = (a: number) => ((a % TWO_PI) + TWO_PI) % TWO_PI;
const between = (r: Rng, [lo, hi]: number[]) => lo + r() * (hi - lo);

function gaussian(r: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(TWO_PI * r());
}

const clampAbs = (v: number, max: number) => Math.max(-max, Math.min(max, v));

export interface Impression {
  finger: FingerMinutiae;
  /** Capture quality 0..1 (1 = clean). */
  quality: number;
}

/** A capture of `master` (its minutiae as traced) with the capture's own randomness r. */
export function impress(master: Master, masterMinutiae: readonly Minutia[], r: Rng, position = 0): Impression {
  const c = CAPTURE;
  const quality = 0.25 + 0.75 * Math.sqrt(r());
  const px = master.cx + clampAbs(gaussian(r) * c.placementSd, c.maxPlacement);
  const py = master.cy + clampAbs(gaussian(r) * c.placementSd, c.maxPlacement);
  const rot = (clampAbs(gaussian(r) * c.rotationSdDeg, c.maxRotationDeg) * Math.PI) / 180;
  // Contact area: an ellipse around a point near the placement centre.
  const ex = px + gaussian(r) * 10, ey = py + gaussian(r) * 15;
  const ax = master.halfWidth * between(r, [c.contactMin, c.contactMax]), ay = master.halfHeight * between(r, [c.contactMin, c.contactMax]);
  const contactDepth = (x: number, y: number) => (1 - Math.hypot((x - ex) / ax, (y - ey) / ay)) * Math.min(ax, ay);
  // Plastic distortion: points beyond the rigid radius follow the drag, fully once past the transition ring.
  const rigid = between(r, c.rigidRadius), ring = between(r, c.transition);
  const dragA = (gaussian(r) * c.dragSdDeg * Math.PI) / 180, dragX = gaussian(r) * c.dragSdPx, dragY = gaussian(r) * c.dragSdPx;
  const distort = (x: number, y: number) => {
    const d = Math.hypot(x - ex, y - ey) - rigid;
    if (d <= 0) return { x, y };
    const w = d >= ring ? 1 : 0.5 * (1 - Math.cos((Math.PI * d) / ring));
    const ux = x - ex, uy = y - ey;
    const tx = ex + ux * Math.cos(dragA) + uy * Math.sin(dragA) + dragX, ty = ey - ux * Math.sin(dragA) + uy * Math.cos(dragA) + dragY;
    return { x: x + w * (tx - x), y: y + w * (ty - y) };
  };
  // Placement in the window: the placement centre goes to the window's centre, turned by rot (counter-clockwise).
  const place = (x: number, y: number) => {
    const ux = x - px, uy = y - py;
    return { x: IMPRESSION_WIDTH / 2 + ux * Math.cos(rot) + uy * Math.sin(rot), y: IMPRESSION_HEIGHT / 2 - ux * Math.sin(rot) + uy * Math.cos(rot) };
  };
  const map = (x: number, y: number) => { const d = distort(x, y); return place(d.x, d.y); };
  const inWindow = (q: { x: number; y: number }) => q.x >= 0 && q.y >= 0 && q.x < IMPRESSION_WIDTH && q.y < IMPRESSION_HEIGHT;
  const blobs = Array.from({ length: Math.floor(r() * (c.blobs + 1) * (1.2 - quality)) }, () => ({
    x: ex + (r() * 2 - 1) * ax, y: ey + (r() * 2 - 1) * ay, radius: between(r, c.blobRadius),
  }));
  const localQuality = (x: number, y: number) => blobs.some((b) => Math.hypot(x - b.x, y - b.y) < b.radius) ? quality * 0.3 : quality;

  const out: Minutia[] = [];
  for (const m of masterMinutiae) {
    const depth = contactDepth(m.x, m.y);
    if (depth < 0) continue;
    const q = localQuality(m.x, m.y);
    const lose = c.dropout + c.dropoutPoor * (1 - q) + (depth < c.edgeBand ? c.edgeDropout : 0);
    if (r() < lose) continue;
    const p = map(m.x, m.y);
    if (!inWindow(p)) continue;
    // Direction after distortion and placement: where a point a little along the minutia went.
    const ahead = map(m.x + 4 * Math.cos(m.angle), m.y - 4 * Math.sin(m.angle));
    const sdPx = c.jitterPx + c.jitterPxPoor * (1 - q), sdA = ((c.jitterDeg + c.jitterDegPoor * (1 - q)) * Math.PI) / 180;
    // Extractors confuse endings and bifurcations where ridges are unclear.
    const type = r() < 0.25 * (1 - q) ? (m.type === 'ending' ? 'bifurcation' : 'ending') : m.type;
    out.push({
      x: p.x + gaussian(r) * sdPx, y: p.y + gaussian(r) * sdPx,
      angle: wrap(Math.atan2(-(ahead.y - p.y), ahead.x - p.x) + gaussian(r) * sdA), type, quality: Math.round(100 * q),
    });
  }
  // Spurious minutiae: in poor patches and along the contact edge, roughly along the ridge flow.
  const spurious = Math.round((c.spuriousMean + c.spuriousPoor * (1 - quality)) * (0.5 + r()));
  for (let i = 0, tries = 0; i < spurious && tries < 50 * spurious; tries++) {
    const b = blobs.length && r() < 0.5 ? blobs[Math.floor(r() * blobs.length)] : undefined;
    const t = r() * TWO_PI, rad = b ? b.radius * Math.sqrt(r()) : 1 - r() * 0.15;
    const x = b ? b.x + rad * Math.cos(t) : ex + ax * rad * Math.cos(t), y = b ? b.y + rad * Math.sin(t) : ey + ay * rad * Math.sin(t);
    if (contactDepth(x, y) < 0) continue;
    const p = map(x, y);
    if (!inWindow(p)) continue;
    const flow = orientationAt(master, x, y) + (r() < 0.5 ? 0 : Math.PI) + rot;
    out.push({ x: p.x, y: p.y, angle: wrap(flow + gaussian(r) * 0.3), type: r() < 0.5 ? 'ending' : 'bifurcation', quality: Math.round(30 * quality) });
    i++;
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return { finger: { position, width: IMPRESSION_WIDTH, height: IMPRESSION_HEIGHT, minutiae: out }, quality };
}
