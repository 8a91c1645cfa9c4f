// Shared JSON schemas (TypeBox): strict objects reject unknown fields.
import { Type, type TSchema, type TProperties, type ObjectOptions } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';

export const StrictObject = <T extends TProperties>(props: T, opts: ObjectOptions = {}) =>
  Type.Object(props, { additionalProperties: false, ...opts });

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }),
}, { $id: 'Error' });

export const AgencyCode = Type.String({ pattern: '^[A-Z0-9][A-Z0-9_-]{0,31}$', description: 'agency code, e.g. an ISO 3166 country code or an ORI' });
export const Role = Type.Union([Type.Literal('admin'), Type.Literal('enroller'), Type.Literal('kiosk'), Type.Literal('examiner')]);
export const WatchlistId = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' });
export const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
export const IdParams = StrictObject({ id: Type.String({ maxLength: 128 }) });

/** Face quality policy (src/quality-policy.ts): "inform" uses any detectable face and reports its quality;
 *  "strict" refuses captures below the thresholds with 422 and the reasons (a kiosk's live capture). */
export const QualityPolicyField = Type.Union([Type.Literal('inform'), Type.Literal('strict')], {
  description: '"inform" (default): any image with a detectable face is used, its shortcomings come back as quality warnings; "strict": a capture below the quality thresholds is refused with 422 FACE_QUALITY_TOO_LOW / FACE_MULTIPLE and the reasons. A key or watchlist set to strict cannot be relaxed by a request.',
});
export const QualityQuery = Type.Object({ quality: Type.Optional(QualityPolicyField) });

/** The face quality report of enrolments, checks and verifications (src/face/quality-report.ts). */
export const FaceQualityReport = Type.Object({
  score: Type.Integer({ minimum: 0, maximum: 100, description: 'unified quality 0-100 (ISO/IEC 29794-5 style)' }),
  faceWidthPx: Type.Number(), interEyePx: Type.Number(), sharpness: Type.Number(),
  exposure: Type.Object({ mean: Type.Number(), clippedLow: Type.Number(), clippedHigh: Type.Number(), contrast: Type.Number() }),
  yawDeg: Type.Number(), pitchDeg: Type.Number(), rollDeg: Type.Number(),
  faceCount: Type.Integer({ description: 'faces in view that count; with several, the largest is used' }),
  detectorScore: Type.Number(),
  reasons: Type.Array(Type.String(), { description: 'codes of the thresholds the capture misses' }),
  warnings: Type.Array(Type.Object({ code: Type.String(), message: Type.String() }), { description: 'the same, as messages; under "strict" they are a 422 instead' }),
}, {
  additionalProperties: true,
  examples: [{ score: 41, faceWidthPx: 61.2, interEyePx: 24.1, sharpness: 0.281, exposure: { mean: 112.4, clippedLow: 0.004, clippedHigh: 0, contrast: 0.52 },
    yawDeg: 23.5, pitchDeg: -4.2, rollDeg: 6.1, faceCount: 1, detectorScore: 0.93, reasons: ['FACE_TOO_SMALL', 'EYES_TOO_CLOSE', 'POSE_YAW'],
    warnings: [{ code: 'FACE_TOO_SMALL', message: 'face is 61.2 px wide; at least 90 px needed: move closer' }] }],
});

/** The error responses every /v1 route can give, for the OpenAPI document. */
export const commonErrors: Record<number, TSchema> = {
  400: Type.Ref('Error'), 401: Type.Ref('Error'), 403: Type.Ref('Error'), 404: Type.Ref('Error'),
  413: Type.Ref('Error'), 415: Type.Ref('Error'), 429: Type.Ref('Error'), 503: Type.Ref('Error'),
};
export const bearer = [{ bearer: [] as string[] }];

/** Query-string values arrive as text: declare them as patterned strings and convert in the handler. */
/** An image or template as base64 inside JSON. No minLength/maxLength: ajv counts a string's length code point by code
 *  point in JavaScript, ~230 ms on the event loop for a 10 MB image; decodeBase64 refuses empty and malformed ones. */
export const Base64Field = (description?: string) => Type.String(description ? { description } : {});
export const QueryInt = (max = 1_000_000) => Type.String({ pattern: '^[0-9]{1,9}$', description: `integer 0..${max}` });
export const QueryBool = Type.Union([Type.Literal('true'), Type.Literal('false')]);
export function queryInt(v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  return Math.min(max, Math.max(min, n));
}

/** A body that is JSON (validated by `schema`) or one of the binary types (validated by its parser). */
export function jsonOrBinary(schema: TSchema, binaryTypes: readonly string[]) {
  return { content: { 'application/json': { schema }, ...Object.fromEntries(binaryTypes.map((t) => [t, { schema: {} }])) } };
}

/** Route options for a POST action whose body is optional (disclose, decline, close): an empty body, with
 *  or without `Content-Type: application/json`, is taken as `{}`. */
export const bodyOptional = {
  preParsing: async (request: FastifyRequest) => {
    const length = request.headers['content-length'];
    if ((length === undefined || length === '0') && request.headers['transfer-encoding'] === undefined) delete request.headers['content-type'];
  },
  preValidation: async (request: FastifyRequest) => { request.body ??= {}; },
};
