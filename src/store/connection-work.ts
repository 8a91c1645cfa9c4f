// The connection work queue and full passes (scans) in PostgreSQL.
import type { Queryable } from './db.ts';

export interface WorkItem { id: number; sampleId: number; scanId: string | null }
export type ScanStatus = 'running' | 'done' | 'failed' | 'cancelled';
export interface Scan { id: string; status: ScanStatus; total: number; done: number; error: string | null; startedAt: string; finishedAt: string | null }

/** Claims up to `limit` queued samples older than `settleMs`, new enrolments first; the row locks hold until
 *  the transaction ends. */
export async function claimWork(q: Queryable, limit: number, settleMs: number): Promise<WorkItem[]> {
  const r = await q.query<{ id: string; sample_id: string; scan_id: string | null }>(
    `SELECT id, sample_id, scan_id FROM connection_work WHERE enqueued_at <= now() - make_interval(secs => $2::float8 / 1000)
     ORDER BY (scan_id IS NOT NULL), id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit, settleMs]);
  return r.rows.map((x) => ({ id: Number(x.id), sampleId: Number(x.sample_id), scanId: x.scan_id }));
}

/** Removes finished items and advances their scans; returns the scans that have no work left. */
export async function finishWork(q: Queryable, items: WorkItem[]): Promise<string[]> {
  await q.query('DELETE FROM connection_work WHERE id = ANY($1::bigint[])', [items.map((i) => i.id)]);
  const perScan = new Map<string, number>();
  for (const i of items) if (i.scanId) perScan.set(i.scanId, (perScan.get(i.scanId) ?? 0) + 1);
  const finished: string[] = [];
  for (const [scan, n] of perScan) {
    await q.query("UPDATE connection_scans SET done = done + $2 WHERE id = $1 AND status = 'running'", [scan, n]);
    const left = await q.query('SELECT 1 FROM connection_work WHERE scan_id = $1 LIMIT 1', [scan]);
    if (!left.rowCount) finished.push(scan);
  }
  return finished;
}

export async function queueDepth(q: Queryable): Promise<number> {
  const r = await q.query<{ n: string }>('SELECT count(*) AS n FROM connection_work');
  return Number(r.rows[0].n);
}

export async function completeScan(q: Queryable, id: string): Promise<void> {
  await q.query("UPDATE connection_scans SET status = 'done', finished_at = now() WHERE id = $1 AND status = 'running'", [id]);
}

/** Starts a pass: every live sample queued under it. Null when one is running already. */
export async function insertScan(q: Queryable, createdBy: string): Promise<Scan | null> {
  const r = await q.query<ScanRow>(
    `INSERT INTO connection_scans (total, created_by)
     SELECT (SELECT count(*) FROM samples s JOIN subjects su ON su.id = s.subject_id AND su.deleted_at IS NULL), $1
     ON CONFLICT DO NOTHING RETURNING *`, [createdBy]);
  if (!r.rows[0]) return null;
  await q.query(
    `INSERT INTO connection_work (sample_id, scan_id, enqueued_at)
     SELECT s.id, $1, '-infinity' FROM samples s JOIN subjects su ON su.id = s.subject_id AND su.deleted_at IS NULL ORDER BY s.id`, [r.rows[0].id]);
  // A pass with nothing to search is done at once.
  if (r.rows[0].total === 0) await completeScan(q, r.rows[0].id);
  return getScan(q, r.rows[0].id);
}

interface ScanRow { id: string; status: ScanStatus; total: number; done: number; error: string | null; started_at: Date; finished_at: Date | null }
const toScan = (x: ScanRow): Scan => ({
  id: x.id, status: x.status, total: x.total, done: x.done, error: x.error,
  startedAt: x.started_at.toISOString(), finishedAt: x.finished_at?.toISOString() ?? null,
});

export async function getScan(q: Queryable, id: string): Promise<Scan | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const r = await q.query<ScanRow>('SELECT * FROM connection_scans WHERE id = $1', [id]);
  return r.rows[0] ? toScan(r.rows[0]) : null;
}

export async function runningScan(q: Queryable): Promise<Scan | null> {
  const r = await q.query<ScanRow>("SELECT * FROM connection_scans WHERE status = 'running'");
  return r.rows[0] ? toScan(r.rows[0]) : null;
}

/** Cancels a running pass: its queued samples are dropped (the links found so far stay). */
export async function cancelScan(q: Queryable, id: string): Promise<Scan | null> {
  const r = await q.query("UPDATE connection_scans SET status = 'cancelled', finished_at = now() WHERE id = $1 AND status = 'running'", [id]);
  // Rows a worker holds are skipped, not waited for: it finishes them (its count no longer moves a cancelled pass).
  if (r.rowCount) await q.query('DELETE FROM connection_work WHERE id IN (SELECT id FROM connection_work WHERE scan_id = $1 FOR UPDATE SKIP LOCKED)', [id]);
  return getScan(q, id);
}
