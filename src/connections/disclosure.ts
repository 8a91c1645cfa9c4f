// The owner's side of a connection that involves its hit/no-hit subject: disclose that subject's identity to the
// agency on the other side of the link, or decline. It is the hits' decision (cases/hit-decisions.ts): it holds
// per subject and receiving agency, so that agency's checks and connections show the same identity, or none.
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { lockHitDecision, recordHitDecision, type HitDecision } from '../cases/hit-decisions.ts';
import { withheldFrom } from '../cases/views.ts';
import { appendAudit } from '../store/audit.ts';
import { getConnection, type ConnectionRow } from '../store/connections.ts';
import type { Principal } from '../store/keys.ts';
import { listWatchlists, type Watchlist } from '../store/watchlists.ts';

interface Side { subjectId: string; handle: string; owner: string; toAgency: string }

/** The sides of the link that `p` may decide on: its agency's (any, for an admin) hit/no-hit subject, withheld
 *  from the agency that owns the other side. */
function decidableSides(p: Principal, c: ConnectionRow, wl: Map<string, Watchlist>): Side[] {
  const a = wl.get(c.watchlistA), b = wl.get(c.watchlistB);
  if (!a || !b) return [];
  const sides: [string, string, Watchlist, Watchlist][] = [[c.subjectA, c.handleA, a, b], [c.subjectB, c.handleB, b, a]];
  return sides
    .filter(([, , mine, other]) => (p.role === 'admin' || mine.agency === p.agency) && withheldFrom(other.agency, mine))
    .map(([subjectId, handle, mine, other]) => ({ subjectId, handle, owner: mine.agency, toAgency: other.agency }));
}

export interface SideDecision { connectionId: string; handle: string; agency: string; status: HitDecision; disclosed: boolean }

/** Discloses (final) or declines one withheld side of a connection to the other side's agency. Audited. To a
 *  caller with no such side the connection does not exist (404), as a hit does not. */
export async function decideConnectionSide(ctx: AppContext, p: Principal, id: string, d: { status: HitDecision; note?: string; handle?: string }, requestId: string): Promise<SideDecision> {
  const wl = new Map((await listWatchlists(ctx.db)).map((w) => [w.id, w]));
  return ctx.db.tx(async (c) => {
    const conn = await getConnection(c, id);
    let sides = conn ? decidableSides(p, conn, wl) : [];
    if (d.handle !== undefined) sides = sides.filter((s) => s.handle === d.handle);
    if (!conn || !sides.length) throw new AppError('CONNECTION_NOT_FOUND', 'no connection with a side of yours withheld from the other side');
    if (sides.length > 1) throw new AppError('VALIDATION_FAILED', `both sides are withheld: name the side in "handle" (${sides.map((s) => s.handle).join(' or ')})`);
    const s = sides[0];
    const now = await lockHitDecision(c, s.subjectId, s.toAgency);
    if (now === 'disclosed' && d.status === 'declined') throw new AppError('HIT_ALREADY_DISCLOSED', `this identity was disclosed to ${s.toAgency} already; a disclosure cannot be withdrawn`);
    if (now !== d.status) {
      await recordHitDecision(c, { subjectId: s.subjectId, agency: s.toAgency, status: d.status, handle: s.handle, note: d.note ?? null, keyId: p.keyId });
      await appendAudit(c, {
        keyId: p.keyId, role: p.role, agency: p.agency, requestId, action: d.status === 'disclosed' ? 'connection.disclose' : 'connection.decline',
        target: conn.id, details: { handle: s.handle, toAgency: s.toAgency, note: d.note ?? null },
      });
    }
    return { connectionId: conn.id, handle: s.handle, agency: s.toAgency, status: d.status, disclosed: d.status === 'disclosed' };
  });
}
