// The served OpenAPI 3.1 document: fastify-swagger derives paths, parameters and request schemas from the routes;
// this overlays each operation's documentation (route groups' files beside this one), its success and error
// answers with schemas and examples, and `x-roles` (who may call it, from the route's config).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { auditDocs } from './audit.ts';
import { caseReviewDocs } from './case-review.ts';
import { caseDocs } from './cases.ts';
import { checkDocs } from './checks.ts';
import { ERROR_CODES, type ErrorCode } from '../../errors.ts';
import { errorResponses, errorSchema, type OperationDoc, type OperationDocs } from './common.ts';
import { keyDocs } from './keys.ts';
import { serviceDocs } from './service.ts';
import { subjectDocs } from './subjects.ts';
import { watchlistDocs } from './watchlists.ts';

export const OPERATION_DOCS: OperationDocs = {
  ...serviceDocs, ...keyDocs, ...watchlistDocs, ...subjectDocs, ...checkDocs, ...caseDocs, ...caseReviewDocs, ...auditDocs,
};

/** '/v1/subjects/:id' -> '/v1/subjects/{id}' */
export const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function responsesOf(d: OperationDoc): Json {
  const out: Json = {};
  for (const [status, r] of Object.entries(d.responses)) {
    out[status] = r.schema
      ? { description: r.description, content: { [r.mediaType ?? 'application/json']: { schema: r.schema, example: r.example } } }
      : { description: r.description };
  }
  for (const [status, codes] of Object.entries(errorResponses(d))) {
    out[status] ??= {
      description: `error: ${codes.join(', ')}`,
      content: { 'application/json': { schema: errorSchema(codes), example: { error: { code: codes[0], message: `(${codes[0].toLowerCase().replaceAll('_', ' ')})` } } } },
    };
  }
  return out;
}

/** Every code of the one table that answers with this status. */
const codesWithStatus = (status: number) => (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => ERROR_CODES[c] === status);

/**
 * An operation documented by its route's own schema (no entry here): its examples (`examples` of a response
 * schema) become the media examples, and each error status lists the codes of the table with that status.
 */
function fromRouteSchema(op: Json): void {
  for (const [status, r] of Object.entries(op.responses ?? {}) as [string, Json][]) {
    const st = Number(status);
    if (st >= 400) {
      const codes = codesWithStatus(st);
      if (!codes.length) continue;
      op.responses[status] = { description: r.description && r.description !== 'Default Response' ? r.description : `error: ${codes.join(', ')}`,
        content: { 'application/json': { schema: errorSchema(codes), example: { error: { code: codes[0], message: `(${codes[0].toLowerCase().replaceAll('_', ' ')})` } } } } };
      continue;
    }
    for (const media of Object.values(r.content ?? {}) as Json[]) {
      if (media.example === undefined && Array.isArray(media.schema?.examples)) media.example = media.schema.examples[0];
    }
  }
}

function complete(doc: Json, roles: Map<string, string[]>): Json {
  doc.openapi = '3.1.0';
  for (const [path, item] of Object.entries(doc.paths ?? {}) as [string, Json][]) {
    for (const [method, op] of Object.entries(item) as [string, Json][]) {
      const key = `${method.toUpperCase()} ${path}`;
      const r = roles.get(key);
      if (r) op['x-roles'] = r;
      const d = OPERATION_DOCS[key];
      if (!d) { fromRouteSchema(op); continue; } // what is still missing, the contract test names
      op.summary = d.summary;
      op.description = d.description;
      const json = op.requestBody?.content?.['application/json'];
      if (json && d.requestExample !== undefined) json.example = d.requestExample;
      for (const p of op.parameters ?? []) if (d.parameterExamples?.[p.name] !== undefined) p.example = d.parameterExamples[p.name];
      op.responses = responsesOf(d);
    }
  }
  return doc;
}

export async function installDocs(app: FastifyInstance): Promise<void> {
  const roles = new Map<string, string[]>();
  app.addHook('onRoute', (route) => {
    const r = (route.config as { roles?: string[] } | undefined)?.roles;
    if (!r) return;
    for (const m of [route.method].flat()) roles.set(`${m.toUpperCase()} ${openapiPath(route.url)}`, r);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'biocheck', version: '0.1.0', description: 'Frontline biometric checks against watchlists: face and fingerprints, '
        + 'hit/no-hit sharing, cases for examiners. Every error is {"error": {"code", "message"}}; every score is -log10(FMR) '
        + '(docs/scores.md). Roles per operation: x-roles.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transformObject: (o) => complete(('openapiObject' in o ? o.openapiObject : o.swaggerObject) as Json, roles) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
