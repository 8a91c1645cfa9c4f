// The audit chain: sealing committed entries into one order, and verifying the whole log.
// Sealing is group commit by one writer: whoever holds the seal lock takes every pending entry, links each to
// the previous link (sha256(prev || leaf)) and commits the links in one transaction. Requests never wait for it.
import type { Db, Queryable } from './db.ts';
import { GENESIS, leafHash, legacyHash, linkHash, type AuditContent } from './audit-hash.ts';

/** Advisory lock key: one sealer at a time, across every process sharing the database. */
const SEAL_LOCK = 7_345_003;
/** Entries sealed per transaction. */
const SEAL_BATCH = 5000;
/** Rows read per page when verifying. */
const VERIFY_PAGE = 5000;

interface EntryRow {
  id: string; at: Date; key_id: string | null; role: string | null; agency: string | null; action: string;
  target: string | null; request_id: string | null; details: Record<string, unknown>;
}

const contentOf = (x: EntryRow): AuditContent => ({
  at: x.at.toISOString(), keyId: x.key_id, role: x.role, agency: x.agency, action: x.action,
  target: x.target, requestId: x.request_id, details: x.details,
});

/** The link the next sealed entry chains to: the sealed chain's head, or the tail of the pre-010 in-row chain. */
async function head(q: Queryable): Promise<{ seq: number; hash: Buffer }> {
  const c = await q.query<{ seq: string; hash: Buffer }>('SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1');
  if (c.rows[0]) return { seq: Number(c.rows[0].seq), hash: c.rows[0].hash };
  const legacy = await q.query<{ hash: Buffer }>('SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1');
  return { seq: 0, hash: legacy.rows[0]?.hash ?? GENESIS };
}

/** Seals what is pending now; returns how many entries it sealed (0 when another process holds the lock). */
export async function sealAudit(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.tx(async (c) => {
      const locked = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [SEAL_LOCK]);
      if (!locked.rows[0].ok) return 0;
      const pending = await c.query<{ entry_id: string; leaf_hash: Buffer }>(
        `SELECT p.entry_id, a.leaf_hash FROM audit_pending p JOIN audit_log a ON a.id = p.entry_id
          ORDER BY p.entry_id LIMIT $1`, [SEAL_BATCH]);
      if (!pending.rows.length) return 0;
      let { seq, hash } = await head(c);
      const seqs: string[] = []; const ids: string[] = []; const prevs: Buffer[] = []; const hashes: Buffer[] = [];
      for (const r of pending.rows) {
        const next = linkHash(hash, r.leaf_hash);
        seqs.push(String(++seq)); ids.push(r.entry_id); prevs.push(hash); hashes.push(next);
        hash = next;
      }
      await c.query(
        `INSERT INTO audit_chain (seq, entry_id, prev_hash, hash)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::bytea[])`, [seqs, ids, prevs, hashes]);
      await c.query('DELETE FROM audit_pending WHERE entry_id = ANY($1::bigint[])', [ids]);
      return pending.rows.length;
    });
    total += n;
    if (n < SEAL_BATCH) return total;
  }
}

export interface ChainVerification {
  ok: boolean; entries: number; firstBadId: number | null; reason?: string;
  /** The chain's head after verification: an agency that keeps it can later check the log only grew from it. */
  head: { seq: number; hash: string };
}

/**
 * Seals what is pending, then walks the whole log: the pre-010 in-row chain by id, then the sealed chain by seq.
 * Finds an edited entry (its content no longer matches its leaf), a removed or reordered one (a link or a seq
 * does not follow), and an entry that is in neither the chain nor the pending set. A chain cut short at its end
 * leaves no trace in itself: given a head published earlier (`known`), the chain must still hold it.
 */
export async function verifyAuditChain(db: Db, known?: { seq: number; hash: string }): Promise<ChainVerification> {
  await sealAudit(db);
  let prev: Buffer = GENESIS;
  let n = 0;
  const bad = (id: string | number, reason: string): ChainVerification => (
    { ok: false, entries: n, firstBadId: Number(id), reason, head: { seq: 0, hash: '' } });
  for (let after = 0; ;) {
    const r = await db.query<EntryRow & { prev_hash: Buffer; hash: Buffer }>(
      'SELECT * FROM audit_log WHERE hash IS NOT NULL AND id > $1 ORDER BY id LIMIT $2', [after, VERIFY_PAGE]);
    for (const x of r.rows) {
      n++;
      if (!x.prev_hash.equals(prev)) return bad(x.id, 'link to previous entry broken (a row was removed or reordered)');
      if (!legacyHash(prev, contentOf(x)).equals(x.hash)) return bad(x.id, 'entry content does not match its hash (edited)');
      prev = x.hash;
      after = Number(x.id);
    }
    if (r.rows.length < VERIFY_PAGE) break;
  }
  let seq = 0;
  let knownSeen = false;
  for (;;) {
    const r = await db.query<EntryRow & { seq: string; entry_id: string; prev_hash: Buffer; link: Buffer; leaf_hash: Buffer | null }>(
      `SELECT c.seq, c.entry_id, c.prev_hash, c.hash AS link, a.id, a.at, a.key_id, a.role, a.agency, a.action,
              a.target, a.request_id, a.details, a.leaf_hash
         FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.entry_id
        WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`, [seq, VERIFY_PAGE]);
    for (const x of r.rows) {
      n++;
      if (Number(x.seq) !== seq + 1) return bad(x.entry_id, `sealed chain skips from ${seq} to ${x.seq} (a link was removed)`);
      if (x.id === null || !x.leaf_hash) return bad(x.entry_id, 'a sealed entry is missing from the log (removed)');
      if (!x.prev_hash.equals(prev)) return bad(x.entry_id, 'link to previous entry broken (a row was removed or reordered)');
      if (!leafHash(contentOf(x)).equals(x.leaf_hash)) return bad(x.entry_id, 'entry content does not match its hash (edited)');
      if (!linkHash(prev, x.leaf_hash).equals(x.link)) return bad(x.entry_id, 'chain link does not match (edited)');
      prev = x.link;
      seq = Number(x.seq);
      if (known && seq === known.seq) {
        if (x.link.toString('hex') !== known.hash.toLowerCase()) return bad(x.entry_id, `the link at seq ${seq} differs from the head given (the log was rewritten)`);
        knownSeen = true;
      }
    }
    if (r.rows.length < VERIFY_PAGE) break;
  }
  const orphan = await db.query<{ id: string }>(
    `SELECT a.id FROM audit_log a
      WHERE a.hash IS NULL
        AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.entry_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM audit_pending p WHERE p.entry_id = a.id)
      ORDER BY a.id LIMIT 1`);
  if (known && known.seq > 0 && !knownSeen) return bad(0, `the chain ends at seq ${seq}, before the head given (${known.seq}): entries were removed from its end`);
  if (orphan.rows[0]) return bad(orphan.rows[0].id, 'an entry is neither sealed nor pending (its pending mark was removed)');
  return { ok: true, entries: n, firstBadId: null, head: { seq, hash: prev.toString('hex') } };
}
