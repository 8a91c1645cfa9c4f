// Watchlists: admins create and delete; every role lists the ones it may work with.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { createWatchlist, deleteWatchlist, readWatchlist, visibleWatchlists } from '../../store/watchlist-admin.ts';
import type { Watchlist } from '../../store/watchlists.ts';
import { principal } from '../auth.ts';
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
  }, async (req, reply) => reply.status(201).send(view(await createWatchlist(ctx, principal(req), req.body, req.id))));

  app.get('/v1/watchlists', {
    config: { roles: ['admin', 'enroller', 'kiosk', 'examiner'] },
    schema: { tags: ['watchlists'], summary: 'Watchlists the caller may enrol into or search', security: bearer },
  }, async (req) => ({ watchlists: (await visibleWatchlists(ctx, principal(req))).map(view) }));

  app.get<{ Params: Static<typeof IdParams> }>('/v1/watchlists/:id', {
    config: { roles: ['admin', 'enroller', 'kiosk', 'examiner'] },
    schema: { tags: ['watchlists'], summary: 'One watchlist', security: bearer, params: IdParams },
  }, async (req) => {
    const { watchlist, subjects } = await readWatchlist(ctx, principal(req), req.params.id);
    return { ...view(watchlist), subjects };
  });

  app.delete<{ Params: Static<typeof IdParams>; Querystring: Static<typeof DeleteQuery> }>('/v1/watchlists/:id', {
    config: { roles: ['admin'] },
    schema: { tags: ['watchlists'], summary: 'Delete a watchlist (with ?force=true, its subjects and samples too)', security: bearer, params: IdParams, querystring: DeleteQuery },
  }, async (req, reply) => {
    ctx.samples.deleted(await deleteWatchlist(ctx, principal(req), req.params.id, req.query.force === 'true', req.id));
    return reply.status(204).send();
  });
}
