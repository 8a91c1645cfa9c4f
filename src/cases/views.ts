// The disclosure rule, in one place: which candidates a caller is told about, and which identities it sees.
// - A check lists candidates at `hit` or `review` level only. An examiner's (or admin's) investigative check
//   lists the top `limit` whatever their level, except that subjects withheld from the requesting agency
//   (another agency's hit/no-hit watchlist) still appear only at `review` or above. Kiosks never see below review.
// - A withheld subject appears only as its opaque handle, its watchlist and owner agency, and the owner's
//   decision (pending, disclosed, declined); its identity reaches the requesting agency once disclosed.
// Check answers, check polls, case reads and the ITL reply all go through candidateViews.
import type { Db } from '../store/db.ts';
import { audit } from '../store/audit.ts';
import type { Principal } from '../store/keys.ts';
import { maySeeIdentity, type Watchlist } from '../store/watchlists.ts';
import { hitDecisions, type HitStatus } from './hit-decisions.ts';

export type CheckMode = 'standard' | 'investigative';
type WatchlistRule = Pick<Watchlist, 'disclosure' | 'agency'>;

export interface CandidateRow {
  handle: string; subjectId: string; watchlist: string; ownerAgency: string; score: number;
  scores: { face?: number; finger?: number }; level: string;
  outcome?: string | null; note?: string | null; matched?: unknown[];
}

export interface CandidateView {
  subjectId: string | null; handle: string; watchlist: string; agency: string;
  score: number; scores: { face?: number; finger?: number }; level: string;
  reference: string | null; name: string | null;
  /** Only for a subject withheld from the requesting agency: where the owner's decision stands. */
  disclosure?: HitStatus;
}

/** Who may ask for an investigative check (every level): examiners and admins, never kiosks. */
export const mayInvestigate = (p: Principal): boolean => p.role === 'examiner' || p.role === 'admin';

/** A subject on another agency's hit/no-hit watchlist: withheld from `agency` until its owner discloses it. */
export const withheldFrom = (agency: string, w: WatchlistRule): boolean => w.disclosure === 'hit-no-hit' && w.agency !== agency;

/** Whether a candidate of this level is told to `viewer` at all (in a check run by `requestingAgency`). */
export function listable(viewer: Principal, requestingAgency: string, w: WatchlistRule, level: string, mode: CheckMode): boolean {
  if (level === 'hit' || level === 'review') return true;
  return mode === 'investigative' && mayInvestigate(viewer) && !withheldFrom(requestingAgency, w) && maySeeIdentity(viewer, w as Watchlist);
}

/** Subject identities for the candidates the caller may see; the others are never even loaded. */
async function identities(db: Db, ids: string[]): Promise<Map<string, { reference: string | null; name: string | null }>> {
  if (!ids.length) return new Map();
  const r = await db.query<{ id: string; reference: string | null; name: string | null }>('SELECT id, reference, name FROM subjects WHERE id = ANY($1::uuid[])', [ids]);
  return new Map(r.rows.map((x) => [x.id, { reference: x.reference, name: x.name }]));
}

export interface ViewContext {
  /** The agency that ran the check (disclosure is to it, and to no one else). */
  requestingAgency: string;
  mode: CheckMode;
  /** For the audit entry of a read that shows a disclosed identity. */
  requestId: string;
  /** What is being read (check id or case id), for that audit entry. */
  target: string;
}

export interface ViewedCandidate { view: CandidateView; row: CandidateRow; identityVisible: boolean }

/** The candidates `viewer` is told about, each with what it may see of it. Reads that show an identity only
 *  because its owner disclosed it are audited here. */
export async function candidateViews(db: Db, viewer: Principal, rows: CandidateRow[], watchlists: Map<string, WatchlistRule>, vc: ViewContext): Promise<ViewedCandidate[]> {
  const told = rows.filter((c) => {
    const w = watchlists.get(c.watchlist);
    return w !== undefined && listable(viewer, vc.requestingAgency, w, c.level, vc.mode);
  });
  const withheld = told.filter((c) => withheldFrom(vc.requestingAgency, watchlists.get(c.watchlist)!));
  const decisions = await hitDecisions(db, vc.requestingAgency, withheld.map((c) => c.subjectId));
  const status = (c: CandidateRow): HitStatus => decisions.get(c.subjectId) ?? 'pending';
  const byDisclosure = (c: CandidateRow) => withheld.includes(c) && status(c) === 'disclosed' && viewer.agency === vc.requestingAgency;
  const visible = told.filter((c) => maySeeIdentity(viewer, watchlists.get(c.watchlist) as Watchlist) || byDisclosure(c));
  const ids = await identities(db, visible.map((c) => c.subjectId));
  const disclosedShown = visible.filter(byDisclosure).map((c) => c.handle);
  if (disclosedShown.length) {
    await audit(db, { keyId: viewer.keyId, role: viewer.role, agency: viewer.agency, requestId: vc.requestId, action: 'disclosure.read', target: vc.target, details: { handles: disclosedShown } });
  }
  return told.map((c) => {
    const show = visible.includes(c);
    const who = show ? ids.get(c.subjectId) : undefined;
    return {
      row: c, identityVisible: show,
      view: {
        subjectId: show ? c.subjectId : null,
        handle: c.handle, watchlist: c.watchlist, agency: c.ownerAgency,
        score: +c.score.toFixed(4),
        scores: Object.fromEntries(Object.entries(c.scores).map(([k, v]) => [k, +(v as number).toFixed(4)])),
        level: c.level,
        reference: who?.reference ?? null, name: who?.name ?? null,
        ...(withheld.includes(c) ? { disclosure: status(c) } : {}),
      },
    };
  });
}

/** The stage timings a check's caller is told: without the search stages when it searched a watchlist
 *  withheld from it, whose size they would tell. */
export function answerTimings(p: Principal, searched: Iterable<WatchlistRule>, timings: Record<string, number>): Record<string, number> {
  if (![...searched].some((w) => withheldFrom(p.agency, w))) return timings;
  return Object.fromEntries(Object.entries(timings).filter(([stage]) => !stage.endsWith('.search')));
}
