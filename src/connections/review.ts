// Examiners' side of connections: the list they may see, and decisions on one link (audited; a
// "different-persons" decision holds through later passes, since passes never overwrite a decision).
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { appendAudit } from '../store/audit.ts';
import { getConnection, listConnections, recluster, recordDecision, type ConnectionStatus } from '../store/connections.ts';
import type { Principal } from '../store/keys.ts';
import { listWatchlists } from '../store/watchlists.ts';
import { connectionScope, connectionViews, mayView, type ConnectionView } from './views.ts';

export interface ListInput { status?: ConnectionStatus; watchlist?: string; minScore?: number; limit: number }

export async function listVisibleConnections(ctx: AppContext, p: Principal, f: ListInput, requestId: string): Promise<ConnectionView[]> {
  const all = await listWatchlists(ctx.db);
  const scope = connectionScope(p, all);
  if (f.watchlist && !scope.reachable.includes(f.watchlist)) throw new AppError('WATCHLIST_NOT_FOUND', `no watchlist '${f.watchlist}' this key may search`);
  const rows = await listConnections(ctx.db, { ...scope, ...f });
  const views = await connectionViews(ctx.db, p, rows, new Map(all.map((w) => [w.id, w])), requestId);
  await ctx.db.tx((c) => appendAudit(c, { keyId: p.keyId, role: p.role, agency: p.agency, requestId, action: 'connection.list', details: { ...f, count: views.length } }));
  return views;
}

export async function decideConnection(ctx: AppContext, p: Principal, id: string, d: { outcome: Exclude<ConnectionStatus, 'pending'>; note?: string }, requestId: string) {
  const wl = new Map((await listWatchlists(ctx.db)).map((w) => [w.id, w]));
  return ctx.db.tx(async (c) => {
    // The row lock serialises decisions on one link with each other and with the background search.
    const conn = await getConnection(c, id, true);
    if (!conn || !mayView(p, conn, wl)) throw new AppError('CONNECTION_NOT_FOUND', 'no such connection');
    await recordDecision(c, { connectionId: conn.id, outcome: d.outcome, note: d.note ?? null, keyId: p.keyId, agency: p.agency });
    await recluster(c, [conn.subjectA, conn.subjectB]);
    await appendAudit(c, { keyId: p.keyId, role: p.role, agency: p.agency, requestId, action: 'connection.decide', target: conn.id, details: { outcome: d.outcome, note: d.note ?? null } });
    const after = (await getConnection(c, conn.id))!;
    return { connectionId: conn.id, outcome: d.outcome, status: after.status, clusterId: after.clusterId };
  });
}
