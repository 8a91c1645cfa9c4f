// Which cases a caller may open (examiners those of checks their own agency ran; admins all), their candidates,
// and whether a caller may see one candidate's identity, by the one disclosure rule of views.ts.
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Queryable } from '../store/db.ts';
import type { Principal } from '../store/keys.ts';
import { listWatchlists } from '../store/watchlists.ts';
import { candidateViews, type CandidateRow, type CheckMode, type ViewedCandidate } from './views.ts';

export interface CaseRow { id: string; check_id: string; status: string; outcome: string | null; agency: string; version: number; created_at: Date; closed_at: Date | null }

/** The case, or CASE_NOT_FOUND (also for another agency's case: its existence is not disclosed). */
export async function loadCase(ctx: AppContext, p: Principal, id: string): Promise<CaseRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('CASE_NOT_FOUND', 'no such case');
  const r = await ctx.db.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [id]);
  const c = r.rows[0];
  if (!c || (p.role !== 'admin' && c.agency !== p.agency)) throw new AppError('CASE_NOT_FOUND', 'no such case');
  return c;
}

/**
 * The case locked for the rest of the transaction, so that decisions, verifications and the close on one case
 * serialise and each sees the others' result; CASE_CLOSED (with `closedMessage`) once it is closed.
 */
export async function lockPendingCase(q: Queryable, id: string, closedMessage: string): Promise<CaseRow> {
  const k = (await q.query<CaseRow>('SELECT * FROM cases WHERE id = $1 FOR UPDATE', [id])).rows[0];
  if (k.status !== 'pending') throw new AppError('CASE_CLOSED', closedMessage);
  return k;
}

export interface MatchedSample { sampleId: number; modality: string; score: number; probe?: number }

/** A case's candidates, best first, as stored (before the disclosure rule is applied). */
export async function caseCandidateRows(ctx: AppContext, caseId: string): Promise<CandidateRow[]> {
  const r = await ctx.db.query<{ handle: string; subject_id: string; watchlist: string; owner_agency: string; score: number; scores: Record<string, number>; level: string; outcome: string | null; note: string | null; matched: unknown[] }>(
    'SELECT * FROM case_candidates WHERE case_id = $1 ORDER BY rank', [caseId]);
  return r.rows.map((x) => ({
    handle: x.handle, subjectId: x.subject_id, watchlist: x.watchlist, ownerAgency: x.owner_agency, score: x.score,
    scores: x.scores, level: x.level, outcome: x.outcome, note: x.note, matched: x.matched,
  }));
}

/** The case's candidates `p` is told about (only those `pick` keeps), each with what it may see, by the one rule
 *  of views.ts (candidateViews, which also audits a read shown only by the owner's disclosure). */
export async function caseCandidateViews(ctx: AppContext, p: Principal, k: CaseRow, requestId: string,
  pick: (c: CandidateRow) => boolean = () => true): Promise<{ mode: CheckMode; viewed: ViewedCandidate[] }> {
  const rows = (await caseCandidateRows(ctx, k.id)).filter(pick);
  const wl = new Map((await listWatchlists(ctx.db)).map((w) => [w.id, w]));
  const mode = (await ctx.db.query<{ mode: CheckMode }>('SELECT mode FROM checks WHERE id = $1', [k.check_id])).rows[0].mode;
  return { mode, viewed: await candidateViews(ctx.db, p, rows, wl, { requestingAgency: k.agency, mode, requestId, target: k.id }) };
}
