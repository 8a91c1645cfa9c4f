// POST /v1/checks (the frontline 1:N call) and GET /v1/checks/:id (the kiosk polls the outcome).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { MAX_LIMIT, MAX_PROBE_FINGERS, runCheck, type CheckInput, type CheckOutcome } from '../../fusion/check.ts';
import type { FingerProbeInput, Modalities } from '../../fusion/modalities.ts';
import { candidateViews, type CandidateRow } from '../../cases/views.ts';
import { listWatchlists } from '../../store/watchlists.ts';
import { principal } from '../auth.ts';
import { decodeBase64 } from '../base64.ts';
import { BINARY_TYPES } from '../binary-types.ts';
import { IdParams, StrictObject, WatchlistId, bearer, commonErrors, jsonOrBinary } from '../schemas.ts';

const Position = Type.Integer({ minimum: 0, maximum: 10 });
/** A probe finger: a minutiae template, or an image our extractor reads (exactly one of the two). */
export const FingerProbe = StrictObject({
  template: Type.Optional(Type.String({ minLength: 4, description: 'base64 ISO/IEC 19794-2 or ANSI INCITS 378 record' })),
  image: Type.Optional(Type.String({ minLength: 4, description: 'base64 fingerprint image: WSQ, JPEG 2000, PNG, TIFF or JPEG' })),
  ppi: Type.Optional(Type.Integer({ minimum: 250, maximum: 2000, description: 'scan resolution of the image (default: the WSQ comment, else 500)' })),
  position: Type.Optional(Position),
});

/** One probe finger from its JSON form: exactly one of template and image. */
export function fingerProbeInput(f: Static<typeof FingerProbe>, field: string, max: number): FingerProbeInput {
  if ((f.template === undefined) === (f.image === undefined)) {
    throw new AppError('VALIDATION_FAILED', `${field} needs exactly one of template and image`, { field });
  }
  if (f.image !== undefined) {
    const image = decodeBase64(`${field}.image`, f.image, max);
    return { image, ppi: f.ppi, position: f.position, format: 'image', source: image };
  }
  const record = decodeBase64(`${field}.template`, f.template!, max);
  return { record, position: f.position, format: 'template', source: record };
}
export const CheckBody = StrictObject({
  face: Type.Optional(Type.String({ minLength: 4, description: 'base64 image (JPEG, PNG, WebP, JPEG 2000)' })),
  fingerprints: Type.Optional(Type.Array(FingerProbe, { maxItems: MAX_PROBE_FINGERS })),
  watchlists: Type.Optional(Type.Array(WatchlistId, { minItems: 1, maxItems: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT })),
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
  };
}

export function checkRoutes(mods: Modalities, extra: { parsers?: Record<string, CheckBodyParser>; responders?: CheckResponder[] } = {}) {
  return (app: FastifyInstance, ctx: AppContext): void => {
    app.post('/v1/checks', {
      config: { roles: ['kiosk', 'examiner', 'admin'] },
      schema: {
        tags: ['checks'], summary: 'Check a face and/or fingerprints against every watchlist the caller may search', security: bearer,
        body: jsonOrBinary(CheckBody, BINARY_TYPES), response: { ...commonErrors, 422: Type.Ref('Error') },
      },
    }, async (req, reply) => {
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
      const outcome = await runCheck(ctx, mods, p, input, req.id);
      const rows: CandidateRow[] = outcome.candidates.map((c) => ({ ...c, disclosedAt: undefined }));
      const json = {
        checkId: outcome.checkId,
        decision: outcome.decision,
        candidates: await candidateViews(ctx.db, p, rows, outcome.watchlists),
        caseId: outcome.caseId,
        timingsMs: outcome.timingsMs,
        ...(outcome.warnings.length ? { warnings: outcome.warnings } : {}),
        ...(outcome.fingerQuality.length ? { fingerprintQuality: outcome.fingerQuality } : {}),
      };
      for (const respond of extra.responders ?? []) {
        const r = respond(outcome, json, req);
        if (r) return reply.type(r.contentType).send(Buffer.from(r.body));
      }
      return json;
    });

    app.get<{ Params: Static<typeof IdParams> }>('/v1/checks/:id', {
      config: { roles: ['kiosk', 'examiner', 'admin'] },
      schema: { tags: ['checks'], summary: 'A check and, once examined, its outcome', security: bearer, params: IdParams },
    }, async (req) => {
      const p = principal(req);
      if (!/^[0-9a-f-]{36}$/i.test(req.params.id)) throw new AppError('CHECK_NOT_FOUND', 'no such check');
      const r = await ctx.db.query<{ id: string; agency: string; decision: string; created_at: Date; case_id: string | null; status: string | null; outcome: string | null }>(
        `SELECT c.id, c.agency, c.decision, c.created_at, k.id AS case_id, k.status, k.outcome FROM checks c
         LEFT JOIN cases k ON k.check_id = c.id WHERE c.id = $1`, [req.params.id]);
      const c = r.rows[0];
      if (!c || (p.role !== 'admin' && c.agency !== p.agency)) throw new AppError('CHECK_NOT_FOUND', 'no such check');
      let candidates: unknown[] = [];
      if (c.case_id) {
        const rows = await caseCandidateRows(ctx, c.case_id);
        const wl = new Map((await listWatchlists(ctx.db)).map((w) => [w.id, w]));
        candidates = (await candidateViews(ctx.db, p, rows, wl)).map((v, i) => ({ ...v, outcome: rows[i].outcome ?? null }));
      }
      return {
        checkId: c.id, decision: c.decision, createdAt: c.created_at.toISOString(), caseId: c.case_id,
        review: c.case_id ? { status: c.status, outcome: c.outcome } : null, candidates,
      };
    });
  };
}

export async function caseCandidateRows(ctx: AppContext, caseId: string): Promise<CandidateRow[]> {
  const r = await ctx.db.query<{ handle: string; subject_id: string; watchlist: string; owner_agency: string; score: number; scores: Record<string, number>; level: string; disclosed_at: Date | null; outcome: string | null; note: string | null; matched: unknown[] }>(
    'SELECT * FROM case_candidates WHERE case_id = $1 ORDER BY rank', [caseId]);
  return r.rows.map((x) => ({
    handle: x.handle, subjectId: x.subject_id, watchlist: x.watchlist, ownerAgency: x.owner_agency, score: x.score,
    scores: x.scores, level: x.level, disclosedAt: x.disclosed_at?.toISOString() ?? null, outcome: x.outcome, note: x.note, matched: x.matched,
  }));
}
