// Actions whose body is optional (close a case, disclose a hit: only an optional note) accept no body at all,
// with or without a JSON Content-Type, as if `{}` had been sent. Bodies with required fields still must be sent.
import type { FastifyInstance } from 'fastify';

interface ObjectSchema { type?: unknown; required?: unknown[] }

const optionalObject = (schema: unknown): boolean => {
  const s = schema as ObjectSchema | undefined;
  return !!s && s.type === 'object' && !(Array.isArray(s.required) && s.required.length > 0);
};

export function installEmptyBodies(app: FastifyInstance): void {
  // fastify's own JSON parser (prototype-poisoning checks included), except that an empty body is no body.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') { done(null, undefined); return; }
    json(request, String(body), done);
  });
  app.addHook('preValidation', async (request) => {
    if ((request.body === undefined || request.body === null) && optionalObject(request.routeOptions.schema?.body)) request.body = {};
  });
}
