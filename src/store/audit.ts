// The append-only audit log. An entry is written inside the caller's transaction, so it commits with the
// change it records, together with the hash of its own content; the chain that orders and links the entries
// is sealed right after commit by one writer (audit-chain.ts), so appends never wait on each other.
import type { Db, Queryable } from './db.ts';
import { leafHash, type AuditContent } from './audit-hash.ts';

export interface AuditEntry {
  keyId?: string | null;
  role?: string | null;
  agency?: string | null;
  action: string;
  target?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

interface Row {
  id: string; at: Date; key_id: string | null; role: string | null; agency: string | null; action: string;
  target: string | null; request_id: string | null; details: Record<string, unknown>; hash: Buffer | null; seq: string | null;
}

/** Bench only (BIOCHECK_BENCH_SKIP_AUDIT with BIOCHECK_BENCH=1, checked in config.ts): appends write nothing, so a
 *  bench can measure what the audit write costs a check. Never set in production. */
let skipForBench = false;
export function skipAuditForBench(on: boolean): void { skipForBench = on; }

/** Woken after every append, so a sealer in this process seals soon after the commit. */
const appended = new Set<() => void>();
export function onAuditAppended(fn: () => void): () => void {
  appended.add(fn);
  return () => appended.delete(fn);
}

export function auditContent(e: AuditEntry, at: string): AuditContent {
  return {
    at, keyId: e.keyId ?? null, role: e.role ?? null, agency: e.agency ?? null, action: e.action,
    target: e.target ?? null, requestId: e.requestId ?? null, details: e.details ?? {},
  };
}

/** The statement that appends an entry, its parameters numbered from `first`. */
function appendStatement(e: AuditEntry, first: number): { sql: string; params: unknown[] } {
  // Millisecond precision, fixed at write time, so the hash can be recomputed from the stored row.
  const c = auditContent(e, new Date().toISOString());
  const $ = (i: number) => `$${first + i}`;
  return {
    sql: `audit_entry AS (
       INSERT INTO audit_log (at, key_id, role, agency, action, target, request_id, details, leaf_hash)
       VALUES (${[0, 1, 2, 3, 4, 5, 6, 7, 8].map($).join(',')}) RETURNING id),
     audit_mark AS (INSERT INTO audit_pending (entry_id) SELECT id FROM audit_entry)`,
    params: [c.at, c.keyId, c.role, c.agency, c.action, c.target, c.requestId, JSON.stringify(c.details), leafHash(c)],
  };
}

/** Appends one entry inside the caller's transaction: one statement, no lock. */
export async function appendAudit(q: Queryable, e: AuditEntry): Promise<void> {
  if (skipForBench) return;
  const a = appendStatement(e, 1);
  await q.query(`WITH ${a.sql} SELECT 1`, a.params);
  for (const fn of appended) fn();
}

/**
 * Makes a change and appends its entry in ONE statement, atomic without a transaction: `change` is a single
 * data-modifying statement (its parameters $1..$n), and its RETURNING rows are the answer. For the hot path
 * (a no-hit check), where BEGIN and COMMIT would double the round trips.
 */
export async function withAudit<T extends Record<string, unknown>>(q: Queryable, change: string, params: unknown[], e: AuditEntry): Promise<T[]> {
  if (skipForBench) return (await q.query<T>(change, params)).rows;
  const a = appendStatement(e, params.length + 1);
  const r = await q.query<T>(`WITH change AS (${change}), ${a.sql} SELECT * FROM change`, [...params, ...a.params]);
  for (const fn of appended) fn();
  return r.rows;
}

/** Appends in a transaction of its own (audit when nothing else is written). */
export async function audit(db: Db, e: AuditEntry): Promise<void> {
  await db.tx((c) => appendAudit(c, e));
}

export interface AuditFilter { action?: string; agency?: string; keyId?: string; target?: string; since?: string; until?: string; limit: number; before?: number }

export async function listAudit(db: Db, f: AuditFilter) {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, v: unknown) => { args.push(v); where.push(sql.replace('?', `$${args.length}`)); };
  if (f.action) add('a.action = ?', f.action);
  if (f.agency) add('a.agency = ?', f.agency);
  if (f.keyId) add('a.key_id = ?', f.keyId);
  if (f.target) add('a.target = ?', f.target);
  if (f.since) add('a.at >= ?', f.since);
  if (f.until) add('a.at < ?', f.until);
  if (f.before) add('a.id < ?', f.before);
  args.push(f.limit);
  const r = await db.query<Row>(
    `SELECT a.id, a.at, a.key_id, a.role, a.agency, a.action, a.target, a.request_id, a.details,
            coalesce(c.hash, a.hash) AS hash, c.seq
       FROM audit_log a LEFT JOIN audit_chain c ON c.entry_id = a.id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id DESC LIMIT $${args.length}`, args);
  return r.rows.map((x) => ({
    id: Number(x.id), at: x.at.toISOString(), keyId: x.key_id, role: x.role, agency: x.agency, action: x.action,
    target: x.target, requestId: x.request_id, details: x.details,
    // The chain link, once sealed (null for an entry committed in the last moments and not sealed yet).
    seq: x.seq === null ? null : Number(x.seq), hash: x.hash?.toString('hex') ?? null,
  }));
}
