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

/** The error responses every /v1 route can give, for the OpenAPI document. */
export const commonErrors: Record<number, TSchema> = {
  400: Type.Ref('Error'), 401: Type.Ref('Error'), 403: Type.Ref('Error'), 404: Type.Ref('Error'),
  413: Type.Ref('Error'), 415: Type.Ref('Error'), 429: Type.Ref('Error'), 503: Type.Ref('Error'),
};
export const bearer = [{ bearer: [] as string[] }];

/** Query-string values arrive as text: declare them as patterned strings and convert in the handler. */
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
