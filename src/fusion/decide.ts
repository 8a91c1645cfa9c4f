// hit / review / no-hit from each watchlist's thresholds. A threshold is stated per search (FPIR: the chance
// that checking someone not on the list flags a candidate from it); searching N enrolled subjects makes N
// chances, so the score a candidate needs is -log10(FPIR / N) on the -log10 FMR scale (union bound).
import { scoreFromFmr } from './scale.ts';

export type Level = 'hit' | 'review' | 'none';
/** `incomplete`: part of a sharded gallery did not answer and nothing searched reached review; never `no-hit` for a
 *  gallery that was not searched. */
export type Decision = 'hit' | 'review' | 'no-hit' | 'incomplete';

export interface Thresholds { hitFpir: number; reviewFpir: number }

/** The score a candidate from a watchlist of `size` subjects needs for a per-search rate `fpir`. */
export const requiredScore = (fpir: number, size: number): number => scoreFromFmr(fpir) + Math.log10(Math.max(1, size));

export function levelOf(score: number, t: Thresholds, size: number): Level {
  if (score >= requiredScore(t.hitFpir, size)) return 'hit';
  if (score >= requiredScore(t.reviewFpir, size)) return 'review';
  return 'none';
}

export function decisionOf(levels: Level[], missingShards = 0): Decision {
  if (levels.includes('hit')) return 'hit';
  if (levels.includes('review')) return 'review';
  return missingShards ? 'incomplete' : 'no-hit';
}

/** Hits and reviews open a case (and keep their probe); no-hit and incomplete checks do not. */
export const opensCase = (d: Decision): boolean => d === 'hit' || d === 'review';
