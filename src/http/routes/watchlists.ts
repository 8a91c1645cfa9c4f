// Watchlists: admins create and delete; every role lists the ones it may work with.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { appendAudit } from '../../store/audit.ts';
import { ensureAgency, type Principal } from '../../store/keys.ts';
import { DELETION_RETRIES, deleteSubject } from '../../store/subjects.ts';
import { DEFAULT_HIT_FPIR, DEFAULT_REVIEW_FPIR, getWatchlist, insertWatchlist, listWatchlists, mayManage, maySearch, type Watchlist } from '../../store/watchlists.ts';
import { actor, principal } from '../auth.ts';
import { AgencyCode, IdParams, QualityPolicyField, QueryBool, StrictObject, WatchlistId, bearer, commonErrors } from '../schemas.ts';

const CreateWatchlist = StrictObject({
  id: WatchlistId,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  agency: AgencyCode,
  disclosure: Type.Union([Type.Literal('full'), Type.Literal('hit-no-hit')]),
  searchableBy: Type.Optional(Type.Union([Type.Null(), Type.Array(AgencyCode, { maxItems: 500, uniqueItems: true })])),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  hitFpir: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'per check of someone not on the list, the chance of a false hit against it (default 1e-3)' })),
  reviewFpir: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'per check of someone not on the list, the chance of a false review (default 1e-2)' })),
  qualityPolicy: Type.Optional(QualityPolicyField),
});
const DeleteQuery = StrictObject({ force: Type.Optional(QueryBool) });

const visible = (p: Principal, w: Watchlist) => p.role === 'admin' || w.agency === p.agency || maySearch(p, w);
const view = (w: Watchlist) => ({
  id: w.id, name: w.name, agency: w.agency, disclosure: w.disclosure, searchableBy: w.searchableBy, description: w.description,
  thresholds: { hitFpir: w.hitFpir, reviewFpir: w.reviewFpir },
  qualityPolicy: w.qualityPolicy,
  createdAt: w.createdAt,
});

export function watchlistRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: Static<typeof CreateWatchlist> }>('/v1/watchlists', {
    config: { roles: ['admin'] },
    schema: { tags: ['watchlists'], summary: 'Create a watchlist', security: bearer, body: CreateWatchlist, response: { ...commonErrors } },
  }, async (req, reply) => {
    const p = principal(req);
    const w = await ctx.db.tx(async (c) => {
      await ensureAgency(c, req.body.agency);
      for (const a of req.body.searchableBy ?? []) await ensureAgency(c, a);
      if ((req.body.reviewFpir ?? DEFAULT_REVIEW_FPIR) < (req.body.hitFpir ?? DEFAULT_HIT_FPIR)) {
        throw new AppError('VALIDATION_FAILED', 'reviewFpir must be at least hitFpir (review is the looser threshold)');
      }
      const created = await insertWatchlist(c, req.body);
      if (!created) throw new AppError('WATCHLIST_EXISTS', `watchlist '${req.body.id}' exists already`);
      await appendAudit(c, { ...actor(p), requestId: req.id, action: 'watchlist.create', target: created.id, details: { agency: created.agency, disclosure: created.disclosure } });
      return created;
    });
    return reply.status(201).send(view(w));
  });

  app.get('/v1/watchlists', {
    config: { roles: ['admin', 'enroller', 'kiosk', 'examiner'] },
    schema: { tags: ['watchlists'], summary: 'Watchlists the caller may enrol into or search', security: bearer },
  }, async (req) => {
    const p = principal(req);
    return { watchlists: (await listWatchlists(ctx.db)).filter((w) => visible(p, w)).map(view) };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/v1/watchlists/:id', {
    config: { roles: ['admin', 'enroller', 'kiosk', 'examiner'] },
    schema: { tags: ['watchlists'], summary: 'One watchlist', security: bearer, params: IdParams },
  }, async (req) => {
    const w = await getWatchlist(ctx.db, req.params.id);
    if (!w || !visible(principal(req), w)) throw new AppError('WATCHLIST_NOT_FOUND', `no watchlist '${req.params.id}'`);
    const n = await ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM subjects WHERE watchlist = $1 AND deleted_at IS NULL', [w.id]);
    return { ...view(w), subjects: mayManage(principal(req), w) ? Number(n.rows[0].n) : undefined };
  });

  app.delete<{ Params: Static<typeof IdParams>; Querystring: Static<typeof DeleteQuery> }>('/v1/watchlists/:id', {
    config: { roles: ['admin'] },
    schema: { tags: ['watchlists'], summary: 'Delete a watchlist (with ?force=true, its subjects and samples too)', security: bearer, params: IdParams, querystring: DeleteQuery },
  }, async (req, reply) => {
    const p = principal(req);
    const deleted = await ctx.db.tx(async (c) => {
      const w = await c.query('SELECT id FROM watchlists WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [req.params.id]);
      if (!w.rowCount) throw new AppError('WATCHLIST_NOT_FOUND', `no watchlist '${req.params.id}'`);
      const live = await c.query<{ id: string }>('SELECT id FROM subjects WHERE watchlist = $1 AND deleted_at IS NULL', [req.params.id]);
      if (live.rowCount && req.query.force !== 'true') {
        throw new AppError('CONFLICT', `watchlist '${req.params.id}' still holds ${live.rowCount} subject(s); delete with ?force=true to remove them too`);
      }
      const ids = { face: [] as number[], finger: [] as number[] };
      for (const s of live.rows) {
        const d = await deleteSubject(c, s.id);
        if (d) { ids.face.push(...d.face); ids.finger.push(...d.finger); }
      }
      // The row stays as a tombstone (past cases refer to it) but is gone from every read.
      await c.query('UPDATE watchlists SET deleted_at = now(), description = NULL WHERE id = $1', [req.params.id]);
      await appendAudit(c, { ...actor(p), requestId: req.id, action: 'watchlist.delete', target: req.params.id, details: { subjects: live.rowCount } });
      return ids;
    }, DELETION_RETRIES);
    ctx.samples.deleted(deleted);
    return reply.status(204).send();
  });
}
