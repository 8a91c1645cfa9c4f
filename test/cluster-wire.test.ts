// The cluster's shared vocabulary without NATS: the shard of a subject is the same in TypeScript (the front routes
// enrolments) and in SQL (a worker loads its shard), and the wire codec refuses what it cannot trust.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { decodeChange, decodeReply, decodeSearch, encodeChange, encodeReply, encodeSearch, WireError } from '../src/cluster/wire.ts';
import { shardOf, shardSql } from '../src/store/shard.ts';
import { freshDatabase } from './lib/service.ts';

let client: pg.Client;
beforeAll(async () => { client = new pg.Client({ connectionString: await freshDatabase() }); await client.connect(); });
afterAll(async () => { await client?.end(); });

describe('shard of a subject', () => {
  it('is the same in SQL and in TypeScript for any uuid and shard count', async () => {
    await fc.assert(fc.asyncProperty(fc.uuid(), fc.integer({ min: 1, max: 1024 }), async (id, n) => {
      const r = await client.query<{ s: string }>(`SELECT ${shardSql('$1::uuid', '$2')} AS s`, [id, n]);
      expect(Number(r.rows[0].s)).toBe(shardOf(id, n));
    }), { numRuns: 300 });
  });

  it('spreads subjects evenly', () => {
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[shardOf(crypto.randomUUID(), 8)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});

describe('wire codec', () => {
  it('round-trips searches, replies and change notices', () => {
    const v = new Float32Array([0.5, -0.25, 1e-7]);
    const f = decodeSearch(encodeSearch({ kind: 'face', after: 7, deadlineMs: 100, k: 3, watchlists: [1, 2], vectors: [v] }));
    expect(f.kind === 'face' && [...f.vectors[0]]).toEqual([...v]);
    const g = decodeSearch(encodeSearch({ kind: 'finger', after: 0, deadlineMs: 100, k: 3, watchlists: [1], template: new Uint8Array([1, 2, 3]), position: 2 }));
    expect(g).toMatchObject({ kind: 'finger', position: 2, template: new Uint8Array([1, 2, 3]) });
    expect(decodeReply(encodeReply({ ok: true, shard: 1, replica: 0, hits: [[[5, 0.9]]] }))).toEqual({ ok: true, shard: 1, replica: 0, hits: [[[5, 0.9]]] });
    expect(decodeChange(encodeChange({ op: 'remove', modality: 'face', ids: [3] }))).toEqual({ op: 'remove', modality: 'face', ids: [3] });
  });

  it('refuses any byte string that is not a well-formed message with a WireError, never another exception', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.json().map((j) => new Uint8Array(Buffer.from(j)))), (bytes) => {
      for (const decode of [decodeSearch, decodeReply, decodeChange]) {
        try { decode(bytes); } catch (e) { expect(e).toBeInstanceOf(WireError); }
      }
    }), { numRuns: 500 });
    const bad = (o: unknown) => new Uint8Array(Buffer.from(JSON.stringify(o)));
    expect(() => decodeSearch(bad({ kind: 'face', after: -1, deadlineMs: 1, k: 1, watchlists: [], vectors: [] }))).toThrow(WireError);
    expect(() => decodeSearch(bad({ kind: 'face', after: 0, deadlineMs: 1, k: 1, watchlists: [], vectors: ['AAA='] }))).toThrow(/float32/);
    expect(() => decodeReply(bad({ ok: true, shard: 0, replica: 0, hits: [[[1, 'x']]] }))).toThrow(WireError);
    expect(() => decodeChange(bad({ op: 'drop', modality: 'face', ids: [] }))).toThrow(WireError);
  });
});

describe('cluster settings', () => {
  it('default to the single process, and refuse a worker without its database or with a shard out of range', () => {
    expect(loadConfig({}, {}).cluster).toMatchObject({ role: 'single', shards: 1, shard: 0 });
    expect(loadConfig({}, { BIOCHECK_ROLE: 'worker', DATABASE_URL: 'postgres://u:p@h/d', BIOCHECK_SHARDS: '4', BIOCHECK_SHARD: '3' }).cluster)
      .toMatchObject({ role: 'worker', shards: 4, shard: 3 });
    const refused = (env: Record<string, string>) => { try { loadConfig({}, env); return []; } catch (e) { return (e as ConfigError).problems; } };
    expect(refused({ BIOCHECK_ROLE: 'worker' }).join()).toMatch(/DATABASE_URL/);
    expect(refused({ BIOCHECK_SHARDS: '2', BIOCHECK_SHARD: '2' }).join()).toMatch(/BIOCHECK_SHARD=2/);
    expect(refused({ BIOCHECK_ROLE: 'leader' }).join()).toMatch(/BIOCHECK_ROLE/);
    // A URL with credentials is refused without repeating them.
    expect(refused({ BIOCHECK_NATS_URL: 'http://user:secret@host' }).join()).toMatch(/BIOCHECK_NATS_URL/);
    expect(refused({ BIOCHECK_NATS_URL: 'http://user:secret@host' }).join()).not.toContain('secret');
  });
});
