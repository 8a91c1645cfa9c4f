// Fingerprint image quality from the extractor's own measures, in the spirit of NFIQ 2 (which scores
// foreground area, ridge-flow coherence, contrast and minutiae): 0..100 with the reasons a capture
// falls short. It informs; enrolment and checks do not refuse on it.

/** Thresholds below which a reason is given, and the levels at which a measure counts as full marks. */
const Q = {
  /** Fingerprint area, mm² (a rolled print is about 400, a flat dab 150-250, a small sensor 100). */
  minAreaMm2: 80, fullAreaMm2: 200,
  /** Mean orientation coherence of the fingerprint blocks (0..1). */
  minCoherence: 0.35, fullCoherence: 0.65,
  /** Mean local contrast, grey levels (standard deviation). */
  minContrast: 12, fullContrast: 35,
  minMinutiae: 12, fullMinutiae: 35,
  /** Ridge period at 500 ppi, pixels: outside this the declared resolution is probably wrong. */
  minPeriod: 6, maxPeriod: 14,
} as const;
const PX_PER_MM = 500 / 25.4;

export interface FingerQuality {
  score: number;
  areaMm2: number;
  coherence: number;
  contrast: number;
  ridgePeriodPx: number;
  minutiae: number;
  reasons: string[];
}

const part = (v: number, lo: number, full: number) => Math.max(0, Math.min(1, (v - lo) / (full - lo)));

export function fingerQuality(
  stats: { foreground: number; coherence: number; period: number; contrast: number }, width: number, height: number, minutiae: number,
): FingerQuality {
  const areaMm2 = (stats.foreground * width * height) / (PX_PER_MM * PX_PER_MM);
  const reasons: string[] = [];
  if (areaMm2 < Q.minAreaMm2) reasons.push('small-area');
  if (stats.coherence < Q.minCoherence) reasons.push('unclear-ridge-flow');
  if (stats.contrast < Q.minContrast) reasons.push('low-contrast');
  if (minutiae < Q.minMinutiae) reasons.push('few-minutiae');
  if (stats.period < Q.minPeriod || stats.period > Q.maxPeriod) reasons.push('unusual-ridge-spacing');
  const score = 100 * (0.3 * part(areaMm2, 0, Q.fullAreaMm2) + 0.3 * part(stats.coherence, 0.2, Q.fullCoherence)
    + 0.2 * part(stats.contrast, 0, Q.fullContrast) + 0.2 * part(minutiae, 0, Q.fullMinutiae));
  return {
    score: Math.round(score), areaMm2: +areaMm2.toFixed(1), coherence: +stats.coherence.toFixed(3), contrast: +stats.contrast.toFixed(1),
    ridgePeriodPx: +stats.period.toFixed(2), minutiae, reasons,
  };
}
