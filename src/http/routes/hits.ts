// The owner agency's side of hit/no-hit sharing: its hits (oldest first), one hit with the probe that
// matched, and its decision: disclose the identity to the requesting agency, or decline.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { decideHit, listHits, readHit } from '../../cases/hits.ts';
import { principal } from '../auth.ts';
import { QueryInt, StrictObject, bearer, bodyOptional, commonErrors, queryInt } from '../schemas.ts';
import { HitStatusSchema, HitSummarySchema, ProbeSchema, hitExample } from '../view-schemas.ts';

const ListQuery = StrictObject({
  status: Type.Optional(HitStatusSchema),
  limit: Type.Optional(QueryInt(500)),
  offset: Type.Optional(QueryInt(1_000_000)),
});
const HandleParams = StrictObject({ handle: Type.String({ pattern: '^h_[A-Za-z0-9_-]{8,64}$' }) });
const NoteBody = StrictObject({ note: Type.Optional(Type.String({ maxLength: 5000 })) }, { examples: [{ note: 'confirmed by comparison; cleared for NO' }] });
const Decided = Type.Object({ handle: Type.String(), status: Type.Union([Type.Literal('disclosed'), Type.Literal('declined')]), disclosed: Type.Boolean() }, {
  examples: [{ handle: hitExample.handle, status: 'disclosed', disclosed: true }],
});
const HitDetail = Type.Intersect([HitSummarySchema, Type.Object({ probeKept: Type.Boolean(), probe: ProbeSchema })], {
  examples: [{ ...hitExample, probeKept: true, probe: { fingerprints: [{ template: 'Rk1SACAyMAAAAAEIAAABPAFi...', position: 2, format: 'template' }] } }],
});
const Conflict = Type.Ref('Error');

const decisionRule = 'The decision holds for every hit on this subject by the requesting agency, earlier and later ones.';

export function hitRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/v1/hits', {
    config: { roles: ['examiner', 'admin'] },
    schema: {
      tags: ['hits'], summary: "Hits other agencies' checks found on the caller's agency's hit/no-hit watchlists, oldest first", security: bearer,
      description: 'Each hit with the requesting agency, the subject, the scores, when, and where the decision stands. '
        + '`status` filters (pending, disclosed, declined); `limit` (default 100) and `offset` page, `next` is the offset of the next page. Audited as hit.list.',
      querystring: ListQuery,
      response: { 200: Type.Object({ hits: Type.Array(HitSummarySchema), next: Type.Union([Type.Integer(), Type.Null()]) }, { examples: [{ hits: [hitExample], next: null }] }), ...commonErrors },
    },
  }, async (req) => listHits(ctx.db, principal(req), {
    status: req.query.status, limit: queryInt(req.query.limit, 100, 1, 500), offset: queryInt(req.query.offset, 0, 0, 1_000_000), requestId: req.id,
  }));

  app.get<{ Params: Static<typeof HandleParams> }>('/v1/hits/:handle', {
    config: { roles: ['examiner', 'admin'] },
    schema: {
      tags: ['hits'], summary: 'One hit, with the probe that matched, for the owner agency to compare before deciding', security: bearer,
      description: 'Owner agency (or admin) only; to anyone else the handle does not exist (404 HIT_NOT_FOUND). Audited as hit.read.',
      params: HandleParams, response: { 200: HitDetail, ...commonErrors },
    },
  }, async (req) => readHit(ctx.db, principal(req), req.params.handle, req.id));

  app.post<{ Params: Static<typeof HandleParams>; Body: Static<typeof NoteBody> }>('/v1/hits/:handle/disclose', {
    config: { roles: ['examiner', 'admin'] },
    ...bodyOptional,
    schema: {
      tags: ['hits'], summary: 'Disclose the identity behind a hit to the agency that ran the check', security: bearer,
      description: `Owner agency (or admin) only. The body is optional. A disclosure is final. ${decisionRule} Audited as hit.disclose.`,
      params: HandleParams, body: NoteBody, response: { 200: Decided, ...commonErrors },
    },
  }, async (req) => decideHit(ctx.db, principal(req), req.params.handle, 'disclosed', req.body?.note ?? null, req.id));

  app.post<{ Params: Static<typeof HandleParams>; Body: Static<typeof NoteBody> }>('/v1/hits/:handle/decline', {
    config: { roles: ['examiner', 'admin'] },
    ...bodyOptional,
    schema: {
      tags: ['hits'], summary: 'Decline to disclose the identity behind a hit', security: bearer,
      description: `Owner agency (or admin) only. The body is optional. The requesting agency sees 'declined' and never the identity; `
        + `a declined hit may still be disclosed later, a disclosed one cannot be declined (409 HIT_ALREADY_DISCLOSED). ${decisionRule} Audited as hit.decline.`,
      params: HandleParams, body: NoteBody, response: { 200: Decided, ...commonErrors, 409: Conflict },
    },
  }, async (req) => decideHit(ctx.db, principal(req), req.params.handle, 'declined', req.body?.note ?? null, req.id));
}
