// API keys (admin only): create, list, revoke.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { appendAudit } from '../../store/audit.ts';
import { createKey, forgetAuthenticated, type Role as RoleT } from '../../store/keys.ts';
import { isUuid } from '../../store/subjects.ts';
import { actor, principal } from '../auth.ts';
import { AgencyCode, IdParams, QualityPolicyField, Role, StrictObject, bearer, commonErrors } from '../schemas.ts';

const CreateKey = StrictObject({ role: Role, agency: AgencyCode, label: Type.Optional(Type.String({ maxLength: 200 })), qualityPolicy: Type.Optional(QualityPolicyField) });

export function keyRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: Static<typeof CreateKey> }>('/v1/keys', {
    config: { roles: ['admin'] },
    schema: { tags: ['keys'], summary: 'Create an API key (shown once)', security: bearer, body: CreateKey,
      response: { 201: Type.Object({ id: Type.String(), key: Type.String(), role: Role, agency: Type.String(), qualityPolicy: QualityPolicyField }), ...commonErrors } },
  }, async (req, reply) => {
    const p = principal(req);
    const out = await ctx.db.tx(async (c) => {
      const k = await createKey(c, req.body.role as RoleT, req.body.agency, req.body.label ?? null, p.keyId, req.body.qualityPolicy);
      await appendAudit(c, { ...actor(p), requestId: req.id, action: 'key.create', target: k.id, details: { role: req.body.role, agency: req.body.agency, qualityPolicy: req.body.qualityPolicy ?? 'inform' } });
      return k;
    });
    return reply.status(201).send({ ...out, role: req.body.role, agency: req.body.agency, qualityPolicy: req.body.qualityPolicy ?? 'inform' });
  });

  app.get('/v1/keys/self', {
    config: { roles: ['admin', 'enroller', 'kiosk', 'examiner'] },
    schema: {
      tags: ['keys'], summary: 'Who the calling key is: its role and agency',
      description: 'Any valid key may ask about itself (the web page signs in with it and picks its views by role). Never returns the secret.',
      security: bearer,
      response: {
        200: Type.Object({ id: Type.String(), role: Role, agency: Type.String(), label: Type.Union([Type.String(), Type.Null()]) },
          { examples: [{ id: '0b6c5a8e-2f1d-4c1e-9a77-3d2b1f0e9c11', role: 'examiner', agency: 'FR', label: 'desk 4' }] }),
        ...commonErrors,
      },
    },
  }, async (req) => {
    const p = principal(req);
    return { id: p.keyId, role: p.role, agency: p.agency, label: p.label };
  });

  app.get('/v1/keys', {
    config: { roles: ['admin'] },
    schema: { tags: ['keys'], summary: 'List API keys (never their secrets)', security: bearer },
  }, async () => {
    const r = await ctx.db.query<{ id: string; role: string; agency: string; label: string | null; quality_policy: string; created_at: Date; revoked_at: Date | null }>(
      'SELECT id, role, agency, label, quality_policy, created_at, revoked_at FROM api_keys ORDER BY created_at');
    return { keys: r.rows.map((k) => ({ id: k.id, role: k.role, agency: k.agency, label: k.label, qualityPolicy: k.quality_policy, createdAt: k.created_at.toISOString(), revokedAt: k.revoked_at?.toISOString() ?? null })) };
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/v1/keys/:id', {
    config: { roles: ['admin'] },
    schema: { tags: ['keys'], summary: 'Revoke an API key', security: bearer, params: IdParams },
  }, async (req, reply) => {
    const p = principal(req);
    if (!isUuid(req.params.id)) throw new AppError('KEY_NOT_FOUND', 'no such key');
    if (req.params.id === p.keyId) throw new AppError('CONFLICT', 'a key cannot revoke itself');
    const done = await ctx.db.tx(async (c) => {
      const r = await c.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [req.params.id]);
      if (r.rowCount) await appendAudit(c, { ...actor(p), requestId: req.id, action: 'key.revoke', target: req.params.id });
      return r.rowCount;
    });
    if (!done) throw new AppError('KEY_NOT_FOUND', 'no such active key');
    forgetAuthenticated(ctx.db);
    return reply.status(204).send();
  });
}
