// GET /v1/cases/{id}/audit: the case's own trail (reads, decisions, closing) for the examiners who may open it.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { loadCase } from '../../cases/access.ts';
import { listAudit } from '../../store/audit.ts';
import { principal } from '../auth.ts';
import { IdParams, bearer, commonErrors } from '../schemas.ts';

const Entry = Type.Object({
  id: Type.Integer(), at: Type.String({ format: 'date-time' }), keyId: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.String(), Type.Null()]), agency: Type.Union([Type.String(), Type.Null()]), action: Type.String(),
  details: Type.Unknown(),
});
/** A case's trail is short; beyond this the full log (admins) has the rest. */
const TRAIL_LIMIT = 500;

export function caseAuditRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: Static<typeof IdParams> }>('/v1/cases/:id/audit', {
    config: { roles: ['examiner', 'admin'] },
    schema: {
      tags: ['cases', 'audit'], summary: "The case's audit trail, newest first",
      description: `Every audited action whose target is this case (case.read, case.decide, case.close, case.compare), at most ${TRAIL_LIMIT}. `
        + 'Open to whoever may open the case; not itself audited (reading the case is). Entries carry no request bodies.',
      security: bearer, params: IdParams,
      response: {
        200: Type.Object({ entries: Type.Array(Entry) }, {
          examples: [{ entries: [{ id: 812, at: '2026-12-02T05:01:09.120Z', keyId: '0b6c5a8e-2f1d-4c1e-9a77-3d2b1f0e9c11', role: 'examiner', agency: 'FR', action: 'case.decide', details: { candidate: 'h_Qm9vZ2xlLWlzLWZ1bg', outcome: 'confirmed' } }] }],
        }),
        ...commonErrors,
      },
    },
  }, async (req) => {
    const k = await loadCase(ctx, principal(req), req.params.id);
    const entries = await listAudit(ctx.db, { target: k.id, limit: TRAIL_LIMIT });
    return { entries: entries.map(({ id, at, keyId, role, agency, action, details }) => ({ id, at, keyId, role, agency, action, details })) };
  });
}
