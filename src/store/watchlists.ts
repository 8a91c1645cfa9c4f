// Watchlists: owned by an agency, disclosed in full or as hit/no-hit only.
import type { QualityPolicy } from '../quality-policy.ts';
import type { Db, Queryable } from './db.ts';
import type { Principal } from './keys.ts';

export type Disclosure = 'full' | 'hit-no-hit';

/** Default decision thresholds, per search: one check in 1,000 of a person not on the watchlist raises a
 *  false hit against it, one in 100 a review. */
export const DEFAULT_HIT_FPIR = 1e-3;
export const DEFAULT_REVIEW_FPIR = 1e-2;

export interface Watchlist {
  id: string; num: number; name: string; agency: string; disclosure: Disclosure;
  searchableBy: string[] | null; description: string | null; createdAt: string;
  /** Decision thresholds as false-positive identification rates per search. */
  hitFpir: number; reviewFpir: number;
  /** Face quality policy for enrolments into it (src/quality-policy.ts). */
  qualityPolicy: QualityPolicy;
}

interface Row { id: string; num: number; name: string; agency: string; disclosure: Disclosure; searchable_by: string[] | null; description: string | null; created_at: Date; hit_fpir: number; review_fpir: number; quality_policy: QualityPolicy }

const toWatchlist = (r: Row): Watchlist => ({
  id: r.id, num: r.num, name: r.name, agency: r.agency, disclosure: r.disclosure,
  searchableBy: r.searchable_by, description: r.description, createdAt: r.created_at.toISOString(),
  hitFpir: r.hit_fpir, reviewFpir: r.review_fpir, qualityPolicy: r.quality_policy,
});

export async function insertWatchlist(q: Queryable, w: { id: string; name: string; agency: string; disclosure: Disclosure; searchableBy?: string[] | null; description?: string | null; hitFpir?: number; reviewFpir?: number; qualityPolicy?: QualityPolicy }): Promise<Watchlist | null> {
  const r = await q.query<Row>(
    `INSERT INTO watchlists (id, name, agency, disclosure, searchable_by, description, hit_fpir, review_fpir, quality_policy)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (id) DO NOTHING RETURNING *`,
    [w.id, w.name, w.agency, w.disclosure, w.searchableBy ?? null, w.description ?? null, w.hitFpir ?? DEFAULT_HIT_FPIR, w.reviewFpir ?? DEFAULT_REVIEW_FPIR, w.qualityPolicy ?? 'inform']);
  return r.rows[0] ? toWatchlist(r.rows[0]) : null;
}

export async function getWatchlist(q: Queryable, id: string): Promise<Watchlist | null> {
  const r = await q.query<Row>('SELECT * FROM watchlists WHERE id = $1 AND deleted_at IS NULL', [id]);
  return r.rows[0] ? toWatchlist(r.rows[0]) : null;
}

export async function listWatchlists(q: Queryable): Promise<Watchlist[]> {
  const r = await q.query<Row>('SELECT * FROM watchlists WHERE deleted_at IS NULL ORDER BY id');
  return r.rows.map(toWatchlist);
}

/** Whether a caller may run checks against this watchlist. */
export function maySearch(p: Principal, w: Watchlist): boolean {
  if (p.role === 'admin') return true;
  if (p.role !== 'kiosk' && p.role !== 'examiner') return false;
  return w.searchableBy === null || w.searchableBy.includes(p.agency) || w.agency === p.agency;
}

/** Whether a caller may see the identities (subject id, reference, name, samples) in this watchlist. */
export function maySeeIdentity(p: Principal, w: Watchlist): boolean {
  return w.disclosure === 'full' || p.agency === w.agency;
}

/** Whether a caller may enrol into, or delete from, this watchlist. */
export function mayManage(p: Principal, w: Watchlist): boolean {
  return p.role === 'admin' || (p.role === 'enroller' && p.agency === w.agency);
}
