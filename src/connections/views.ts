// What a caller may see of connections. The identity rule is the candidates' (cases/views.ts): a subject of
// another agency's hit/no-hit watchlist shows only its handle. A caller sees a link only where it may search
// both sides' watchlists and may see at least one side's identity: two withheld subjects are nobody's business
// but their owners'.
import { candidateViews, type CandidateRow, type CandidateView } from '../cases/views.ts';
import type { Db } from '../store/db.ts';
import type { Principal } from '../store/keys.ts';
import type { ConnectionRow } from '../store/connections.ts';
import { maySearch, maySeeIdentity, type Watchlist } from '../store/watchlists.ts';

export interface ConnectionView {
  id: string; subjects: [CandidateView, CandidateView]; score: number; scores: { face?: number; finger?: number };
  level: string; status: string; clusterId: string | null; updatedAt: string;
}

/** The watchlists a caller's connection reads range over. */
export function connectionScope(p: Principal, watchlists: Watchlist[]): { reachable: string[]; anyOf: string[] } {
  const reachable = watchlists.filter((w) => maySearch(p, w));
  return { reachable: reachable.map((w) => w.id), anyOf: reachable.filter((w) => maySeeIdentity(p, w)).map((w) => w.id) };
}

export function mayView(p: Principal, c: ConnectionRow, watchlists: Map<string, Watchlist>): boolean {
  const a = watchlists.get(c.watchlistA);
  const b = watchlists.get(c.watchlistB);
  if (!a || !b || !maySearch(p, a) || !maySearch(p, b)) return false;
  return maySeeIdentity(p, a) || maySeeIdentity(p, b);
}

export async function connectionViews(db: Db, p: Principal, rows: ConnectionRow[], watchlists: Map<string, Watchlist>, requestId: string): Promise<ConnectionView[]> {
  const sides: CandidateRow[] = rows.flatMap((c) => {
    const w = (id: string) => watchlists.get(id)?.agency ?? '';
    const common = { score: c.score, scores: c.scores, level: c.level };
    return [
      { ...common, handle: c.handleA, subjectId: c.subjectA, watchlist: c.watchlistA, ownerAgency: w(c.watchlistA) },
      { ...common, handle: c.handleB, subjectId: c.subjectB, watchlist: c.watchlistB, ownerAgency: w(c.watchlistB) },
    ];
  });
  // A connection is not a check: no agency requested it, so each side is shown as to the caller's own agency.
  const viewed = await candidateViews(db, p, sides, watchlists, { requestingAgency: p.agency, mode: 'standard', requestId, target: 'connections' });
  const byHandle = new Map(viewed.map((v) => [v.row.handle, v.view]));
  return rows.filter((c) => byHandle.has(c.handleA) && byHandle.has(c.handleB)).map((c) => ({
    id: c.id, subjects: [byHandle.get(c.handleA)!, byHandle.get(c.handleB)!], score: +c.score.toFixed(4),
    scores: Object.fromEntries(Object.entries(c.scores).map(([k, v]) => [k, +v.toFixed(4)])),
    level: c.level, status: c.status, clusterId: c.clusterId, updatedAt: c.updatedAt,
  }));
}
