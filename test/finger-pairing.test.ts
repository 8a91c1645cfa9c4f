// The matcher's pairing (what an examiner's comparison view draws): the same score as compare, the pairs are the
// true correspondences of a second capture, and the transform lays one finger onto the other.
import { describe, expect, it } from 'vitest';
import { compareFingers, encodeFinger, fingerPairing, templateMinutiae } from '../src/finger/matcher.ts';
import type { FingerMinutiae } from '../src/finger/types.ts';
import { perturb, rng, syntheticFinger } from '../bench/lib/finger-synthetic.ts';

const r = rng(20261202);
const fingers = Array.from({ length: 8 }, () => syntheticFinger(r, 35 + Math.floor(r() * 15)));
/** A second capture that keeps the order (minutia i of the copy is minutia i of the original): turned by 25°
 *  about the centre (counter-clockwise on screen, y down), moved, positions and directions jittered. */
function recaptured(f: FingerMinutiae): FingerMinutiae {
  const rot = (25 * Math.PI) / 180, cx = f.width / 2, cy = f.height / 2;
  const jitter = () => (r() * 2 - 1) * 2;
  return {
    ...f,
    minutiae: f.minutiae.map((m) => {
      const ux = m.x - cx, uy = m.y - cy;
      return { ...m, x: cx + ux * Math.cos(rot) + uy * Math.sin(rot) + 30 + jitter(), y: cy - ux * Math.sin(rot) + uy * Math.cos(rot) - 20 + jitter(),
        angle: (m.angle + rot + 2 * Math.PI + jitter() * 0.03) % (2 * Math.PI) };
    }),
  };
}

describe('fingerPairing', () => {
  it('scores exactly as compareFingers, in both orders, and the pairs flip with the sides', () => {
    for (const f of fingers) {
      const a = encodeFinger(f), b = encodeFinger(perturb(f, r));
      const ab = fingerPairing(a, b), ba = fingerPairing(b, a);
      expect(ab.raw).toBe(compareFingers(a, b));
      expect(ba.raw).toBe(ab.raw);
      expect(ba.pairs.map(([i, j]) => `${j}:${i}`).sort()).toEqual(ab.pairs.map(([i, j]) => `${i}:${j}`).sort());
    }
  });

  it('pairs a second capture minutia to its own counterpart, one to one, and the transform lays them together', () => {
    for (const f of fingers) {
      const g = recaptured(f);
      const p = fingerPairing(encodeFinger(f), encodeFinger(g));
      expect(p.pairs.length).toBeGreaterThan(0.6 * f.minutiae.length);
      const right = p.pairs.filter(([i, j]) => i === j).length;
      expect(right / p.pairs.length).toBeGreaterThan(0.9);
      expect(new Set(p.pairs.map(([i]) => i)).size).toBe(p.pairs.length);
      expect(new Set(p.pairs.map(([, j]) => j)).size).toBe(p.pairs.length);
      const a = templateMinutiae(encodeFinger(f)).minutiae, b = templateMinutiae(encodeFinger(g)).minutiae;
      const { rotation, tx, ty } = p.transform;
      const c = Math.cos(rotation), s = Math.sin(rotation);
      const d = p.pairs.map(([i, j]) => Math.hypot(c * a[i].x - s * a[i].y + tx - b[j].x, s * a[i].x + c * a[i].y + ty - b[j].y));
      d.sort((x, y) => x - y);
      expect(d[Math.floor(d.length / 2)]).toBeLessThan(6); // median residual: the jitter is up to 2 px a coordinate
    }
  });

  it('pairs few minutiae of a different finger', () => {
    const p = fingerPairing(encodeFinger(fingers[0]), encodeFinger(perturb(fingers[1], r)));
    expect(p.pairs.length).toBeLessThan(0.35 * fingers[0].minutiae.length);
  });

  it('templateMinutiae gives back what was encoded, in order', () => {
    const f = fingers[2];
    const m = templateMinutiae(encodeFinger(f));
    expect(m.minutiae.length).toBe(f.minutiae.length);
    m.minutiae.forEach((x, i) => {
      expect(x.x).toBeCloseTo(f.minutiae[i].x, 0);
      expect(x.type).toBe(f.minutiae[i].type);
    });
  });
});
