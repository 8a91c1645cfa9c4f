// hit / review / no-hit from each watchlist's thresholds, stated as false-match rates.
import { scoreFromFmr } from './scale.ts';

export type Level = 'hit' | 'review' | 'none';
export type Decision = 'hit' | 'review' | 'no-hit';

export interface Thresholds { hitFmr: number; reviewFmr: number }

export function levelOf(score: number, t: Thresholds): Level {
  if (score >= scoreFromFmr(t.hitFmr)) return 'hit';
  if (score >= scoreFromFmr(t.reviewFmr)) return 'review';
  return 'none';
}

export function decisionOf(levels: Level[]): Decision {
  if (levels.includes('hit')) return 'hit';
  if (levels.includes('review')) return 'review';
  return 'no-hit';
}
