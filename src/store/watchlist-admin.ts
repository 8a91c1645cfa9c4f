// Managing watchlists: who may see one, and the audited changes (create; delete, with ?force its subjects too).
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { appendAudit } from './audit.ts';
import { ensureAgency, type Principal } from './keys.ts';
import type { DeletedSamples } from './subject-admin.ts';
import { DELETION_RETRIES, deleteSubject } from './subjects.ts';
import { DEFAULT_HIT_FPIR, DEFAULT_REVIEW_FPIR, getWatchlist, insertWatchlist, listWatchlists, mayManage, maySearch, type Watchlist } from './watchlists.ts';

const by = (p: Principal) => ({ keyId: p.keyId, role: p.role, agency: p.agency });

/** Who is told a watchlist exists: admins, its agency, and the agencies that may search it. */
export const mayKnow = (p: Principal, w: Watchlist) => p.role === 'admin' || w.agency === p.agency || maySearch(p, w);

export type NewWatchlist = Parameters<typeof insertWatchlist>[1];

/** Creates a watchlist (and the agencies it names). Audited as watchlist.create. */
export async function createWatchlist(ctx: AppContext, p: Principal, w: NewWatchlist, requestId: string): Promise<Watchlist> {
  return ctx.db.tx(async (c) => {
    await ensureAgency(c, w.agency);
    for (const a of w.searchableBy ?? []) await ensureAgency(c, a);
    if ((w.reviewFpir ?? DEFAULT_REVIEW_FPIR) < (w.hitFpir ?? DEFAULT_HIT_FPIR)) {
      throw new AppError('VALIDATION_FAILED', 'reviewFpir must be at least hitFpir (review is the looser threshold)');
    }
    const created = await insertWatchlist(c, w);
    if (!created) throw new AppError('WATCHLIST_EXISTS', `watchlist '${w.id}' exists already`);
    await appendAudit(c, { ...by(p), requestId, action: 'watchlist.create', target: created.id, details: { agency: created.agency, disclosure: created.disclosure } });
    return created;
  });
}

export const visibleWatchlists = async (ctx: AppContext, p: Principal): Promise<Watchlist[]> => (await listWatchlists(ctx.db)).filter((w) => mayKnow(p, w));

/** One watchlist, with its live subject count for those who manage it. */
export async function readWatchlist(ctx: AppContext, p: Principal, id: string): Promise<{ watchlist: Watchlist; subjects?: number }> {
  const w = await getWatchlist(ctx.db, id);
  if (!w || !mayKnow(p, w)) throw new AppError('WATCHLIST_NOT_FOUND', `no watchlist '${id}'`);
  if (!mayManage(p, w)) return { watchlist: w };
  const n = await ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM subjects WHERE watchlist = $1 AND deleted_at IS NULL', [w.id]);
  return { watchlist: w, subjects: Number(n.rows[0].n) };
}

/** Deletes a watchlist; one that still holds subjects only with `force`, which deletes them too. The row stays
 *  as a tombstone (past cases refer to it) but is gone from every read. Audited as watchlist.delete. */
export async function deleteWatchlist(ctx: AppContext, p: Principal, id: string, force: boolean, requestId: string): Promise<DeletedSamples> {
  return ctx.db.tx(async (c) => {
    const w = await c.query('SELECT id FROM watchlists WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE', [id]);
    if (!w.rowCount) throw new AppError('WATCHLIST_NOT_FOUND', `no watchlist '${id}'`);
    const live = await c.query<{ id: string }>('SELECT id FROM subjects WHERE watchlist = $1 AND deleted_at IS NULL', [id]);
    if (live.rowCount && !force) {
      throw new AppError('CONFLICT', `watchlist '${id}' still holds ${live.rowCount} subject(s); delete with ?force=true to remove them too`);
    }
    const ids: DeletedSamples = { face: [], finger: [] };
    for (const s of live.rows) {
      const d = await deleteSubject(c, s.id);
      if (d) { ids.face.push(...d.face); ids.finger.push(...d.finger); }
    }
    await c.query('UPDATE watchlists SET deleted_at = now(), description = NULL WHERE id = $1', [id]);
    await appendAudit(c, { ...by(p), requestId, action: 'watchlist.delete', target: id, details: { subjects: live.rowCount } });
    return ids;
  }, DELETION_RETRIES);
}
