// Connections (N:N): one person under several subjects, found across every watchlist. Examiners list and
// decide links; admins run and cancel full passes.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { decideConnectionSide } from '../../connections/disclosure.ts';
import { decideConnection, listVisibleConnections } from '../../connections/review.ts';
import { scanStatus, startScan, stopScan } from '../../connections/scan.ts';
import { principal } from '../auth.ts';
import { IdParams, QueryInt, StrictObject, WatchlistId, bearer, bodyOptional, commonErrors, queryInt } from '../schemas.ts';

const Status = Type.Union([Type.Literal('pending'), Type.Literal('same-person'), Type.Literal('different-persons'), Type.Literal('inconclusive')]);
const Outcome = Type.Union([Type.Literal('same-person'), Type.Literal('different-persons'), Type.Literal('inconclusive')]);
const Scores = Type.Object({ face: Type.Optional(Type.Number()), finger: Type.Optional(Type.Number()) });
const Side = Type.Object({
  subjectId: Type.Union([Type.String(), Type.Null()], { description: 'null for another agency\'s hit/no-hit subject' }),
  handle: Type.String({ description: 'opaque, per connection and side' }),
  watchlist: Type.String(), agency: Type.String(), score: Type.Number(), scores: Scores, level: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]), name: Type.Union([Type.String(), Type.Null()]),
  disclosure: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('disclosed'), Type.Literal('declined')], {
    description: "only on another agency's hit/no-hit subject: where its owner's decision for the caller's agency stands",
  })),
});
const Connection = Type.Object({
  id: Type.String({ format: 'uuid' }),
  subjects: Type.Array(Side, { minItems: 2, maxItems: 2 }),
  score: Type.Number({ description: 'fused -log10 FMR of the two subjects\' best comparisons (face, each finger once)' }),
  scores: Scores,
  level: Type.Union([Type.Literal('hit'), Type.Literal('review')]),
  status: Status,
  clusterId: Type.Union([Type.String(), Type.Null()], { description: 'shared by the links of one cluster; null for a link between clusters' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const ListQuery = StrictObject({
  status: Type.Optional(Status),
  watchlist: Type.Optional(WatchlistId),
  minScore: Type.Optional(Type.String({ pattern: '^[0-9]{1,2}(\\.[0-9]{1,4})?$', description: 'lowest fused score, e.g. 6.5' })),
  limit: Type.Optional(QueryInt(500)),
});
const DecisionBody = StrictObject({ outcome: Outcome, note: Type.Optional(Type.String({ maxLength: 5000 })) });
const ScanView = Type.Object({
  jobId: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('cancelled')]),
  done: Type.Integer(), total: Type.Integer(), rate: Type.Number({ description: 'samples searched per second' }),
  startedAt: Type.String({ format: 'date-time' }), finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const SideBody = StrictObject({
  note: Type.Optional(Type.String({ maxLength: 5000 })),
  handle: Type.Optional(Type.String({ pattern: '^h_[A-Za-z0-9_-]{8,64}$', description: 'the side, needed only when both sides are withheld from each other' })),
}, { examples: [{ note: 'same person as our 2026/77; cleared for FR' }] });
const SideDecided = Type.Object({
  connectionId: Type.String({ format: 'uuid' }), handle: Type.String(), agency: Type.String({ description: 'the agency the decision is for' }),
  status: Type.Union([Type.Literal('disclosed'), Type.Literal('declined')]), disclosed: Type.Boolean(),
}, { examples: [{ connectionId: '7d5b1c3e-9a40-4f7b-8e2a-1b6c0d9f4e21', handle: 'h_V2l0aGhlbGRTaWRl', agency: 'FR', status: 'disclosed', disclosed: true }] });
const sideRule = 'Owner agency of a hit/no-hit side (or admin) only; to anyone else the connection does not exist (404 CONNECTION_NOT_FOUND). '
  + 'The decision is the one hits take: it holds for that subject and the other side\'s agency, in its checks and connections alike. The body is optional.';
const JobParams = StrictObject({ jobId: Type.String({ maxLength: 64 }) });
const err = Type.Ref('Error');

const side = (over: Record<string, unknown>) => ({ subjectId: '3f0c6a51-2b8e-4d61-9a1e-5c2f7e8d9b10', handle: 'h_Q2xvc2VUb0hvbWU', watchlist: 'fr-wanted', agency: 'FR', score: 9.12, scores: { finger: 9.12 }, level: 'hit', reference: 'FR/2026/123', name: 'Jean Exemple', ...over });
const CONNECTION_EXAMPLE = {
  id: '7d5b1c3e-9a40-4f7b-8e2a-1b6c0d9f4e21', score: 9.12, scores: { finger: 9.12 }, level: 'hit', status: 'pending',
  clusterId: '7d5b1c3e-9a40-4f7b-8e2a-1b6c0d9f4e21', updatedAt: '2026-12-02T05:10:00.000Z',
  subjects: [side({}), side({ subjectId: null, handle: 'h_V2l0aGhlbGRTaWRl', watchlist: 'de-sensitive', agency: 'DE', reference: null, name: null })],
};
const SCAN_EXAMPLE = { jobId: '0b9f3f4e-51d2-4c8a-a7c1-2e6f1d0a9b33', status: 'running', done: 1200, total: 5000, rate: 410.5, startedAt: '2026-12-02T05:00:00.000Z', finishedAt: null };

export function connectionRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/v1/connections', {
    config: { roles: ['examiner', 'admin'] },
    schema: {
      tags: ['connections'], summary: 'Connections the caller may see: pairs of subjects that look like one person',
      description: 'Links found by the background search after each enrolment and by full passes, best first. A link is listed where the caller may search both '
        + "sides' watchlists and may see at least one side's identity; another agency's hit/no-hit subject shows only its handle. The read is audited.",
      security: bearer, querystring: ListQuery,
      response: { 200: Type.Object({ connections: Type.Array(Connection) }, { examples: [{ connections: [CONNECTION_EXAMPLE] }] }), ...commonErrors },
    },
  }, async (req) => {
    const q = req.query;
    const connections = await listVisibleConnections(ctx, principal(req), {
      status: q.status, watchlist: q.watchlist, minScore: q.minScore === undefined ? undefined : Number(q.minScore), limit: queryInt(q.limit, 100, 1, 500),
    }, req.id);
    return { connections };
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DecisionBody> }>('/v1/connections/:id/decisions', {
    config: { roles: ['examiner', 'admin'] },
    schema: {
      tags: ['connections'], summary: 'Decide a connection: same person, different persons, or inconclusive',
      description: 'Audited. "same-person" merges the two subjects\' clusters; "different-persons" keeps the link closed through later passes and out of every cluster.',
      security: bearer, params: IdParams, body: { ...DecisionBody, examples: [{ outcome: 'same-person', note: 'same scars, same date of birth' }] },
      response: {
        201: Type.Object({ connectionId: Type.String(), outcome: Outcome, status: Status, clusterId: Type.Union([Type.String(), Type.Null()]) },
          { examples: [{ connectionId: CONNECTION_EXAMPLE.id, outcome: 'same-person', status: 'same-person', clusterId: CONNECTION_EXAMPLE.id }] }),
        ...commonErrors,
      },
    },
  }, async (req, reply) => reply.status(201).send(await decideConnection(ctx, principal(req), req.params.id, req.body, req.id)));

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof SideBody> }>('/v1/connections/:id/disclose', {
    config: { roles: ['examiner', 'admin'] },
    ...bodyOptional,
    schema: {
      tags: ['connections'], summary: "Disclose the caller's withheld side of a connection to the agency on the other side",
      description: `${sideRule} A disclosure is final. Audited as connection.disclose.`,
      security: bearer, params: IdParams, body: SideBody, response: { 200: SideDecided, ...commonErrors, 409: err },
    },
  }, async (req) => decideConnectionSide(ctx, principal(req), req.params.id, { status: 'disclosed', note: req.body?.note, handle: req.body?.handle }, req.id));

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof SideBody> }>('/v1/connections/:id/decline', {
    config: { roles: ['examiner', 'admin'] },
    ...bodyOptional,
    schema: {
      tags: ['connections'], summary: "Decline to disclose the caller's withheld side of a connection",
      description: `${sideRule} The other side sees 'declined' and never the identity; a disclosed side cannot be declined (409 HIT_ALREADY_DISCLOSED). Audited as connection.decline.`,
      security: bearer, params: IdParams, body: SideBody, response: { 200: SideDecided, ...commonErrors, 409: err },
    },
  }, async (req) => decideConnectionSide(ctx, principal(req), req.params.id, { status: 'declined', note: req.body?.note, handle: req.body?.handle }, req.id));

  app.post('/v1/connections/scan', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['connections'], summary: 'Start a full pass: every live sample searched against every other subject',
      description: 'Recomputes every link over the whole gallery (after a model change, or at first install on an existing gallery) in the background; '
        + 'decisions are kept. One pass at a time (409 SCAN_RUNNING with its jobId). Progress: GET /v1/connections/scan/{jobId} and /metrics.',
      security: bearer,
      response: { 202: Type.Object({ jobId: Type.String({ format: 'uuid' }) }, { examples: [{ jobId: SCAN_EXAMPLE.jobId }] }), 409: err, ...commonErrors },
    },
  }, async (req, reply) => reply.status(202).send({ jobId: (await startScan(ctx, principal(req), req.id)).jobId }));

  app.get<{ Params: Static<typeof JobParams> }>('/v1/connections/scan/:jobId', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['connections'], summary: 'Progress and outcome of a full pass', security: bearer, params: JobParams,
      description: 'done/total samples searched and the rate so far (samples per second).',
      response: { 200: { ...ScanView, examples: [SCAN_EXAMPLE] }, ...commonErrors },
    },
  }, async (req) => scanStatus(ctx, req.params.jobId));

  app.post<{ Params: Static<typeof JobParams> }>('/v1/connections/scan/:jobId/cancel', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['connections'], summary: 'Cancel a running full pass', security: bearer, params: JobParams,
      description: 'The samples not yet searched are dropped from the queue; links found so far stay. A finished pass is answered as it is.',
      response: { 200: { ...ScanView, examples: [{ ...SCAN_EXAMPLE, status: 'cancelled', finishedAt: '2026-12-02T05:03:00.000Z' }] }, ...commonErrors },
    },
  }, async (req) => stopScan(ctx, principal(req), req.params.jobId, req.id));
}
