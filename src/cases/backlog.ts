// The work waiting on people, for operations: pending cases (examiners of the requesting agency) and hits on
// hit/no-hit watchlists that their owner has not yet disclosed or declined. Two aggregates (pending cases through
// cases_status_idx); the metrics layer caches them so that a scrape storm cannot load the database.
import type { Queryable } from '../store/db.ts';

export interface Backlog {
  pendingCases: number;
  /** Seconds since the oldest pending case was opened (0 when none is pending). */
  oldestPendingCaseSeconds: number;
  /** Per hit/no-hit watchlist with undecided hits: how many, and the oldest one's age in seconds. */
  undecidedHits: { watchlist: string; count: number; oldestSeconds: number }[];
}

export async function readBacklog(q: Queryable): Promise<Backlog> {
  const cases = await q.query<{ n: string; oldest: number | null }>(
    `SELECT count(*) AS n, extract(epoch FROM now() - min(created_at))::float8 AS oldest FROM cases WHERE status = 'pending'`);
  // The owner's decision holds per subject and requesting agency (hit_decisions): a hit is undecided without one.
  const hits = await q.query<{ watchlist: string; n: string; oldest: number }>(
    `SELECT x.watchlist, count(*) AS n, extract(epoch FROM now() - min(x.found_at))::float8 AS oldest
     FROM owner_hits x LEFT JOIN hit_decisions d ON d.subject_id = x.subject_id AND d.requesting_agency = x.requesting_agency
     WHERE d.status IS NULL GROUP BY x.watchlist`);
  return {
    pendingCases: Number(cases.rows[0].n),
    oldestPendingCaseSeconds: Math.max(0, cases.rows[0].oldest ?? 0),
    undecidedHits: hits.rows.map((h) => ({ watchlist: h.watchlist, count: Number(h.n), oldestSeconds: Math.max(0, h.oldest) })),
  };
}
