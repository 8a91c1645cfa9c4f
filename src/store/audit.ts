// The append-only audit log. Each entry's hash covers its content and the previous entry's hash,
// so editing or removing a row breaks the chain from that row on (verifyAuditChain finds it).
import { createHash } from 'node:crypto';
import type { Db, Queryable } from './db.ts';

/** Advisory lock key serialising appends so the chain has one order. */
const AUDIT_LOCK = 7_345_002;
const GENESIS = Buffer.alloc(32);

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
  target: string | null; request_id: string | null; details: Record<string, unknown>; prev_hash: Buffer; hash: Buffer;
}

/** Canonical JSON: keys sorted at every depth, so the hash does not depend on key order. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

function entryHash(prev: Buffer, at: string, e: AuditEntry): Buffer {
  return createHash('sha256').update(prev).update(canonical({
    at, keyId: e.keyId ?? null, role: e.role ?? null, agency: e.agency ?? null, action: e.action,
    target: e.target ?? null, requestId: e.requestId ?? null, details: e.details ?? {},
  })).digest();
}

/** Appends one entry inside the caller's transaction (so the audit row commits with the change it records). */
export async function appendAudit(q: Queryable, e: AuditEntry): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const last = await q.query<{ hash: Buffer }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
  const prev = last.rows[0]?.hash ?? GENESIS;
  // Millisecond precision, fixed at write time, so the hash can be recomputed from the stored row.
  const at = new Date().toISOString();
  const hash = entryHash(prev, at, e);
  await q.query(
    `INSERT INTO audit_log (at, key_id, role, agency, action, target, request_id, details, prev_hash, hash)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
    [at, e.keyId ?? null, e.role ?? null, e.agency ?? null, e.action, e.target ?? null, e.requestId ?? null,
      JSON.stringify(e.details ?? {}), prev, hash]);
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
  if (f.action) add('action = ?', f.action);
  if (f.agency) add('agency = ?', f.agency);
  if (f.keyId) add('key_id = ?', f.keyId);
  if (f.target) add('target = ?', f.target);
  if (f.since) add('at >= ?', f.since);
  if (f.until) add('at < ?', f.until);
  if (f.before) add('id < ?', f.before);
  args.push(f.limit);
  const r = await db.query<Row>(
    `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`, args);
  return r.rows.map((x) => ({
    id: Number(x.id), at: x.at.toISOString(), keyId: x.key_id, role: x.role, agency: x.agency, action: x.action,
    target: x.target, requestId: x.request_id, details: x.details, hash: x.hash.toString('hex'),
  }));
}

/** Walks the whole chain; returns the first entry whose hash or link does not hold. */
export async function verifyAuditChain(db: Db): Promise<{ ok: boolean; entries: number; firstBadId: number | null; reason?: string }> {
  let prev: Buffer = GENESIS;
  let n = 0;
  let after = 0;
  const PAGE = 5000;
  for (;;) {
    const r = await db.query<Row>('SELECT * FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2', [after, PAGE]);
    for (const x of r.rows) {
      n++;
      if (!x.prev_hash.equals(prev)) return { ok: false, entries: n, firstBadId: Number(x.id), reason: 'link to previous entry broken (a row was removed or reordered)' };
      const h = entryHash(prev, x.at.toISOString(), {
        keyId: x.key_id, role: x.role, agency: x.agency, action: x.action, target: x.target, requestId: x.request_id, details: x.details,
      });
      if (!h.equals(x.hash)) return { ok: false, entries: n, firstBadId: Number(x.id), reason: 'entry content does not match its hash (edited)' };
      prev = x.hash;
      after = Number(x.id);
    }
    if (r.rows.length < PAGE) return { ok: true, entries: n, firstBadId: null };
  }
}
