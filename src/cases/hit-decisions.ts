// An owner agency's decision on the hits against its hit/no-hit watchlists. It is taken on one hit and holds
// per subject and requesting agency: every hit on that subject by that agency, earlier or later, follows it.
import type { Queryable } from '../store/db.ts';

export type HitStatus = 'pending' | 'disclosed' | 'declined';
export type HitDecision = Exclude<HitStatus, 'pending'>;

/** The decisions taken for `agency` on these subjects; a subject without one is pending. */
export async function hitDecisions(q: Queryable, agency: string, subjectIds: string[]): Promise<Map<string, HitDecision>> {
  if (!subjectIds.length) return new Map();
  const r = await q.query<{ subject_id: string; status: HitDecision }>(
    'SELECT subject_id, status FROM hit_decisions WHERE requesting_agency = $1 AND subject_id = ANY($2::uuid[])', [agency, [...new Set(subjectIds)]]);
  return new Map(r.rows.map((x) => [x.subject_id, x.status]));
}

/** Records a decision (inside the caller's transaction, after it locked the decision's row). */
export async function recordHitDecision(q: Queryable, d: { subjectId: string; agency: string; status: HitDecision; handle: string; note: string | null; keyId: string }): Promise<void> {
  await q.query(
    `INSERT INTO hit_decisions (subject_id, requesting_agency, status, handle, note, decided_by) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (subject_id, requesting_agency) DO UPDATE SET status = EXCLUDED.status, handle = EXCLUDED.handle,
       note = EXCLUDED.note, decided_by = EXCLUDED.decided_by, decided_at = now()`,
    [d.subjectId, d.agency, d.status, d.handle, d.note, d.keyId]);
}

/** The decision on one subject for one agency, locked for update (a row lock, or the key's if none yet). */
export async function lockHitDecision(q: Queryable, subjectId: string, agency: string): Promise<HitDecision | null> {
  // Serialise deciders on the same pair even before the row exists.
  await q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`hit:${subjectId}:${agency}`]);
  const r = await q.query<{ status: HitDecision }>('SELECT status FROM hit_decisions WHERE subject_id = $1 AND requesting_agency = $2 FOR UPDATE', [subjectId, agency]);
  return r.rows[0]?.status ?? null;
}
