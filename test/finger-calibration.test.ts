// Score calibration (raw -> -log10 FMR) and multi-finger fusion.
import { describe, expect, it } from 'vitest';
import { CALIBRATION_CAP, calibrateFingerScore, FINGER_THRESHOLD_FMR_1E3, FINGER_THRESHOLD_FMR_1E4, fuseFingerScores, rawThresholdForFmr } from '../src/finger/index.ts';

describe('calibrateFingerScore', () => {
  it('is 0 at 0, monotone, capped, and safe on junk', () => {
    expect(calibrateFingerScore(0)).toBe(0);
    let prev = 0;
    for (let s = 0; s <= 1.0001; s += 0.01) {
      const c = calibrateFingerScore(s);
      expect(c).toBeGreaterThanOrEqual(prev);
      prev = c;
    }
    expect(calibrateFingerScore(1)).toBe(CALIBRATION_CAP);
    expect(calibrateFingerScore(Number.NaN)).toBe(0);
    expect(calibrateFingerScore(-1)).toBe(0);
  });

  it('raw thresholds for FMR 1e-3 and 1e-4 land on 3 and 4 on the calibrated scale', () => {
    const t3 = rawThresholdForFmr(1e-3), t4 = rawThresholdForFmr(1e-4);
    expect(t4).toBeGreaterThan(t3);
    expect(calibrateFingerScore(t3)).toBeCloseTo(FINGER_THRESHOLD_FMR_1E3, 3);
    expect(calibrateFingerScore(t4)).toBeCloseTo(FINGER_THRESHOLD_FMR_1E4, 3);
  });
});

describe('fuseFingerScores', () => {
  it('adds the best score of each distinct probe finger per subject', () => {
    const fused = fuseFingerScores([
      { subjectKey: 'a', score: 3, probeFinger: 2 },
      { subjectKey: 'a', score: 5, probeFinger: 2 },
      { subjectKey: 'a', score: 1.5, probeFinger: 7 },
      { subjectKey: 'b', score: 6, probeFinger: 2 },
      { subjectKey: 'c', score: Number.NaN, probeFinger: 1 },
    ]);
    expect(fused).toEqual([
      { subjectKey: 'a', score: 6.5, fingers: 2 },
      { subjectKey: 'b', score: 6, fingers: 1 },
    ]);
  });
});
