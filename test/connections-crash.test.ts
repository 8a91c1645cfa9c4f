// A full connection pass survives a crash: SIGKILL the service mid-pass, start it again on the same database,
// and the pass resumes from its durable queue and finishes with every sample searched once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';
import { spawnService, type ServiceProcess } from './lib/process.ts';
import { freshDatabase } from './lib/service.ts';

const adminKey = 'connections-crash-admin-key-0123456789';
const dataDir = mkdtempSync(path.join(tmpdir(), 'biocheck-conn-crash-'));
const auth = { authorization: `Bearer ${adminKey}` };
let svc: ServiceProcess | undefined;
afterAll(() => { svc?.child.kill('SIGKILL'); rmSync(dataDir, { recursive: true, force: true }); });

const SUBJECTS = 80;
/** Subjects 2i and 2i+1 (i < 8) are one person enrolled twice. */
const person = (i: number) => (i < 16 ? Math.floor(i / 2) : i);

async function api(method: string, url: string, body?: unknown) {
  const r = await fetch(`${svc!.base}${url}`, body === undefined
    ? { method, headers: auth } : { method, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json().catch(() => undefined) as any };
}

describe('connection pass after a crash', () => {
  it('resumes after SIGKILL and finishes', async () => {
    // A pause between batches keeps the pass running long enough to be killed in the middle of it.
    const env = { DATABASE_URL: await freshDatabase(), DATA_DIR: dataDir, BIOCHECK_ADMIN_KEY: adminKey, BIOCHECK_CONNECTIONS_PACE_MS: '400', BIOCHECK_CONNECTIONS_BATCH: '16' };
    svc = await spawnService(env);
    expect((await api('POST', '/v1/watchlists', { id: 'w', name: 'W', agency: 'FR', disclosure: 'full' })).status).toBe(201);
    for (let i = 0; i < SUBJECTS; i++) {
      const c = await api('POST', '/v1/subjects', { watchlist: 'w', reference: `S${i}` });
      const t = isoRecord(impression(synthFinger(9000 + person(i)), i, { rotDeg: 5, dx: 3, drop: 0.1, spurious: 2 }), 3);
      expect((await api('POST', `/v1/subjects/${c.body.id}/fingerprints`, { template: Buffer.from(t).toString('base64'), position: 3 })).status).toBe(201);
    }
    const started = await api('POST', '/v1/connections/scan');
    expect(started.status).toBe(202);
    const jobId = started.body.jobId as string;
    let seen: { done: number; total: number } | undefined;
    for (const end = Date.now() + 60_000; Date.now() < end;) {
      const r = await api('GET', `/v1/connections/scan/${jobId}`);
      if (r.body.done > 0 && r.body.done < r.body.total) { seen = r.body; break; }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen, 'the pass was seen in progress').toBeDefined();
    svc.child.kill('SIGKILL');
    await svc.exited;

    svc = await spawnService({ ...env, BIOCHECK_CONNECTIONS_PACE_MS: '0' });
    let final: any;
    for (const end = Date.now() + 60_000; Date.now() < end;) {
      final = (await api('GET', `/v1/connections/scan/${jobId}`)).body;
      if (final.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(final).toMatchObject({ status: 'done', total: SUBJECTS, done: SUBJECTS });
    expect(final.done).toBeGreaterThan(seen!.done);
    const links = (await api('GET', '/v1/connections?limit=500')).body.connections as { subjects: { reference: string }[] }[];
    const pairs = links.map((c) => c.subjects.map((x) => Number(x.reference.slice(1))).sort((a, b) => a - b).join('+')).sort();
    expect(pairs).toEqual(Array.from({ length: 8 }, (_, i) => `${2 * i}+${2 * i + 1}`).sort());
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    svc = undefined;
  }, 300_000);
});
