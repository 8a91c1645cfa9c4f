// Examiners' review: list pending cases, open one (probe, candidates, matched enrolled samples),
// decide per candidate, close. Decisions on one case are serialised by a row lock (no lost update).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { closeCase, decideCandidate, listCases, readCase, verifyCase } from '../../cases/review.ts';
import { principal } from '../auth.ts';
import { IdParams, QueryInt, StrictObject, bearer, bodyOptional, commonErrors, queryInt } from '../schemas.ts';
import { CandidateSchema, Nullable, candidateExample } from '../view-schemas.ts';

const ListQuery = StrictObject({
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('closed')])),
  decision: Type.Optional(Type.Union([Type.Literal('hit'), Type.Literal('review')])),
  watchlist: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(QueryInt(500)),
  offset: Type.Optional(QueryInt()),
});
const DecisionBody = StrictObject({
  candidate: Type.String({ minLength: 1, maxLength: 100 }),
  outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('rejected'), Type.Literal('inconclusive')], {
    description: "an examiner's conclusion: confirmed = identification, rejected = exclusion, inconclusive = decided, confirming no one" }),
  note: Type.Optional(Type.String({ maxLength: 5000 })),
});
const CloseBody = StrictObject({ note: Type.Optional(Type.String({ maxLength: 5000 })) }, { examples: [{ note: 'no match after comparison' }] });
const CaseView = Type.Object({
  id: Type.String(), checkId: Type.String(), status: Type.String(), outcome: Nullable(Type.String()), agency: Type.String(), version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }), closedAt: Nullable(Type.String({ format: 'date-time' })),
  mode: Type.Union([Type.Literal('standard'), Type.Literal('investigative')]),
  probeKept: Type.Boolean({ description: 'whether the probe was kept (always for a case: it comes from a hit or review)' }),
  probe: Type.Array(Type.Object({ modality: Type.String(), position: Nullable(Type.Integer()), format: Type.String(), data: Type.String({ description: 'base64' }) }, { additionalProperties: true })),
  candidates: Type.Array(Type.Intersect([CandidateSchema, Type.Object({
    outcome: Nullable(Type.String()), note: Nullable(Type.String()),
    matched: Type.Array(Type.Object({}, { additionalProperties: true }), { description: 'the enrolled samples that matched, only where the identity is visible' }),
  }, { additionalProperties: true })])),
  decisions: Type.Array(Type.Object({}, { additionalProperties: true })),
  verifications: Type.Array(Type.Object({}, { additionalProperties: true }), { description: "second examiners' verifications, oldest first" }),
}, {
  additionalProperties: true,
  examples: [{ id: '5b0f8a3e-6a51-4d55-9c2e-0f1f7d3c2b11', checkId: '0c8a1e52-93f3-4b7e-8a3d-7c2d9b1e4f60', status: 'pending', outcome: null, agency: 'NO', version: 0,
    createdAt: '2026-12-02T04:30:00.000Z', closedAt: null, mode: 'standard', probeKept: true,
    probe: [{ modality: 'finger', position: 2, format: 'template', data: 'Rk1SACAyMAAAAAEIAAABPAFi...' }],
    candidates: [{ ...candidateExample, outcome: null, note: null, matched: [] }], decisions: [], verifications: [] }],
});
const Closed = Type.Object({ id: Type.String(), status: Type.Literal('closed'), outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('rejected')]) }, {
  examples: [{ id: '5b0f8a3e-6a51-4d55-9c2e-0f1f7d3c2b11', status: 'closed', outcome: 'rejected' }],
});
const VerifyBody = StrictObject({
  outcome: Type.Union([Type.Literal('verified'), Type.Literal('disputed')]),
  note: Type.Optional(Type.String({ maxLength: 5000 })),
}, { examples: [{ outcome: 'verified', note: 'ridge detail and face re-examined independently' }] });

export function caseRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/v1/cases', {
    config: { roles: ['examiner', 'admin'] },
    schema: { tags: ['cases'], summary: 'Cases to review, newest first (filters: status, decision, watchlist of a hit/review candidate; page with limit and offset)', security: bearer, querystring: ListQuery },
  }, async (req) => ({
    cases: await listCases(ctx, principal(req), {
      status: req.query.status, decision: req.query.decision, watchlist: req.query.watchlist,
      limit: queryInt(req.query.limit, 100, 1, 500), offset: queryInt(req.query.offset, 0, 0, 1_000_000),
    }, req.id),
  }));

  app.get<{ Params: Static<typeof IdParams> }>('/v1/cases/:id', {
    config: { roles: ['examiner', 'admin'] },
    schema: {
      tags: ['cases'], summary: 'A case: the probe, the candidates, the enrolled samples they matched, the decisions', security: bearer, params: IdParams,
      description: "For the agency that ran the check (admins: any; to others 404). Candidates follow the check's rule: hit and review only, "
        + "every level for an investigative check; a subject of another agency's hit/no-hit watchlist as a handle with the owner's decision "
        + '(pending, disclosed, declined) until disclosed. Audited as case.read, and as disclosure.read where a disclosed identity is shown.',
      response: { 200: CaseView, ...commonErrors },
    },
  }, async (req) => readCase(ctx, principal(req), req.params.id, req.id));

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DecisionBody> }>('/v1/cases/:id/decisions', {
    config: { roles: ['examiner', 'admin'] },
    schema: { tags: ['cases'], summary: 'Record an examiner decision on one candidate', security: bearer, params: IdParams, body: DecisionBody },
  }, async (req, reply) => reply.status(201).send(await decideCandidate(ctx, principal(req), req.params.id, req.body, req.id)));

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CloseBody> }>('/v1/cases/:id/close', {
    config: { roles: ['examiner', 'admin'] },
    ...bodyOptional,
    schema: {
      tags: ['cases'], summary: 'Close a case: confirmed if any candidate was confirmed, else rejected', security: bearer, params: IdParams, body: CloseBody,
      description: 'The body is optional. 409 CONFLICT while a hit or review candidate has no decision, 409 CASE_CLOSED once closed.',
      response: { 200: Closed, ...commonErrors, 409: Type.Ref('Error') },
    },
  }, async (req) => closeCase(ctx, principal(req), req.params.id, req.body?.note ?? null, req.id));

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof VerifyBody> }>('/v1/cases/:id/verifications', {
    config: { roles: ['examiner', 'admin'] },
    schema: {
      tags: ['cases'], summary: "A second examiner verifies or disputes the case's conclusions (ACE-V's verification)",
      description: 'Optional. Once every hit/review candidate has a conclusion, an examiner whose key recorded none of them '
        + 'verifies or disputes them as they stand (the case version). While the latest verification of the current '
        + 'version is a dispute, the case does not close (409); a new decision makes earlier verifications stale.',
      security: bearer, params: IdParams, body: VerifyBody,
      response: {
        201: Type.Object({ caseId: Type.String(), outcome: Type.String(), caseVersion: Type.Integer() },
          { examples: [{ caseId: '6f1c1d3e-8d0a-4a53-9a43-0c8f2b1e7d21', outcome: 'verified', caseVersion: 3 }] }),
        ...commonErrors, 409: Type.Ref('Error'),
      },
    },
  }, async (req, reply) => reply.status(201).send(await verifyCase(ctx, principal(req), req.params.id, req.body.outcome, req.body.note ?? null, req.id)));
}
