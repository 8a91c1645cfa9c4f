// The owner agency's side of hit/no-hit sharing: it sees hits on its watchlists found by other agencies'
// checks, and discloses the identity to the requesting agency when it chooses.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { appendAudit } from '../../store/audit.ts';
import { actor, principal } from '../auth.ts';
import { QueryInt, StrictObject, bearer, queryInt } from '../schemas.ts';

const ListQuery = StrictObject({
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('disclosed')])),
  limit: Type.Optional(QueryInt(500)),
});
const HandleParams = StrictObject({ handle: Type.String({ pattern: '^h_[A-Za-z0-9_-]{8,64}$' }) });
const DiscloseBody = StrictObject({ note: Type.Optional(Type.String({ maxLength: 5000 })) });

export function hitRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/v1/hits', {
    config: { roles: ['examiner', 'admin'] },
    schema: { tags: ['hits'], summary: "Hits and reviews on the caller's agency's hit/no-hit watchlists found by other agencies", security: bearer, querystring: ListQuery },
  }, async (req) => {
    const p = principal(req);
    const status = req.query.status ?? null;
    const r = await ctx.db.query<{ handle: string; case_id: string; subject_id: string; watchlist: string; score: number; scores: unknown; level: string; disclosed_at: Date | null; requesting: string; created_at: Date; reference: string | null; name: string | null }>(
      `SELECT x.handle, x.case_id, x.subject_id, x.watchlist, x.score, x.scores, x.level, x.disclosed_at, k.agency AS requesting,
              k.created_at, s.reference, s.name
       FROM case_candidates x JOIN cases k ON k.id = x.case_id JOIN watchlists w ON w.id = x.watchlist JOIN subjects s ON s.id = x.subject_id
       WHERE x.owner_agency = $1 AND w.disclosure = 'hit-no-hit' AND k.agency <> x.owner_agency AND x.level <> 'none'
         AND ($2::text IS NULL OR ($2 = 'pending') = (x.disclosed_at IS NULL))
       ORDER BY k.created_at DESC LIMIT $3`,
      [p.agency, status, queryInt(req.query.limit, 100, 1, 500)]);
    await ctx.db.tx((c) => appendAudit(c, { ...actor(p), requestId: req.id, action: 'hit.list', details: { count: r.rowCount } }));
    return {
      hits: r.rows.map((h) => ({
        handle: h.handle, caseId: h.case_id, requestingAgency: h.requesting, watchlist: h.watchlist, subjectId: h.subject_id,
        reference: h.reference, name: h.name, score: h.score, scores: h.scores, level: h.level,
        disclosed: h.disclosed_at !== null, disclosedAt: h.disclosed_at?.toISOString() ?? null, createdAt: h.created_at.toISOString(),
      })),
    };
  });

  app.post<{ Params: Static<typeof HandleParams>; Body: Static<typeof DiscloseBody> }>('/v1/hits/:handle/disclose', {
    config: { roles: ['examiner', 'admin'] },
    schema: { tags: ['hits'], summary: 'Disclose the identity behind a hit to the agency that ran the check', security: bearer, params: HandleParams, body: DiscloseBody },
  }, async (req) => {
    const p = principal(req);
    return ctx.db.tx(async (c) => {
      const r = await c.query<{ id: string; owner_agency: string; disclosed_at: Date | null; case_id: string }>(
        'SELECT id, owner_agency, disclosed_at, case_id FROM case_candidates WHERE handle = $1 FOR UPDATE', [req.params.handle]);
      const h = r.rows[0];
      // Only the owner agency (or an admin) may disclose; to anyone else the handle does not exist.
      if (!h || (p.role !== 'admin' && h.owner_agency !== p.agency)) throw new AppError('NOT_FOUND', 'no such hit');
      if (!h.disclosed_at) {
        await c.query('UPDATE case_candidates SET disclosed_at = now(), disclosed_by = $2 WHERE id = $1', [h.id, p.keyId]);
        await appendAudit(c, { ...actor(p), requestId: req.id, action: 'hit.disclose', target: req.params.handle, details: { caseId: h.case_id, note: req.body.note ?? null } });
      }
      return { handle: req.params.handle, disclosed: true };
    });
  });
}
