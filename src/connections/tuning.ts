// Tuned constants of the connection search (measured in bench/connections.ts).
import { requiredScore, type Thresholds } from '../fusion/decide.ts';

/**
 * Link thresholds per search, like a watchlist's: every enrolled sample is one search of the whole gallery, so
 * at a per-search FPIR f about f x 1,000 false links are expected per 1,000 subjects. A link at `review`
 * level enters the examiners' queue; at `hit` level it also merges clusters.
 */
export const LINK_THRESHOLDS: Thresholds = { reviewFpir: 1e-3, hitFpir: 1e-4 };
/**
 * Comparisons are kept as evidence from EVIDENCE_MARGIN decades below the review threshold (never below
 * EVIDENCE_MIN_SCORE): weaker ones could reach a link only fused with companions carrying those decades
 * together, and keeping them would store about N x 10^-score impostor comparisons per search.
 */
export const EVIDENCE_MIN_SCORE = 2;
export const EVIDENCE_MARGIN = 3;
export const evidenceFloor = (gallerySize: number): number =>
  Math.max(EVIDENCE_MIN_SCORE, requiredScore(LINK_THRESHOLDS.reviewFpir, gallerySize) - EVIDENCE_MARGIN);
/** Samples returned by each 1:N search of the connection pass. */
export const LINK_SEARCH_DEPTH = 20;
/** Samples claimed per worker transaction: faces of a batch go to the index as one native batch search, whose
 *  exact scan costs far less per query than single searches. */
export const WORK_BATCH = 128;
/** A queued sample waits this long before it is searched, so that a concurrent enrolment's index add (which
 *  follows its commit) lands first and the pair is found from at least one side. */
export const WORK_SETTLE_MS = 300;
/** Idle poll of the work queue. */
export const WORK_POLL_MS = 250;
