// Multi-finger fusion on the calibrated scale (-log10 FMR).

export interface FingerScore {
  subjectKey: string;
  /** Calibrated score (calibrateFingerScore), -log10 of the false-match rate. */
  score: number;
  /** Which probe finger produced it (position code or any label); entries without one count as one finger. */
  probeFinger?: number | string;
}

export interface FusedFingerScore {
  subjectKey: string;
  /** Sum over distinct probe fingers of each finger's best calibrated score. */
  score: number;
  fingers: number;
}

/**
 * Per subject: keep the best score of each probe finger, then add them up. Adding -log10 FMR of
 * different fingers multiplies their false-match rates, which is right when impostor scores of
 * different fingers are independent; taking only the best per finger stops one finger that hit
 * several enrolled impressions from counting twice.
 */
export function fuseFingerScores(perFinger: FingerScore[]): FusedFingerScore[] {
  const bySubject = new Map<string, Map<string, number>>();
  for (const { subjectKey, score, probeFinger } of perFinger) {
    if (!Number.isFinite(score)) continue;
    const fingers = bySubject.get(subjectKey) ?? new Map<string, number>();
    const key = String(probeFinger ?? '');
    fingers.set(key, Math.max(fingers.get(key) ?? -Infinity, Math.max(0, score)));
    bySubject.set(subjectKey, fingers);
  }
  const out: FusedFingerScore[] = [];
  for (const [subjectKey, fingers] of bySubject) {
    let sum = 0;
    for (const s of fingers.values()) sum += s;
    out.push({ subjectKey, score: sum, fingers: fingers.size });
  }
  return out.sort((a, b) => b.score - a.score || (a.subjectKey < b.subjectKey ? -1 : 1));
}
