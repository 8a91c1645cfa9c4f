// Raw matcher score -> -log10(FMR): how rarely an impostor comparison scores this high.
// The scale the service fuses across modalities. The table is measured (src/finger/calibration.ts).
import { FINGER_CALIBRATION } from './calibration.ts';
import { matcherAddon } from './native.ts';

export const CALIBRATION_CAP = FINGER_CALIBRATION.cap;
/** Decision thresholds on the calibrated scale: by construction -log10 of the FMR. */
export const FINGER_THRESHOLD_FMR_1E3 = 3;
export const FINGER_THRESHOLD_FMR_1E4 = 4;

/**
 * Used when the table was measured on another matcher version: a deliberately conservative
 * curve (it claims less evidence than any measured version did) so a stale table never inflates scores.
 */
const FALLBACK: [number, number][] = [[0, 0], [0.3, 0], [0.5, 1], [0.7, 3], [0.9, 6]];

let stale: boolean | undefined;
function tableIsCurrent(): boolean {
  if (stale === undefined) {
    stale = matcherAddon().version !== FINGER_CALIBRATION.matcherVersion;
    if (stale) process.emitWarning(`finger calibration was measured on matcher ${FINGER_CALIBRATION.matcherVersion}, running ${matcherAddon().version}: using the conservative fallback`);
  }
  return !stale;
}

function interpolate(points: readonly (readonly [number, number])[], raw: number, tailSlope: number, cap: number): number {
  if (!(raw > points[0][0])) return 0;
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i];
    if (raw <= x1) {
      const [x0, y0] = points[i - 1];
      return Math.min(cap, y0 + ((raw - x0) / (x1 - x0)) * (y1 - y0));
    }
  }
  const [xl, yl] = points[points.length - 1];
  return Math.min(cap, yl + (raw - xl) * tailSlope);
}

/** -log10 of the false-match rate at this raw score; 0..cap (8), monotone non-decreasing. */
export function calibrateFingerScore(raw: number): number {
  if (!Number.isFinite(raw)) return 0;
  if (!tableIsCurrent()) return interpolate(FALLBACK, raw, 15, CALIBRATION_CAP);
  return interpolate(FINGER_CALIBRATION.points, raw, FINGER_CALIBRATION.tailSlope, FINGER_CALIBRATION.cap);
}

/** Smallest raw score whose calibrated value reaches -log10(fmr) (bisection on the monotone map). */
export function rawThresholdForFmr(fmr: number): number {
  const target = -Math.log10(fmr);
  let lo = 0, hi = 1;
  if (calibrateFingerScore(hi) < target) return Infinity;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (calibrateFingerScore(mid) >= target) hi = mid; else lo = mid;
  }
  return hi;
}
