// POST /v1/checks (the frontline 1:N call) and GET /v1/checks/:id (the kiosk polls the outcome).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { MAX_LIMIT, MAX_PROBE_FINGERS, runCheck, type CheckInput, type CheckOutcome } from '../../fusion/check.ts';
import type { Modalities } from '../../fusion/modalities.ts';
import { caseCandidateRows } from '../../cases/access.ts';
import { probeKept } from '../../cases/probes.ts';
import { answerTimings, candidateViews, type CandidateRow, type CheckMode } from '../../cases/views.ts';
import { listWatchlists } from '../../store/watchlists.ts';
import { principal } from '../auth.ts';
import { decodeBase64 } from '../base64.ts';
import { BINARY_TYPES } from '../binary-types.ts';
import { Base64Field, IdParams, QualityPolicyField, QualityQuery, StrictObject, WatchlistId, bearer, commonErrors, jsonOrBinary } from '../schemas.ts';
import { CandidateSchema, candidateExample } from '../view-schemas.ts';
import { FingerProbe, fingerProbeInput } from '../finger-probe.ts';

export const CheckBody = StrictObject({
  face: Type.Optional(Base64Field('base64 image (JPEG, PNG, WebP, JPEG 2000)')),
  fingerprints: Type.Optional(Type.Array(FingerProbe, { maxItems: MAX_PROBE_FINGERS })),
  watchlists: Type.Optional(Type.Array(WatchlistId, { minItems: 1, maxItems: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, description: 'most candidates returned (default 10)' })),
  mode: Type.Optional(Type.Union([Type.Literal('standard'), Type.Literal('investigative')], {
    description: 'standard (default): only candidates at hit or review level. investigative (examiners, admins; 403 for kiosks): the top `limit` whatever their level, audited as check.investigative',
  })),
  quality: Type.Optional(QualityPolicyField),
}, { examples: [{ fingerprints: [{ template: 'Rk1SACAyMAAAAAEIAAABPAFiAMUAxQEAAAAoI...', position: 2 }], watchlists: ['se-wanted'], limit: 10 }] });

const CheckAnswer = Type.Object({
  checkId: Type.String(), decision: Type.Union([Type.Literal('hit'), Type.Literal('review'), Type.Literal('no-hit'), Type.Literal('incomplete')]),
  mode: Type.Union([Type.Literal('standard'), Type.Literal('investigative')]),
  candidates: Type.Array(CandidateSchema, { description: 'hit and review candidates, best first (every level in an investigative check); no-hit: []' }),
  caseId: Type.Union([Type.String(), Type.Null()]),
  probeKept: Type.Boolean({ description: 'whether the probe was kept (hits and reviews; no-hits only with BIOCHECK_RETAIN_NO_HIT_PROBES)' }),
  timingsMs: Type.Record(Type.String(), Type.Number(), { description: "stage timings; without the search stages when a searched watchlist is another agency's hit/no-hit list" }),
  quality: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the probe face\'s quality report; with BIOCHECK_PAD=on it carries presentationAttack {realScore, attack}' })),
  warnings: Type.Optional(Type.Array(Type.Object({ modality: Type.String(), code: Type.String(), message: Type.String() }, { additionalProperties: true }))),
  missingShards: Type.Optional(Type.Array(Type.Integer(), { description: 'cluster only: the gallery shards that did not answer within their deadline (the check did not search them)' })),
}, {
  additionalProperties: true,
  examples: [{ checkId: '0c8a1e52-93f3-4b7e-8a3d-7c2d9b1e4f60', decision: 'hit', mode: 'standard', candidates: [candidateExample],
    caseId: '5b0f8a3e-6a51-4d55-9c2e-0f1f7d3c2b11', probeKept: true, timingsMs: { 'finger.extract': 1.9, fuse: 0.8, persist: 6.1, total: 12.3 } }],
});

