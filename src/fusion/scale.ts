// The one score scale of the API: -log10 of the false-match rate. A score of 4 means one impostor
// comparison in 10,000 scores this high. Each modality calibrates its raw scores onto it from measured
// impostor distributions; fusion combines the per-comparison false-match rates.

/** Scores are capped: beyond this the impostor tail is extrapolated too far to mean anything. */
export const MAX_SCORE = 12;

export const scoreFromFmr = (fmr: number): number => Math.min(MAX_SCORE, Math.max(0, -Math.log10(Math.max(fmr, 10 ** -MAX_SCORE))));
export const fmrFromScore = (score: number): number => 10 ** -Math.max(0, score);

/**
 * Monotone piecewise-linear map from a raw similarity to the scale, from a table of (raw, score) points
 * measured on impostor comparisons. Below the table: 0; above it: the last segment's slope, capped.
 */
export function interpolateCalibration(table: readonly (readonly [number, number])[], raw: number): number {
  if (!Number.isFinite(raw) || table.length === 0) return 0;
  if (raw <= table[0][0]) return table[0][1];
  for (let i = 1; i < table.length; i++) {
    const [x1, y1] = table[i];
    if (raw <= x1) {
      const [x0, y0] = table[i - 1];
      return y0 + ((raw - x0) / (x1 - x0 || 1)) * (y1 - y0);
    }
  }
  const n = table.length;
  if (n < 2) return table[n - 1][1];
  const [x0, y0] = table[n - 2];
  const [x1, y1] = table[n - 1];
  const slope = (y1 - y0) / (x1 - x0 || 1);
  return Math.min(MAX_SCORE, y1 + (raw - x1) * slope);
}
