// What a caller may see of a candidate. For a hit/no-hit watchlist, a caller of another agency sees
// only the opaque handle, the watchlist and its owner agency, until the owner discloses that hit.
import type { Queryable } from '../store/db.ts';
import type { Principal } from '../store/keys.ts';
import { maySeeIdentity, type Watchlist } from '../store/watchlists.ts';

export interface CandidateRow {
  handle: string; subjectId: string; watchlist: string; ownerAgency: string; score: number;
  scores: { face?: number; finger?: number }; level: string; disclosedAt?: string | null;
  outcome?: string | null; note?: string | null; matched?: unknown[];
}

export interface CandidateView {
  subjectId: string | null; handle: string; watchlist: string; agency: string;
  score: number; scores: { face?: number; finger?: number }; level: string;
  reference: string | null; name: string | null; disclosed?: boolean;
}

export function identityVisible(p: Principal, w: Pick<Watchlist, 'disclosure' | 'agency'>, disclosedAt?: string | null): boolean {
  return maySeeIdentity(p, w as Watchlist) || Boolean(disclosedAt);
}

/** Subject identities for the candidates the caller may see; the others are never even loaded. */
export async function identities(q: Queryable, ids: string[]): Promise<Map<string, { reference: string | null; name: string | null }>> {
  if (!ids.length) return new Map();
  const r = await q.query<{ id: string; reference: string | null; name: string | null }>('SELECT id, reference, name FROM subjects WHERE id = ANY($1::uuid[])', [ids]);
  return new Map(r.rows.map((x) => [x.id, { reference: x.reference, name: x.name }]));
}

export async function candidateViews(q: Queryable, p: Principal, rows: CandidateRow[], watchlists: Map<string, Pick<Watchlist, 'disclosure' | 'agency'>>): Promise<CandidateView[]> {
  const visible = rows.filter((c) => {
    const w = watchlists.get(c.watchlist);
    return w !== undefined && identityVisible(p, w, c.disclosedAt);
  });
  const ids = await identities(q, visible.map((c) => c.subjectId));
  return rows.map((c) => {
    const show = visible.includes(c);
    const who = show ? ids.get(c.subjectId) : undefined;
    return {
      subjectId: show ? c.subjectId : null,
      handle: c.handle, watchlist: c.watchlist, agency: c.ownerAgency,
      score: +c.score.toFixed(4),
      scores: Object.fromEntries(Object.entries(c.scores).map(([k, v]) => [k, +(v as number).toFixed(4)])),
      level: c.level,
      reference: who?.reference ?? null, name: who?.name ?? null,
      ...(c.disclosedAt !== undefined ? { disclosed: Boolean(c.disclosedAt) } : {}),
    };
  });
}
