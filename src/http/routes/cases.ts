// Examiners' review: list pending cases, open one (probe, candidates, matched enrolled samples),
// decide per candidate, close. Decisions on one case are serialised by a row lock (no lost update).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { caseCandidateViews, loadCase, lockPendingCase, type CaseRow } from '../../cases/access.ts';
import { probeRecords } from '../../cases/probes.ts';
import { assertNotDisputed, listVerifications, recordVerification } from '../../cases/verification.ts';
import { appendAudit } from '../../store/audit.ts';
import { actor, principal } from '../auth.ts';
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
  }, async (req) => {
    const p = principal(req);
    const args: unknown[] = [req.query.status ?? null, p.role === 'admin' ? null : p.agency, queryInt(req.query.limit, 100, 1, 500),
      req.query.decision ?? null, req.query.watchlist ?? null, queryInt(req.query.offset, 0, 0, 1_000_000)];
    const r = await ctx.db.query<CaseRow & { decision: string; candidates: string; pending: string; best: number | null; lists: string[] }>(
      `SELECT k.*, c.decision, (SELECT count(*) FROM case_candidates x WHERE x.case_id = k.id) AS candidates,
              (SELECT count(*) FROM case_candidates x WHERE x.case_id = k.id AND x.outcome IS NULL AND x.level <> 'none') AS pending,
              (SELECT max(x.score) FROM case_candidates x WHERE x.case_id = k.id) AS best,
              ARRAY(SELECT DISTINCT x.watchlist FROM case_candidates x WHERE x.case_id = k.id AND x.level <> 'none' ORDER BY 1) AS lists
       FROM cases k JOIN checks c ON c.id = k.check_id
       WHERE ($1::text IS NULL OR k.status = $1) AND ($2::text IS NULL OR k.agency = $2) AND ($4::text IS NULL OR c.decision = $4)
         AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM case_candidates x WHERE x.case_id = k.id AND x.watchlist = $5 AND x.level <> 'none'))
       ORDER BY k.created_at DESC LIMIT $3 OFFSET $6`, args);
    await ctx.db.tx((c) => appendAudit(c, { ...actor(p), requestId: req.id, action: 'case.list', details: { status: req.query.status ?? null, count: r.rowCount } }));
    return {
      cases: r.rows.map((k) => ({
        id: k.id, checkId: k.check_id, status: k.status, outcome: k.outcome, decision: k.decision, agency: k.agency,
        candidates: Number(k.candidates), undecided: Number(k.pending), createdAt: k.created_at.toISOString(),
        bestScore: k.best === null ? null : +k.best.toFixed(4), watchlists: k.lists,
      })),
    };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/v1/cases/:id', {
    config: { roles: ['examiner', 'admin'] },
    schema: {
      tags: ['cases'], summary: 'A case: the probe, the candidates, the enrolled samples they matched, the decisions', security: bearer, params: IdParams,
      description: "For the agency that ran the check (admins: any; to others 404). Candidates follow the check's rule: hit and review only, "
        + "every level for an investigative check; a subject of another agency's hit/no-hit watchlist as a handle with the owner's decision "
        + '(pending, disclosed, declined) until disclosed. Audited as case.read, and as disclosure.read where a disclosed identity is shown.',
      response: { 200: CaseView, ...commonErrors },
    },
  }, async (req) => {
    const p = principal(req);
    const k = await loadCase(ctx, p, req.params.id);
    const { mode, viewed } = await caseCandidateViews(ctx, p, k, req.id);
    // Enrolled samples are shown only where the identity is visible to this caller.
    const sampleIds = viewed.flatMap((v) => (v.identityVisible ? (v.row.matched as { sampleId: number }[]).map((m) => m.sampleId) : []));
    const samples = sampleIds.length
      ? (await ctx.db.query<{ id: string; modality: string; position: number | null; source_format: string; source: Buffer | null; quality: unknown }>(
        'SELECT id, modality, position, source_format, source, quality FROM samples WHERE id = ANY($1::bigint[])', [sampleIds])).rows
      : [];
    const probe = await probeRecords(ctx.db, k.check_id);
    const decisions = await ctx.db.query<{ candidate: string; outcome: string; note: string | null; agency: string; at: Date }>(
      'SELECT candidate, outcome, note, agency, at FROM case_decisions WHERE case_id = $1 ORDER BY id', [k.id]);
    await ctx.db.tx((c) => appendAudit(c, { ...actor(p), requestId: req.id, action: 'case.read', target: k.id }));
    return {
      id: k.id, checkId: k.check_id, status: k.status, outcome: k.outcome, agency: k.agency, version: k.version,
      createdAt: k.created_at.toISOString(), closedAt: k.closed_at?.toISOString() ?? null, mode,
      probeKept: probe.length > 0,
      probe: probe.map((x) => ({ modality: x.modality, position: x.position, format: x.format, data: x.data.toString('base64') })),
      candidates: viewed.map(({ view, row, identityVisible }) => {
        return {
          ...view, outcome: row.outcome ?? null, note: row.note ?? null,
          matched: identityVisible ? (row.matched as { sampleId: number; modality: string; score: number; probe?: number }[]).map((m) => {
            const s = samples.find((x) => Number(x.id) === m.sampleId);
            return { ...m, position: s?.position ?? null, format: s?.source_format ?? null, source: s?.source ? s.source.toString('base64') : null };
          }) : [],
        };
      }),
      decisions: decisions.rows.map((d) => ({ ...d, at: d.at.toISOString() })),
      verifications: await listVerifications(ctx.db, k),
    };
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DecisionBody> }>('/v1/cases/:id/decisions', {
    config: { roles: ['examiner', 'admin'] },
    schema: { tags: ['cases'], summary: 'Record an examiner decision on one candidate', security: bearer, params: IdParams, body: DecisionBody },
  }, async (req, reply) => {
    const p = principal(req);
    await loadCase(ctx, p, req.params.id);
    const out = await ctx.db.tx(async (c) => {
      const k = await lockPendingCase(c, req.params.id, 'this case is closed');
      const cand = await c.query('UPDATE case_candidates SET outcome = $3, note = $4, decided_by = $5, decided_at = now() WHERE case_id = $1 AND handle = $2',
        [k.id, req.body.candidate, req.body.outcome, req.body.note ?? null, p.keyId]);
      if (!cand.rowCount) throw new AppError('NOT_FOUND', 'no such candidate in this case');
      await c.query('INSERT INTO case_decisions (case_id, candidate, outcome, note, key_id, agency) VALUES ($1,$2,$3,$4,$5,$6)',
        [k.id, req.body.candidate, req.body.outcome, req.body.note ?? null, p.keyId, p.agency]);
      const v = await c.query<{ version: number }>('UPDATE cases SET version = version + 1 WHERE id = $1 RETURNING version', [k.id]);
      await appendAudit(c, { ...actor(p), requestId: req.id, action: 'case.decide', target: k.id, details: { candidate: req.body.candidate, outcome: req.body.outcome } });
      return { caseId: k.id, candidate: req.body.candidate, outcome: req.body.outcome, version: v.rows[0].version };
    });
    return reply.status(201).send(out);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CloseBody> }>('/v1/cases/:id/close', {
    config: { roles: ['examiner', 'admin'] },
    ...bodyOptional,
    schema: {
      tags: ['cases'], summary: 'Close a case: confirmed if any candidate was confirmed, else rejected', security: bearer, params: IdParams, body: CloseBody,
      description: 'The body is optional. 409 CONFLICT while a hit or review candidate has no decision, 409 CASE_CLOSED once closed.',
      response: { 200: Closed, ...commonErrors, 409: Type.Ref('Error') },
    },
  }, async (req) => {
    const p = principal(req);
    await loadCase(ctx, p, req.params.id);
    return ctx.db.tx(async (c) => {
      const k = await lockPendingCase(c, req.params.id, 'this case is closed already');
      const open = await c.query("SELECT 1 FROM case_candidates WHERE case_id = $1 AND level <> 'none' AND outcome IS NULL", [k.id]);
      if (open.rowCount) throw new AppError('CONFLICT', `${open.rowCount} hit/review candidate(s) have no decision yet`);
      await assertNotDisputed(c, k);
      const confirmed = await c.query("SELECT 1 FROM case_candidates WHERE case_id = $1 AND outcome = 'confirmed'", [k.id]);
      const outcome = confirmed.rowCount ? 'confirmed' : 'rejected';
      await c.query("UPDATE cases SET status = 'closed', outcome = $2, closed_at = now(), closed_by = $3, version = version + 1 WHERE id = $1", [k.id, outcome, p.keyId]);
      await appendAudit(c, { ...actor(p), requestId: req.id, action: 'case.close', target: k.id, details: { outcome, note: req.body?.note ?? null } });
      return { id: k.id, status: 'closed', outcome };
    });
  });

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
  }, async (req, reply) => {
    const p = principal(req);
    await loadCase(ctx, p, req.params.id);
    const out = await ctx.db.tx(async (c) => {
      const k = await lockPendingCase(c, req.params.id, 'this case is closed');
      await recordVerification(c, p, k, req.body.outcome, req.body.note ?? null);
      await appendAudit(c, { ...actor(p), requestId: req.id, action: 'case.verify', target: k.id, details: { outcome: req.body.outcome, version: k.version } });
      return { caseId: k.id, outcome: req.body.outcome, caseVersion: k.version };
    });
    return reply.status(201).send(out);
  });
}
