// A transaction PostgreSQL aborts to break a deadlock runs again when the caller allows it (deletions do: the
// background connection search writes the same subjects' links concurrently). A real deadlock on a real server.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/store/db.ts';
import { freshDatabase } from './lib/service.ts';

let url: string;
let db: Db;
beforeAll(async () => {
  url = await freshDatabase();
  db = new Db(url);
  await db.query('CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)');
});
afterAll(async () => { await db?.close(); });

/** Runs `tx` against another session that takes the same two rows in the opposite order. The other session waits
 *  10 s before it looks for deadlocks, `tx` 50 ms: `tx` is the one PostgreSQL aborts. */
async function deadlock(tx: (fn: (c: pg.PoolClient) => Promise<void>) => Promise<void>): Promise<{ attempts: number; error?: unknown }> {
  await db.query('DELETE FROM t');
  await db.query('INSERT INTO t VALUES (1, 0), (2, 0)');
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  let attempts = 0;
  let release!: () => void;
  const firstRowTaken = new Promise<void>((r) => { release = r; });
  try {
    await other.query('BEGIN');
    await other.query("SET LOCAL deadlock_timeout = '10s'");
    const result = tx(async (c) => {
      attempts++;
      await c.query("SET LOCAL deadlock_timeout = '50ms'");
      await c.query('UPDATE t SET v = v + 1 WHERE id = 1');
      if (attempts === 1) {
        release();
        await new Promise((r) => setTimeout(r, 200)); // the other session takes row 2 meanwhile
      }
      await c.query('UPDATE t SET v = v + 1 WHERE id = 2');
    });
    await other.query('UPDATE t SET v = v + 10 WHERE id = 2');
    await firstRowTaken;
    const otherDone = other.query('UPDATE t SET v = v + 10 WHERE id = 1').then(() => other.query('COMMIT'));
    const error = await result.then(() => undefined, (e: unknown) => e);
    await otherDone;
    return { attempts, error };
  } finally {
    await other.end();
  }
}

describe('Db.tx and deadlocks', () => {
  it('without retries, the deadlock victim fails with 40P01', async () => {
    const r = await deadlock((fn) => db.tx(fn));
    expect(r.attempts).toBe(1);
    expect((r.error as { code?: string })?.code).toBe('40P01');
  });

  it('with retries, the victim runs again after the other transaction and both changes hold', async () => {
    const r = await deadlock((fn) => db.tx(fn, { deadlockRetries: 2 }));
    expect(r.error).toBeUndefined();
    expect(r.attempts).toBe(2);
    const rows = (await db.query<{ id: number; v: number }>('SELECT id, v FROM t ORDER BY id')).rows;
    expect(rows).toEqual([{ id: 1, v: 11 }, { id: 2, v: 11 }]);
  });
});
