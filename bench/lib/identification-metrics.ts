// Open-set identification error rates (ISO/IEC 19795-1 terms): FNIR of mated searches, FPIR of non-mated ones.

export interface SearchOutcome {
  /** Candidates, best first, each with its score on the decision scale. */
  candidates: { key: string; score: number }[];
  /** The one enrolled mate (mated searches), or undefined (non-mated searches). */
  mate?: string;
}

export interface OpenSetRates {
  mated: number;
  nonMated: number;
  /** Mated searches whose mate is not the first candidate. */
  fnirRank1: number;
  /** Mated searches whose mate is not among the candidates at or above the threshold. */
  fnirAtThreshold: number;
  /** Non-mated searches with any candidate at or above the threshold (measured, on the non-mated searches at hand). */
  fpirMeasured: number;
}

export function openSetRates(outcomes: readonly SearchOutcome[], threshold: number): OpenSetRates {
  const mated = outcomes.filter((o) => o.mate !== undefined), nonMated = outcomes.filter((o) => o.mate === undefined);
  const share = (n: number, of: number) => (of ? n / of : NaN);
  return {
    mated: mated.length, nonMated: nonMated.length,
    fnirRank1: share(mated.filter((o) => o.candidates[0]?.key !== o.mate).length, mated.length),
    fnirAtThreshold: share(mated.filter((o) => !o.candidates.some((c) => c.key === o.mate && c.score >= threshold)).length, mated.length),
    fpirMeasured: share(nonMated.filter((o) => o.candidates.some((c) => c.score >= threshold)).length, nonMated.length),
  };
}
