// The service as `npm start` runs it: embedded PostgreSQL in DATA_DIR, graceful SIGTERM, data kept across
// restarts, and a restart after SIGKILL (a PostgreSQL left running by the killed process is taken over).
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnService } from './lib/process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'biocheck-restart-'));
chmodSync(dataDir, 0o755);
const adminKey = 'restart-test-admin-key-0123456789abcdef';
const env = { DATA_DIR: dataDir, BIOCHECK_ADMIN_KEY: adminKey };
const auth = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('restart', () => {
  it('keeps data across a graceful stop, and across SIGKILL', async () => {
    let svc = await spawnService(env);
    const w = await fetch(`${svc.base}/v1/watchlists`, { method: 'POST', headers: auth, body: JSON.stringify({ id: 'kept', name: 'Kept', agency: 'FR', disclosure: 'full' }) });
    expect(w.status).toBe(201);
    const sub = await (await fetch(`${svc.base}/v1/subjects`, { method: 'POST', headers: auth, body: JSON.stringify({ watchlist: 'kept', name: 'Still Here' }) })).json() as { id: string };
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);

    svc = await spawnService(env);
    const read = await fetch(`${svc.base}/v1/subjects/${sub.id}`, { headers: auth });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { name: string }).name).toBe('Still Here');
    svc.child.kill('SIGKILL');
    await svc.exited;

    svc = await spawnService(env);
    expect((await fetch(`${svc.base}/v1/subjects/${sub.id}`, { headers: auth })).status).toBe(200);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
  }, 300_000);

  it('SIGTERM to `npm start` (what a container runtime sends) reaches the service: it shuts down gracefully', async () => {
    // npm forwards the signal to its child only; the start script execs node so that child is the service.
    const svc = await spawnService({ ...env, LOG_LEVEL: 'info' }, 120_000, true);
    svc.child.kill('SIGTERM');
    await svc.exited;
    expect(svc.output()).toContain('shutting down');
    await expect(fetch(`${svc.base}/health`)).rejects.toThrow();
  }, 300_000);
});
