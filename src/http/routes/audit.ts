// The audit log for admins: filtered reads and a verification of the hash chain.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { appendAudit, listAudit } from '../../store/audit.ts';
import { verifyAuditChain } from '../../store/audit-chain.ts';
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

const VerifyQuery = StrictObject({
  seq: Type.Optional(QueryInt(Number.MAX_SAFE_INTEGER)),
  hash: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$' })),
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

  app.get<{ Querystring: Static<typeof VerifyQuery> }>('/v1/audit/verify', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['audit'], summary: 'Recompute the hash chain of the whole audit log', security: bearer, querystring: VerifyQuery,
      description: 'Seals the entries committed but not yet chained, then recomputes every entry\'s hash and link. '
        + 'The answer\'s `head` ({seq, hash}) can be kept outside the service: given back as `?seq=&hash=`, the check also '
        + 'fails if the log was rewritten or cut short since that head was read.',
    },
  }, async (req) => {
    const { seq, hash } = req.query;
    if ((seq === undefined) !== (hash === undefined)) throw new AppError('VALIDATION_FAILED', 'seq and hash go together');
    return verifyAuditChain(ctx.db, seq !== undefined && hash !== undefined ? { seq: Number(seq), hash } : undefined);
  });
}
