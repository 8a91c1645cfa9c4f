// Builds the finger score calibration (raw score -> -log10 FMR) from measured impostor scores.

export interface CalibrationTable {
  /** Matcher template/algorithm version the scores came from. */
  matcherVersion: string;
  /** [raw score, -log10 FMR] points, both ascending. */
  points: [number, number][];
  /** Beyond the last point: -log10 FMR grows by this much per unit of raw score (fitted exponential tail). */
  tailSlope: number;
  cap: number;
  impostorCount: number;
  source: string;
}

/** Empirical points every 0.25 decade down to 10/N, then an exponential tail fitted to the top 2% of scores. */
export function buildCalibration(impostor: number[], matcherVersion: string, source: string, cap = 8): CalibrationTable {
  const s = [...impostor].sort((a, b) => b - a);  // descending
  const n = s.length;
  const points: [number, number][] = [[0, 0]];
  const lastDecade = Math.log10(n / 10);
  for (let L = 0.25; L <= lastDecade + 1e-9; L += 0.25) {
    const rank = Math.max(1, Math.floor(n * 10 ** -L));  // the rank-th best impostor score has FMR rank/n
    const raw = s[rank - 1];
    const y = -Math.log10(rank / n);
    if (raw > points[points.length - 1][0] && y > points[points.length - 1][1]) points.push([+raw.toFixed(6), +y.toFixed(4)]);
  }
  // Least squares of log10(rank/n) on the score over the top 2% (at least 20 scores).
  const top = Math.max(20, Math.floor(n * 0.02));
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < top; i++) {
    const x = s[i], y = -Math.log10((i + 1) / n);
    sx += x; sy += y; sxx += x * x; sxy += x * y;
  }
  const slope = (top * sxy - sx * sy) / (top * sxx - sx * sx);
  return { matcherVersion, points, tailSlope: +Math.max(slope, 1).toFixed(4), cap, impostorCount: n, source };
}
