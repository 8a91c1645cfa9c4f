// Turns every failure into {"error": {"code", "message"}} with a status from the one table of codes.
// Clients never see stack traces, internal paths or SQL.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.ts';
import { isUnavailable } from '../store/db.ts';

export function sendError(reply: FastifyReply, code: ErrorCode, message: string, details?: Record<string, unknown>, retryAfter?: number) {
  if (retryAfter !== undefined) reply.header('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
  reply.request.errorCode = code; // for the audit of refusals
  return reply.status(ERROR_CODES[code]).send({ error: { code, message, ...(details ? { details } : {}) } });
}

/** Fastify's own error codes → ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

/** Errors fastify's router answers before any hook runs (bad URL encoding, over-long path parameters). */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(reply, 'URI_TOO_LONG', 'a path parameter is longer than any id this service issues');
  return sendError(reply, 'BAD_REQUEST', err.code === 'FST_ERR_BAD_URL' ? 'the URL is not validly encoded' : 'bad request');
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/** The first problem ajv found, where it is, and for a choice (enum, union of constants) the allowed values. */
function validationMessage(fe: FastifyError): string {
  const issues: ValidationIssue[] = fe.validation ?? [];
  const first = issues[0];
  const where = `${fe.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
  if (!first) return `${where} is invalid`;
  const params = first.params as Record<string, unknown>;
  // A union of constants fails on every branch at the same place: each branch names one allowed value.
  const allowed = first.keyword === 'enum' ? (params.allowedValues as unknown[])
    : first.keyword === 'const' ? issues.filter((i) => i.keyword === 'const' && i.instancePath === first.instancePath)
      .map((i) => (i.params as Record<string, unknown>).allowedValue) : undefined;
  if (allowed?.length) return `${where} must be one of: ${allowed.map(String).join(', ')}`;
  if (first.keyword === 'type' && first.instancePath === '' && fe.validationContext === 'body') return 'a JSON object body is required';
  const extra = 'additionalProperty' in params ? ` '${String(params.additionalProperty)}'` : '';
  return `${where} ${first.message ?? 'is invalid'}${extra}`;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.warn({ code: err.code }, err.message);
      return sendError(reply, err.code, err.message, err.details, err.retryAfter);
    }
    const fe = err as FastifyError;
    if (fe.validation) return sendError(reply, 'VALIDATION_FAILED', validationMessage(fe));
    if (fe.code && FASTIFY_CODES[fe.code]) {
      const code = FASTIFY_CODES[fe.code];
      const msg = code === 'MALFORMED_JSON' ? 'the body is not valid JSON'
        : code === 'PAYLOAD_TOO_LARGE' ? 'the body is larger than this route accepts'
          : code === 'UNSUPPORTED_MEDIA_TYPE' ? `unsupported Content-Type '${request.headers['content-type'] ?? ''}'`
            : 'bad request';
      return sendError(reply, code, msg);
    }
    // JSON syntax errors raised by the body parser carry a 400 status and no Fastify code.
    if (err instanceof SyntaxError || (fe.statusCode === 400 && /JSON/i.test(err.message))) {
      return sendError(reply, 'MALFORMED_JSON', 'the body is not valid JSON');
    }
    if (fe.statusCode === 413) return sendError(reply, 'PAYLOAD_TOO_LARGE', 'the body is larger than this route accepts');
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return sendError(reply, 'BAD_REQUEST', 'bad request');
    // PostgreSQL data exceptions (class 22: NUL bytes in text, invalid encodings, out-of-range values) come
    // from what the client sent: a 400, not a 500, and without the driver's message (it may quote SQL).
    if (typeof fe.code === 'string' && /^22[0-9A-Z]{3}$/.test(fe.code) && 'severity' in err) {
      request.log.warn({ sqlstate: fe.code }, 'input rejected by PostgreSQL');
      return sendError(reply, 'VALIDATION_FAILED', 'a value in the request cannot be stored (NUL bytes, invalid text or out-of-range numbers)');
    }
    // A query that bypassed Db's wrapper (a raw pool or client) and found the database gone.
    if (isUnavailable(err)) return sendError(reply, 'DATABASE_UNAVAILABLE', 'the database is not reachable; try again shortly', undefined, 2);
    request.log.error({ err }, 'unhandled error');
    return sendError(reply, 'INTERNAL', 'internal error; the request id identifies it in the logs');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
}
