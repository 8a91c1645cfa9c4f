// Subjects of a watchlist and the deletion that removes them and their samples.
import { forgetSubject } from './connections.ts';
import type { Db, Queryable } from './db.ts';
import { tombstone } from './samples.ts';

export interface Subject {
  id: string; watchlist: string; reference: string | null; name: string | null;
  attributes: Record<string, unknown>; createdAt: string;
  samples: { face: number; finger: number };
}

interface Row { id: string; watchlist: string; reference: string | null; name: string | null; attributes: Record<string, unknown>; created_at: Date; faces?: string; fingers?: string }

const toSubject = (r: Row): Subject => ({
  id: r.id, watchlist: r.watchlist, reference: r.reference, name: r.name, attributes: r.attributes,
  createdAt: r.created_at.toISOString(), samples: { face: Number(r.faces ?? 0), finger: Number(r.fingers ?? 0) },
});

const SELECT = `SELECT s.*, (SELECT count(*) FROM samples x WHERE x.subject_id = s.id AND x.modality = 'face') AS faces,
  (SELECT count(*) FROM samples x WHERE x.subject_id = s.id AND x.modality = 'finger') AS fingers FROM subjects s`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID_RE.test(s);

export async function insertSubject(q: Queryable, s: { watchlist: string; reference: string | null; name: string | null; attributes: Record<string, unknown>; createdBy: string }): Promise<Subject> {
  const r = await q.query<Row>(
    'INSERT INTO subjects (watchlist, reference, name, attributes, created_by) VALUES ($1,$2,$3,$4,$5) RETURNING *',
    [s.watchlist, s.reference, s.name, JSON.stringify(s.attributes), s.createdBy]);
  return toSubject(r.rows[0]);
}

export async function getSubject(q: Queryable, id: string): Promise<Subject | null> {
  if (!isUuid(id)) return null;
  const r = await q.query<Row>(`${SELECT} WHERE s.id = $1 AND s.deleted_at IS NULL`, [id]);
  return r.rows[0] ? toSubject(r.rows[0]) : null;
}

/** Locks a live subject row for the rest of the transaction (enrolment vs deletion race). NO KEY UPDATE: it
 *  excludes other enrolments and deletions of the subject but not the FK share locks of rows that reference it
 *  (a link the connection search is writing), which would otherwise deadlock with the deletion. */
export async function lockSubject(q: Queryable, id: string): Promise<{ id: string; watchlist: string } | null> {
  if (!isUuid(id)) return null;
  const r = await q.query<{ id: string; watchlist: string }>('SELECT id, watchlist FROM subjects WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE', [id]);
  return r.rows[0] ?? null;
}

export async function listSubjects(q: Queryable, f: { watchlists: string[]; reference?: string; limit: number; offset: number }): Promise<Subject[]> {
  const args: unknown[] = [f.watchlists];
  let where = 's.deleted_at IS NULL AND s.watchlist = ANY($1)';
  if (f.reference) { args.push(f.reference); where += ` AND s.reference = $${args.length}`; }
  args.push(f.limit, f.offset);
  const r = await q.query<Row>(`${SELECT} WHERE ${where} ORDER BY s.created_at, s.id LIMIT $${args.length - 1} OFFSET $${args.length}`, args);
  return r.rows.map(toSubject);
}

/**
 * Deletes a subject: its samples go (leaving tombstones for index replay) and its identity fields are
 * scrubbed, and its connections go; the row stays only as an identity-free anchor for past cases. Returns the
 * deleted sample ids.
 */
/** Deletions run again when PostgreSQL breaks a deadlock against them: the background connection search writes
 *  the links of the same subjects concurrently (src/connections/worker.ts). */
export const DELETION_RETRIES = { deadlockRetries: 3 };

export async function deleteSubject(q: Queryable, id: string): Promise<{ face: number[]; finger: number[] } | null> {
  const live = await lockSubject(q, id);
  if (!live) return null;
  const del = await q.query<{ id: string; modality: 'face' | 'finger' }>('DELETE FROM samples WHERE subject_id = $1 RETURNING id, modality', [id]);
  await tombstone(q, del.rows);
  await q.query("UPDATE subjects SET deleted_at = now(), reference = NULL, name = NULL, attributes = '{}'::jsonb WHERE id = $1", [id]);
  await forgetSubject(q, id);
  return {
    face: del.rows.filter((s) => s.modality === 'face').map((s) => Number(s.id)),
    finger: del.rows.filter((s) => s.modality === 'finger').map((s) => Number(s.id)),
  };
}
