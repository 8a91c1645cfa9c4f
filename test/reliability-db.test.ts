// Database faults under load: the embedded PostgreSQL frozen (SIGSTOP) and killed (SIGKILL) while checks
// keep coming. Meanwhile requests fail fast with 503 DATABASE_UNAVAILABLE and /ready says not ready; once
// the database is back (thawed, or restarted by the supervisor) the same process serves again, data intact.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { Modalities } from '../src/fusion/modalities.ts';
import { biometricRoutesModule, fingerModule } from '../src/modules.ts';
import { createService, type Service } from '../src/service.ts';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';

const ADMIN = 'reliability-db-admin-key-0123456789abcdef';
const dataDir = mkdtempSync(path.join(tmpdir(), 'biocheck-dbfault-'));
chmodSync(dataDir, 0o755); // the postgres user (tests as root) must reach it
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longest any request may take, database up or down: query timeout + connect timeout + slack. */
const MAX_ANSWER_MS = 6_000;

let svc: Service;
let kiosk: string;
const subjects: string[] = [];

async function call(method: string, url: string, body?: unknown, key = ADMIN) {
  const t = performance.now();
  const r = await svc.app.inject({
    method: method as 'GET', url, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    payload: body ? JSON.stringify(body) : undefined,
  });
  let json: any;
  try { json = JSON.parse(r.body); } catch { json = undefined; }
  return { status: r.statusCode, body: json, headers: r.headers, ms: performance.now() - t, text: r.body };
}

const probeOf = (i: number) => ({ fingerprints: [{ template: b64(isoRecord(impression(synthFinger(9000 + i), i + 1, { drop: 0.1, rotDeg: 5 }), 1)) }] });

/** The postmaster and every process it forked (backends, checkpointer, WAL writer...). */
function postgresTree(): number[] {
  const pid = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const kids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === pid ? [Number(d)] : [];
    } catch { return []; }
  });
  return [pid, ...kids];
}

/** Checks in a loop at a fixed concurrency, recording every answer, until stopped. */
function load(concurrency = 3) {
  const seen: { status: number; code?: string; ms: number; at: number }[] = [];
  let running = true;
  const workers = Array.from({ length: concurrency }, async (_, w) => {
    for (let n = 0; running; n++) {
      const r = await call('POST', '/v1/checks', probeOf((w + n) % subjects.length), kiosk);
      seen.push({ status: r.status, code: r.body?.error?.code, ms: r.ms, at: Date.now() });
      if (r.status !== 200) await sleep(20);
    }
  });
  return { seen, stop: async () => { running = false; await Promise.all(workers); } };
}

async function until(what: string, cond: () => Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await cond()) return; await sleep(100); }
  throw new Error(`timed out waiting for: ${what}`);
}

beforeAll(async () => {
  process.env.BIOCHECK_DB_QUERY_TIMEOUT_MS = '1500';
  const mods: Modalities = {};
  svc = await createService(loadConfig({ databaseUrl: undefined, dataDir, adminKey: ADMIN, port: 0, rateLimit: { perSecond: 100_000, burst: 100_000 } }),
    [biometricRoutesModule(mods), fingerModule(mods)], { logger: false });
  await svc.app.ready();
  kiosk = (await call('POST', '/v1/keys', { role: 'kiosk', agency: 'IT' })).body.key;
  expect((await call('POST', '/v1/watchlists', { id: 'wl', name: 'WL', agency: 'FR', disclosure: 'full' })).status).toBe(201);
  for (let i = 0; i < 8; i++) {
    const s = await call('POST', '/v1/subjects', { watchlist: 'wl', name: `P${i}` });
    subjects.push(s.body.id);
    expect((await call('POST', `/v1/subjects/${s.body.id}/fingerprints`, { template: b64(isoRecord(synthFinger(9000 + i), 1)) })).status).toBe(201);
  }
});
afterAll(async () => {
  delete process.env.BIOCHECK_DB_QUERY_TIMEOUT_MS;
  await svc?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('database faults under load', () => {
  it('frozen database (SIGSTOP): fast 503 DATABASE_UNAVAILABLE, /ready not ready; thawed: serves again', async () => {
    const l = load();
    await sleep(500);
    const tree = postgresTree();
    expect(tree.length).toBeGreaterThan(1);
    for (const p of tree) process.kill(p, 'SIGSTOP');
    try {
      await until('a 503 DATABASE_UNAVAILABLE', async () => l.seen.some((x) => x.code === 'DATABASE_UNAVAILABLE'), 10_000);
      // Breaker open: new requests are answered at once, not after a timeout.
      const r = await call('POST', '/v1/checks', probeOf(0), kiosk);
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('DATABASE_UNAVAILABLE');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.ms).toBeLessThan(500);
      const ready = await call('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.database).toBe(false);
      expect((await call('GET', '/health')).status).toBe(200);
    } finally {
      for (const p of tree) { try { process.kill(p, 'SIGCONT'); } catch { /* gone */ } }
    }
    const thawedAt = Date.now();
    await until('checks answered 200 again', async () => (await call('POST', '/v1/checks', probeOf(1), kiosk)).status === 200, 15_000);
    const recoveryMs = Date.now() - thawedAt;
    await l.stop();
    expect((await call('GET', '/ready')).status).toBe(200);
    for (const x of l.seen) {
      expect([200, 503]).toContain(x.status);
      if (x.status === 503) expect(x.code).toBe('DATABASE_UNAVAILABLE');
      expect(x.ms).toBeLessThan(MAX_ANSWER_MS);
    }
    console.info(`SIGSTOP: ${l.seen.length} answers, ${l.seen.filter((x) => x.status === 503).length} fast 503s, recovered ${recoveryMs} ms after SIGCONT`);
    expect(recoveryMs).toBeLessThan(10_000);
  });

  it('killed database (SIGKILL of the postmaster): 503s, then the supervisor restarts it and the same process serves', async () => {
    const l = load();
    await sleep(500);
    const [postmaster] = postgresTree();
    process.kill(postmaster, 'SIGKILL');
    const killedAt = Date.now();
    await until('a 503 DATABASE_UNAVAILABLE', async () => l.seen.some((x) => x.code === 'DATABASE_UNAVAILABLE' && x.at >= killedAt), 10_000);
    await until('checks answered 200 again', async () => (await call('POST', '/v1/checks', probeOf(2), kiosk)).status === 200, 45_000);
    const recoveryMs = Date.now() - killedAt;
    await l.stop();
    expect(postgresTree()[0]).not.toBe(postmaster);
    for (const x of l.seen) {
      expect([200, 503]).toContain(x.status);
      expect(x.ms).toBeLessThan(MAX_ANSWER_MS);
    }
    console.info(`SIGKILL: ${l.seen.length} answers, ${l.seen.filter((x) => x.status === 503).length} 503s, serving again ${recoveryMs} ms after the kill`);
    expect(recoveryMs).toBeLessThan(45_000);
    // Nothing committed was lost, and writes work again.
    const r = await call('POST', '/v1/checks', probeOf(5), kiosk);
    expect(r.body.candidates[0].subjectId).toBe(subjects[5]);
    const s = await call('POST', '/v1/subjects', { watchlist: 'wl', name: 'After' });
    expect(s.status).toBe(201);
    expect((await call('POST', `/v1/subjects/${s.body.id}/fingerprints`, { template: b64(isoRecord(synthFinger(9100), 1)) })).status).toBe(201);
    expect((await call('GET', '/ready')).status).toBe(200);
  });
});
