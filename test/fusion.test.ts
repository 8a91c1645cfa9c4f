import { describe, expect, it } from 'vitest';
import { decisionOf, levelOf } from '../src/fusion/decide.ts';
import { fuseScores, fuseSubject } from '../src/fusion/fuse.ts';
import { interpolateCalibration, MAX_SCORE } from '../src/fusion/scale.ts';
import { CALIBRATION_CAP } from '../src/finger/calibrate.ts';

describe('fusion on the -log10 FMR scale', () => {
  it('a single comparison keeps its score; none gives 0', () => {
    expect(fuseScores([3.5])).toBeCloseTo(3.5, 10);
    expect(fuseScores([])).toBe(0);
  });
  it('matches Fisher\'s method for two comparisons', () => {
    // p1 = 1e-3, p2 = 1e-2: q = 1e-5, fused FMR = q (1 - ln q)
    const q = 1e-5;
    expect(fuseScores([3, 2])).toBeCloseTo(-Math.log10(q * (1 - Math.log(q))), 8);
  });
  it('two moderate pieces of evidence beat either alone; a strong one dominates a weak one', () => {
    expect(fuseScores([2.5, 2.5])).toBeGreaterThan(2.5);
    expect(fuseScores([8, 0.5])).toBeGreaterThan(6.5);
    expect(fuseScores([8, 0.5])).toBeLessThan(8);
  });
  it('is symmetric and capped', () => {
    expect(fuseScores([1, 4, 2])).toBeCloseTo(fuseScores([4, 2, 1]), 10);
    expect(fuseScores([MAX_SCORE, MAX_SCORE, MAX_SCORE])).toBe(MAX_SCORE);
  });
  it('a missing modality does not penalise', () => {
    const faceOnly = fuseSubject({ subjectId: 's', face: { score: 5, raw: 0.9, sampleId: 1 }, fingers: [] });
    expect(faceOnly.score).toBeCloseTo(5, 10);
    expect(faceOnly.scores).toEqual({ face: 5 });
    const both = fuseSubject({ subjectId: 's', face: { score: 5, raw: 0.9, sampleId: 1 }, fingers: [{ probe: 0, score: 4, raw: 80, sampleId: 2 }] });
    expect(both.score).toBeGreaterThan(5);
    expect(both.matched.map((m) => m.modality)).toEqual(['face', 'finger']);
  });
  it('interpolates a calibration table monotonically and extrapolates the tail', () => {
    const t = [[0, 0], [10, 1], [20, 3]] as const;
    expect(interpolateCalibration(t, -5)).toBe(0);
    expect(interpolateCalibration(t, 5)).toBeCloseTo(0.5);
    expect(interpolateCalibration(t, 15)).toBeCloseTo(2);
    expect(interpolateCalibration(t, 25)).toBeCloseTo(4);
    expect(interpolateCalibration(t, 1e9)).toBe(MAX_SCORE);
    expect(interpolateCalibration(t, NaN)).toBe(0);
  });
  it('decides from per-search thresholds, stricter for a larger watchlist', () => {
    const t = { hitFpir: 1e-4, reviewFpir: 1e-2 };
    expect(levelOf(4.1, t, 1)).toBe('hit');
    expect(levelOf(3, t, 1)).toBe('review');
    expect(levelOf(1, t, 1)).toBe('none');
    // 1,000 subjects: 1,000 chances of a false match, so three more decades are needed.
    expect(levelOf(4.1, t, 1000)).toBe('none');
    expect(levelOf(5.5, t, 1000)).toBe('review');
    expect(levelOf(7.1, t, 1000)).toBe('hit');
    expect(decisionOf(['none', 'review'])).toBe('review');
    expect(decisionOf(['review', 'hit'])).toBe('hit');
    expect(decisionOf([])).toBe('no-hit');
  });
  it('keeps the finger cap on the fused scale: one finger at its cap is a hit up to 10^(cap-3) subjects, a second carries further', () => {
    const t = { hitFpir: 1e-3, reviewFpir: 1e-2 };
    const largest = 10 ** (CALIBRATION_CAP - 3);
    for (let fingers = 1; fingers <= 10; fingers++) {
      const fused = fuseScores(Array(fingers).fill(CALIBRATION_CAP));
      expect(fused).toBeLessThanOrEqual(MAX_SCORE);
      if (fingers > 1) expect(fused).toBeGreaterThanOrEqual(Math.min(MAX_SCORE, fuseScores(Array(fingers - 1).fill(CALIBRATION_CAP))));
    }
    expect(levelOf(CALIBRATION_CAP, t, largest)).toBe('hit');
    expect(levelOf(CALIBRATION_CAP, t, largest * 1.01)).not.toBe('hit');
    expect(levelOf(fuseScores([CALIBRATION_CAP, CALIBRATION_CAP]), t, largest * 10)).toBe(CALIBRATION_CAP + 1 <= MAX_SCORE ? 'hit' : 'review');
  });
});
