// The audit log for admins: filtered reads and a verification of the hash chain.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { appendAudit, listAudit, verifyAuditChain } from '../../store/audit.ts';
import { actor, principal } from '../auth.ts';
import { AgencyCode, QueryInt, StrictObject, Uuid, bearer, queryInt } from '../schemas.ts';

const Query = StrictObject({
  action: Type.Optional(Type.String({ maxLength: 64 })),
  agency: Type.Optional(AgencyCode),
  keyId: Type.Optional(Uuid),
  target: Type.Optional(Type.String({ maxLength: 128 })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  before: Type.Optional(QueryInt(Number.MAX_SAFE_INTEGER)),
  limit: Type.Optional(QueryInt(1000)),
});

export function auditRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Static<typeof Query> }>('/v1/audit', {
    config: { roles: ['admin'] },
    schema: { tags: ['audit'], summary: 'Audit entries, newest first (page with ?before=<id>)', security: bearer, querystring: Query },
  }, async (req) => {
    const q = req.query;
    const entries = await listAudit(ctx.db, {
      action: q.action, agency: q.agency, keyId: q.keyId, target: q.target, since: q.since, until: q.until,
      before: q.before ? Number(q.before) : undefined, limit: queryInt(q.limit, 100, 1, 1000),
    });
    await ctx.db.tx((c) => appendAudit(c, { ...actor(principal(req)), requestId: req.id, action: 'audit.read', details: { count: entries.length } }));
    return { entries };
  });

  app.get('/v1/audit/verify', {
    config: { roles: ['admin'] },
    schema: { tags: ['audit'], summary: 'Recompute the hash chain of the whole audit log', security: bearer },
  }, async () => verifyAuditChain(ctx.db));
}
