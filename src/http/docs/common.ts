// The vocabulary of the API reference: what one documented operation holds, the error answers it can give, and
// the schemas several route groups share (scores, candidates). Route groups document themselves in the files
// beside this one; index.ts merges them into the served OpenAPI document.
import { Type, type TSchema } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode } from '../../errors.ts';

export interface ResponseDoc {
  description: string;
  /** Absent only for bodiless answers (204). */
  schema?: TSchema;
  example?: unknown;
  /** Answers in another media type than JSON (e.g. the ANSI/NIST-ITL response transaction). */
  mediaType?: string;
}

export interface OperationDoc {
  summary: string;
  /** What it does, who may call it, what it audits. */
  description: string;
  /** Example request body (JSON), shown in /docs and sent by the contract test. */
  requestExample?: unknown;
  /** Example values of path and query parameters. */
  parameterExamples?: Record<string, string>;
  /** Successful answers, by status. */
  responses: Record<number, ResponseDoc>;
  /** Error codes this operation can answer beyond the ones every operation of its kind can (see errorCodes). */
  errors: ErrorCode[];
  /** Kinds of common errors that apply (default: an authenticated call with no body). */
  kind?: { public?: boolean; body?: boolean; admitted?: boolean };
}

export type OperationDocs = Record<string, OperationDoc>;

/** Every error code an operation of this kind can answer, its own included. */
export function errorCodes(op: OperationDoc): ErrorCode[] {
  const k = op.kind ?? {};
  const codes: ErrorCode[] = [...op.errors, 'DATABASE_UNAVAILABLE', 'INTERNAL'];
  if (!k.public) codes.push('UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'VALIDATION_FAILED');
  if (k.body) codes.push('MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (k.admitted) codes.push('OVERLOADED');
  return [...new Set(codes)];
}

/** The error body with the codes one status can carry for one operation. */
export function errorSchema(codes: ErrorCode[]): TSchema {
  return Type.Object({
    error: Type.Object({
      code: Type.Union(codes.map((c) => Type.Literal(c)), { description: 'machine-readable; the one table is src/errors.ts' }),
      message: Type.String({ description: 'for people; never a stack trace, path, SQL or withheld identity' }),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'safe structured details (e.g. quality reasons)' })),
    }, { additionalProperties: false }),
  }, { additionalProperties: false });
}

/** Error answers grouped by status. */
export function errorResponses(op: OperationDoc): Record<number, ErrorCode[]> {
  const byStatus: Record<number, ErrorCode[]> = {};
  for (const code of errorCodes(op)) (byStatus[ERROR_CODES[code]] ??= []).push(code);
  return byStatus;
}

// ---- shared pieces ----

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const IsoTime = Type.String({ format: 'date-time' });
export const UuidString = Type.String({ format: 'uuid' });

export const SCORE_DESCRIPTION = 'calibrated score on one scale for every modality: -log10(FMR), the chance that one impostor '
  + 'comparison scores this high (4 = 1 in 10,000); 0 means no evidence. Capped where the measured impostor tail ends: '
  + 'a finger comparison at 8, the face and the fused score at 12.';
export const Score = Type.Number({ minimum: 0, maximum: 12, description: SCORE_DESCRIPTION });
export const Scores = Type.Object({
  face: Type.Optional(Type.Number({ minimum: 0, maximum: 12, description: 'face score, -log10(FMR), 0..12' })),
  finger: Type.Optional(Type.Number({ minimum: 0, maximum: 12, description: 'fingerprints score, -log10(FMR): each finger 0..8, several fingers fused (0..12)' })),
}, { description: 'per-modality scores; a modality the probe or the subject lacks is absent' });

export const Level = Type.Union([Type.Literal('hit'), Type.Literal('review'), Type.Literal('none')], {
  description: 'hit: above the watchlist\'s hitFpir threshold for its size; review: above reviewFpir; none: below both',
});
export const Decision = Type.Union([Type.Literal('hit'), Type.Literal('review'), Type.Literal('no-hit'), Type.Literal('incomplete')], {
  description: 'the strongest candidate level: hit and review open a case for examiners; no-hit keeps no probe; incomplete (cluster only): '
    + 'a gallery shard did not answer in time (named in missingShards) and nothing searched reached review: not a no-hit, check again',
});

export const Candidate = Type.Object({
  subjectId: Nullable(UuidString),
  handle: Type.String({ description: 'opaque candidate handle; the only identifier shown for an undisclosed hit/no-hit candidate' }),
  watchlist: Type.String(),
  agency: Type.String({ description: 'the agency that owns the watchlist' }),
  score: Score,
  scores: Scores,
  level: Level,
  reference: Nullable(Type.String()),
  name: Nullable(Type.String()),
  disclosed: Type.Optional(Type.Boolean()),
  outcome: Type.Optional(Nullable(Type.String())),
}, { description: 'subjectId, reference and name are null where the identity is withheld (hit/no-hit watchlist of another agency, not disclosed)' });

export const example = {
  subjectId: '5b0f6c1e-2a47-4c1e-9d52-7f3e1a9b2c44',
  otherSubjectId: '9c2d4e6f-1b3a-4d5c-8e7f-0a1b2c3d4e5f',
  checkId: '1e7c9a52-3b4d-4f60-a1b2-c3d4e5f60718',
  caseId: '7a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d',
  keyId: 'c0ffee00-1234-4abc-8def-0123456789ab',
  handle: 'h_Q2hlY2tDYW5kaWRhdGUx',
  time: '2026-12-02T09:14:07.512Z',
  faceBase64: '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR…',
  templateBase64: 'Rk1SACAyMAAAAAE8AAABQAHgAMUAxQEAAABWJIBBAHNXAIBNAJBiAEB…',
};
