// The fastify application: parsers, validation, auth, metrics, docs and the routes.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { installAdmission } from './admission.ts';
import { installAuth } from './auth.ts';
import { BINARY_TYPES } from './binary-types.ts';
import { installDocs } from './docs/index.ts';
import { frameworkErrors, installErrorHandling } from './error-handler.ts';
import { installEmptyBodies } from './empty-body.ts';
import { installMetrics } from './metrics.ts';
import { installRefusalAudit } from './refusal-audit.ts';
import { OneLinePerRequest } from './request-log.ts';
import { ErrorBody } from './schemas.ts';
import { healthRoutes } from './routes/health.ts';
import { auditRoutes } from './routes/audit.ts';
import { caseAuditRoutes } from './routes/case-audit.ts';
import { caseRoutes } from './routes/cases.ts';
import { hitRoutes } from './routes/hits.ts';
import { keyRoutes } from './routes/keys.ts';
import { subjectRoutes } from './routes/subjects.ts';
import { watchlistRoutes } from './routes/watchlists.ts';
import { webRoutes } from './web.ts';


/** Extra route groups, registered by later layers (face, finger, checks, cases). */
export type RouteInstaller = (app: FastifyInstance, ctx: AppContext) => void;

export async function buildApp(ctx: AppContext, extraRoutes: RouteInstaller[] = [], logger: boolean | object = true): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger === true ? { level: ctx.config.logLevel, redact: ['req.headers.authorization'] } : logger,
    logController: new OneLinePerRequest(),
    bodyLimit: ctx.config.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Finish in-flight requests on close; drop idle keep-alive sockets at once.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    frameworkErrors,
    // No type coercion: a number where a string is due is a client error. Query strings use string schemas.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
  });
  ctx.log = app.log;
  app.addHook('onSend', async (request, reply) => { reply.header('x-request-id', request.id); });
  // No route takes text/plain: without this, fastify's default parser hands handlers a string body.
  app.removeContentTypeParser('text/plain');
  installEmptyBodies(app);
  for (const t of BINARY_TYPES) {
    app.addContentTypeParser(t, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  }
  app.addSchema(ErrorBody);
  await installDocs(app);
  installErrorHandling(app);
  installMetrics(app, ctx);
  installRefusalAudit(app, ctx);
  installAdmission(app, ctx.config.admission, ctx.metrics);
  installAuth(app, ctx);
  healthRoutes(app, ctx);
  keyRoutes(app, ctx);
  watchlistRoutes(app, ctx);
  subjectRoutes(app, ctx);
  caseRoutes(app, ctx);
  caseAuditRoutes(app, ctx);
  hitRoutes(app, ctx);
  auditRoutes(app, ctx);
  webRoutes(app);
  for (const install of extraRoutes) install(app, ctx);
  return app;
}
