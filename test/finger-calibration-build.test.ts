// How bench/finger-calibration.ts builds the finger table, on impostor scores of known distribution: exponential
// tails, where -log10 FMR at raw x is exactly rate * x.
import { describe, expect, it } from 'vitest';
import { buildCalibration, levelOnTable, ScoreHistogram, sortedSample } from '../bench/lib/finger-calibration.ts';
import { rng } from '../bench/lib/finger-synthetic.ts';

/** n scores with P(score >= x) = 10^(-rate x). */
function exponential(seed: number, n: number, rate: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => -Math.log10(1 - r()) / rate);
}
const histogram = (scores: number[]) => scores.reduce((h, s) => (h.add(s), h), new ScoreHistogram());
const opts = { matcherVersion: 'test', source: 'test', cap: 12 };

describe('buildCalibration', () => {
  const realScores = exponential(1, 50_000, 20);
  const real = [sortedSample('real', realScores)];

  it('recovers -log10 FMR where the real impostors measure it, and stops at 10 impostors', () => {
    const t = buildCalibration({ real }, opts);
    expect(t.measured.maxScore).toBeLessThanOrEqual(Math.log10(50_000 / 10) + 1e-9);
    expect(t.measured.maxScore).toBeGreaterThanOrEqual(3.5);
    for (const x of [0.05, 0.1, 0.15]) expect(levelOnTable(t.points, t.tailSlope, x)).toBeCloseTo(20 * x, 0);
    expect(t.measured.modelled).toBeUndefined();
  });

  it('takes the heavier of two real sources at every level', () => {
    const heavy = sortedSample('heavy', exponential(2, 20_000, 15));
    const t = buildCalibration({ real: [...real, heavy] }, opts);
    // Up to where the heavy source measures (log10(2000) = 3.3), the table follows it.
    for (const x of [0.08, 0.15, 0.2]) expect(levelOnTable(t.points, t.tailSlope, x)).toBeCloseTo(15 * x, 0);
  });

  it('carries the table deeper with a lighter synthetic tail slowed to the real rate', () => {
    // Synthetic impostors decay faster (25 decades per unit against 20) but are many more: the continuation must
    // follow the real rate, not the synthetic one, beyond where the real pairs end.
    const synthetic = [histogram(exponential(3, 2_000_000, 25)).sample('synthetic')];
    const t = buildCalibration({ real, synthetic }, opts);
    const m = t.measured.modelled!;
    expect(m.scale).toBeGreaterThan(0.7);
    expect(m.scale).toBeLessThan(0.9);
    expect(m.maxScore).toBeGreaterThan(t.measured.maxScore + 0.5);
    const beyondReal = t.points.filter(([, y]) => y > t.measured.maxScore);
    expect(beyondReal.length).toBeGreaterThan(2);
    for (const [x, y] of beyondReal) expect(Math.abs(y - 20 * x)).toBeLessThan(0.3);
    // The unscaled synthetic curve would have claimed about a quarter more.
    expect(25 * m.maxRaw - m.maxScore).toBeGreaterThan(0.5);
  });

  it('a histogram reads back the same ranks as the sorted scores, rounded up to its bin', () => {
    const scores = exponential(4, 10_000, 20);
    const h = histogram(scores).sample('h'), s = sortedSample('s', scores);
    for (const rank of [1, 10, 100, 5000]) {
      expect(h.scoreAtRank(rank)).toBeGreaterThanOrEqual(s.scoreAtRank(rank));
      expect(h.scoreAtRank(rank) - s.scoreAtRank(rank)).toBeLessThanOrEqual(1e-5 + 1e-12);
    }
    expect(h.shareAtOrAbove(s.scoreAtRank(100))).toBeGreaterThanOrEqual(100 / 10_000);
  });
});