const CheckPoll = Type.Object({
  checkId: Type.String(), decision: Type.String(), mode: Type.String(), createdAt: Type.String({ format: 'date-time' }),
  caseId: Type.Union([Type.String(), Type.Null()]),
  review: Type.Union([Type.Object({ status: Type.String(), outcome: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  probeKept: Type.Boolean(),
  candidates: Type.Array(Type.Intersect([CandidateSchema, Type.Object({ outcome: Type.Union([Type.String(), Type.Null()]) })])),
}, {
  additionalProperties: true,
  examples: [{ checkId: '0c8a1e52-93f3-4b7e-8a3d-7c2d9b1e4f60', decision: 'hit', mode: 'standard', createdAt: '2026-12-02T04:30:00.000Z',
    caseId: '5b0f8a3e-6a51-4d55-9c2e-0f1f7d3c2b11', review: { status: 'pending', outcome: null }, probeKept: true,
    candidates: [{ ...candidateExample, outcome: null }] }],
});

/** Parsers for non-JSON check bodies (ANSI/NIST-ITL), registered by the layer that owns the format. */
export type CheckBodyParser = (body: Buffer, request: FastifyRequest) => CheckInput;
export type CheckResponder = (outcome: CheckOutcome, json: Record<string, unknown>, request: FastifyRequest) => { contentType: string; body: Buffer | Uint8Array } | null;

export function jsonCheckInput(ctx: AppContext, b: Static<typeof CheckBody>): CheckInput {
  const max = ctx.config.maxUploadBytes;
  return {
    face: b.face ? { image: decodeBase64('face', b.face, max), format: 'image' } : undefined,
    fingers: (b.fingerprints ?? []).map((f, i) => fingerProbeInput(f, `fingerprints[${i}]`, max)),
    watchlists: b.watchlists,
    limit: b.limit ?? 10,
    mode: b.mode,
    quality: b.quality,
  };
}

export function checkRoutes(mods: Modalities, extra: { parsers?: Record<string, CheckBodyParser>; responders?: CheckResponder[] } = {}) {
  return (app: FastifyInstance, ctx: AppContext): void => {
    app.post('/v1/checks', {
      config: { roles: ['kiosk', 'examiner', 'admin'] },
      schema: {
        tags: ['checks'], summary: 'Check a face and/or fingerprints against every watchlist the caller may search', security: bearer,
        description: 'Answers with the candidates at hit or review level only (no-hit: none). Subjects of another agency\'s hit/no-hit '
          + 'watchlist appear as opaque handles with the owner\'s decision (pending, disclosed, declined) until it discloses them. '
          + 'An investigative check (examiners, admins) lists the top `limit` whatever their level, withheld subjects still only at review or above. '
          + 'Also takes an ANSI/NIST-ITL transaction, and answers with one for Accept: application/vnd.ansi-nist-itl. '
          + 'A face with a detectable face is used whatever its quality; the answer carries its quality report (quality). "quality": "strict" (JSON, or ?quality=strict for a transaction body) refuses a poor capture with 422 and the reasons.',
        querystring: QualityQuery, body: jsonOrBinary(CheckBody, BINARY_TYPES), response: { 200: CheckAnswer, ...commonErrors, 422: Type.Ref('Error') },
      },
    }, async (req: FastifyRequest<{ Querystring: Static<typeof QualityQuery> }>, reply) => {
      const p = principal(req);
      const binary = Buffer.isBuffer(req.body) ? req.body : undefined;
      let input: CheckInput;
      if (binary) {
        const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        const parse = extra.parsers?.[type];
        if (!parse) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `checks take application/json${Object.keys(extra.parsers ?? {}).map((t) => ` or ${t}`).join('')}`);
        input = parse(binary, req);
      } else {
        input = jsonCheckInput(ctx, req.body as Static<typeof CheckBody>);
      }
      input.quality ??= req.query.quality;
      const outcome = await runCheck(ctx, mods, p, input, req.id);
      const viewed = await candidateViews(ctx.db, p, outcome.candidates, outcome.watchlists,
        { requestingAgency: p.agency, mode: outcome.mode, requestId: req.id, target: outcome.checkId });
      const json = {
        checkId: outcome.checkId,
        decision: outcome.decision,
        mode: outcome.mode,
        candidates: viewed.map((v) => v.view),
        caseId: outcome.caseId,
        probeKept: outcome.probeKept,
        timingsMs: answerTimings(p, outcome.watchlists.values(), outcome.timingsMs),
        ...(outcome.faceQuality ? { quality: outcome.faceQuality } : {}),
        ...(outcome.warnings.length ? { warnings: outcome.warnings } : {}),
        ...(outcome.fingerQuality.length ? { fingerprintQuality: outcome.fingerQuality } : {}),
        ...(outcome.missingShards ? { missingShards: outcome.missingShards } : {}),
      };
      for (const respond of extra.responders ?? []) {
        const r = respond(outcome, json, req);
        if (r) return reply.type(r.contentType).send(Buffer.from(r.body));
      }
      return json;
    });

    app.get<{ Params: Static<typeof IdParams> }>('/v1/checks/:id', {
      config: { roles: ['kiosk', 'examiner', 'admin'] },
      schema: {
        tags: ['checks'], summary: 'A check and, once examined, its outcome', security: bearer, params: IdParams,
        description: 'For the agency that ran the check (admins: any). Lists what the check answered under the same rule '
          + '(kiosks never see below review), each withheld candidate with the owner\'s decision, and whether the probe was kept.',
        response: { 200: CheckPoll, ...commonErrors },
      },
    }, async (req) => {
      const p = principal(req);
      if (!/^[0-9a-f-]{36}$/i.test(req.params.id)) throw new AppError('CHECK_NOT_FOUND', 'no such check');
      const r = await ctx.db.query<{ id: string; agency: string; decision: string; mode: CheckMode; created_at: Date; case_id: string | null; status: string | null; outcome: string | null }>(
        `SELECT c.id, c.agency, c.decision, c.mode, c.created_at, k.id AS case_id, k.status, k.outcome FROM checks c
         LEFT JOIN cases k ON k.check_id = c.id WHERE c.id = $1`, [req.params.id]);
      const c = r.rows[0];
      if (!c || (p.role !== 'admin' && c.agency !== p.agency)) throw new AppError('CHECK_NOT_FOUND', 'no such check');
      let candidates: unknown[] = [];
      if (c.case_id) {
        const rows = await caseCandidateRows(ctx, c.case_id);
        const wl = new Map((await listWatchlists(ctx.db)).map((w) => [w.id, w]));
        const viewed = await candidateViews(ctx.db, p, rows, wl, { requestingAgency: c.agency, mode: c.mode, requestId: req.id, target: c.id });
        candidates = viewed.map((v) => ({ ...v.view, outcome: v.row.outcome ?? null }));
      }
      return {
        checkId: c.id, decision: c.decision, mode: c.mode, createdAt: c.created_at.toISOString(), caseId: c.case_id,
        review: c.case_id ? { status: c.status, outcome: c.outcome } : null, probeKept: await probeKept(ctx.db, c.id), candidates,
      };
    });
  };
}
