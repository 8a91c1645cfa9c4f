// The audit log's sealed chain: appends never wait on each other, every committed entry is sealed in one order,
// and verification finds an edit, a removal and a lost pending mark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { appendAudit, audit, listAudit } from '../src/store/audit.ts';
import { sealAudit, verifyAuditChain } from '../src/store/audit-chain.ts';
import { GENESIS, legacyHash } from '../src/store/audit-hash.ts';
import { AuditSealer } from '../src/store/audit-sealer.ts';
import { freshDatabase } from './lib/service.ts';

let db: Db;
beforeAll(async () => { db = new Db(await freshDatabase()); await migrate(db); });
afterAll(async () => { await db?.close(); });

/** Edits rows the way an attacker with database access would: with the append-only trigger off. */
async function tamper(d: Db, table: 'audit_log' | 'audit_chain', sql: string, args: unknown[] = []) {
  const trigger = table === 'audit_log' ? 'audit_log_no_update' : 'audit_chain_no_update';
  await d.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
  try { await d.query(sql, args); } finally { await d.query(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`); }
}

describe('audit chain', () => {
  it('continues the chain of entries written before the sealed chain existed', async () => {
    // Two rows in the pre-010 form: hash over the previous hash and the content, in the row.
    let prev: Buffer = GENESIS;
    for (const action of ['legacy.one', 'legacy.two']) {
      const at = new Date().toISOString();
      const hash = legacyHash(prev, { at, keyId: null, role: null, agency: 'XX', action, target: null, requestId: null, details: {} });
      await db.query(`INSERT INTO audit_log (at, agency, action, details, prev_hash, hash) VALUES ($1, 'XX', $2, '{}', $3, $4)`, [at, action, prev, hash]);
      prev = hash;
    }
    await audit(db, { agency: 'XX', action: 'after.migration' });
    const v = await verifyAuditChain(db);
    expect(v).toMatchObject({ ok: true, entries: 3 });
    const first = await db.query<{ prev_hash: Buffer }>('SELECT prev_hash FROM audit_chain ORDER BY seq LIMIT 1');
    expect(first.rows[0].prev_hash.equals(prev)).toBe(true);
  });

  it('an append does not wait for another transaction that appended and has not committed', async () => {
    const open = await db.pool.connect();
    try {
      await open.query('BEGIN');
      await appendAudit(open, { action: 'slow.transaction' });
      // With one lock held through commit (the old design), this append would block until `open` ends.
      const other = Promise.race([
        audit(db, { action: 'fast.transaction' }).then(() => 'committed'),
        new Promise((r) => setTimeout(() => r('blocked'), 3000)),
      ]);
      expect(await other).toBe('committed');
      await sealAudit(db);
      await open.query('COMMIT');
    } finally { open.release(); }
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('seals many concurrent appends into one gapless order, and a rolled-back append leaves nothing', async () => {
    const before = (await verifyAuditChain(db)).entries;
    const sealer = new AuditSealer(db, { delayMs: 5, sweepMs: 1000 });
    await Promise.all(Array.from({ length: 120 }, (_, i) => audit(db, { action: 'load', details: { i } })));
    await expect(db.tx(async (c) => { await appendAudit(c, { action: 'rolled.back' }); throw new Error('abort'); })).rejects.toThrow('abort');
    await sealer.stop();
    const pending = await db.query('SELECT 1 FROM audit_pending');
    expect(pending.rowCount).toBe(0);
    const seqs = await db.query<{ seq: string }>('SELECT seq FROM audit_chain ORDER BY seq');
    expect(seqs.rows.map((r) => Number(r.seq))).toEqual(seqs.rows.map((_, i) => i + 1));
    const v = await verifyAuditChain(db);
    expect(v).toMatchObject({ ok: true, entries: before + 120 });
    expect(v.head.seq).toBe(seqs.rowCount);
    expect((await db.query("SELECT 1 FROM audit_log WHERE action = 'rolled.back'")).rowCount).toBe(0);
    const listed = await listAudit(db, { action: 'load', limit: 1 });
    expect(listed[0].seq).toBeGreaterThan(0);
    expect(listed[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds an edited entry, sealed or still pending', async () => {
    await audit(db, { action: 'to.edit', details: { decision: 'hit' } });
    await sealAudit(db);
    const victim = (await db.query<{ id: string }>("SELECT id FROM audit_log WHERE action = 'to.edit'")).rows[0].id;
    await tamper(db, 'audit_log', `UPDATE audit_log SET details = '{"decision":"no-hit"}' WHERE id = $1`, [victim]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, firstBadId: Number(victim), reason: expect.stringMatching(/edited/) });
    await tamper(db, 'audit_log', `UPDATE audit_log SET details = '{"decision":"hit"}' WHERE id = $1`, [victim]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('finds a removed entry and a removed link', async () => {
    await audit(db, { action: 'to.remove' });
    await audit(db, { action: 'after.removed' });
    await sealAudit(db);
    const victim = (await db.query<{ id: string }>("SELECT id FROM audit_log WHERE action = 'to.remove'")).rows[0].id;
    await tamper(db, 'audit_log', 'DELETE FROM audit_log WHERE id = $1', [victim]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, firstBadId: Number(victim), reason: expect.stringMatching(/missing/) });
    await tamper(db, 'audit_chain', 'DELETE FROM audit_chain WHERE entry_id = $1', [victim]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, reason: expect.stringMatching(/skips/) });
  });

  it('finds a chain cut short at its end, given a head published before', async () => {
    const fresh = new Db(await freshDatabase());
    await migrate(fresh);
    try {
      for (let i = 0; i < 3; i++) await audit(fresh, { action: 'entry', details: { i } });
      const published = (await verifyAuditChain(fresh)).head;
      expect(published.seq).toBe(3);
      expect(await verifyAuditChain(fresh, published)).toMatchObject({ ok: true });
      await tamper(fresh, 'audit_chain', 'DELETE FROM audit_chain WHERE seq = 3');
      await tamper(fresh, 'audit_log', "DELETE FROM audit_log WHERE details->>'i' = '2'");
      // On its own the shortened chain is consistent; against the published head it is not.
      expect(await verifyAuditChain(fresh)).toMatchObject({ ok: true });
      expect(await verifyAuditChain(fresh, published)).toMatchObject({ ok: false, reason: expect.stringMatching(/removed from its end/) });
      expect(await verifyAuditChain(fresh, { seq: 2, hash: 'ab'.repeat(32) })).toMatchObject({ ok: false, reason: expect.stringMatching(/rewritten/) });
    } finally { await fresh.close(); }
  });

  it('finds an entry whose pending mark was removed before it was sealed', async () => {
    const fresh = new Db(await freshDatabase());
    await migrate(fresh);
    try {
      await audit(fresh, { action: 'kept' });
      await audit(fresh, { action: 'hidden' });
      const hidden = (await fresh.query<{ id: string }>("SELECT id FROM audit_log WHERE action = 'hidden'")).rows[0].id;
      await fresh.query('DELETE FROM audit_pending WHERE entry_id = $1', [hidden]);
      expect(await verifyAuditChain(fresh)).toMatchObject({ ok: false, firstBadId: Number(hidden), reason: expect.stringMatching(/neither sealed nor pending/) });
    } finally { await fresh.close(); }
  });
});
