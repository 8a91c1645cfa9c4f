// Shared by the end-to-end benchmarks (bench/face-check.ts, bench/fusion.ts): an embedded PostgreSQL
// of the bench's own in a temp folder, the real service as a child process (`node --import tsx
// src/server.ts`, as `npm start` runs it) against that database, and a small HTTP client over fetch.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDb } from '../../src/store/embedded.ts';
import { repoRoot } from './report.ts';

export const ADMIN_KEY = `bench-admin-${randomBytes(16).toString('hex')}`;
/** Time allowed for the service to answer /ready (models load, the face index builds). */
const READY_TIMEOUT_MS = 600_000;

export interface BenchDb extends EmbeddedDb { dir: string; dispose(): Promise<void> }

/** A fresh embedded PostgreSQL cluster in a temp folder (the folder goes with dispose()). */
export async function benchDatabase(prefix: string): Promise<BenchDb> {
  // /tmp is traversable by the postgres user when the bench runs as root.
  const dir = mkdtempSync(path.join(tmpdir(), `biocheck-bench-${prefix}-`));
  chmodSync(dir, 0o755); // mkdtemp makes it 0700; the cluster folder inside stays private to postgres
  const pg = await startEmbeddedPostgres(dir, () => {});
  return { ...pg, dir, dispose: async () => { await pg.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

export interface ServiceChild {
  base: string;
  child: ChildProcess;
  /** Milliseconds from spawn to the first 200 from /ready. */
  readyMs: number;
  /** Everything the service printed (JSON log lines at LOG_LEVEL). */
  output(): string;
  /** Parsed JSON log lines whose msg matches. */
  logs(msg: RegExp): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Starts the service as a child process against `databaseUrl` and waits for /ready. */
export async function startServiceChild(o: { databaseUrl: string; dataDir: string; env?: Record<string, string> }): Promise<ServiceChild> {
  const port = await freePort();
  const t0 = performance.now();
  // BENCH_SERVICE_NODE_ARGS: extra node flags for the service alone (e.g. --cpu-prof, which NODE_OPTIONS refuses).
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/server.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: o.databaseUrl, DATA_DIR: o.dataDir,
      BIOCHECK_ADMIN_KEY: ADMIN_KEY, BIOCHECK_RATE_PER_SECOND: '100000', BIOCHECK_RATE_BURST: '100000', ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.on('exit', (code, signal) => {
    // An exit the bench did not ask for is a finding: show what the service said last.
    // (A crash can reach the bench as a refused connection before this event: a stop then asked for still shows it.)
    if (!stopping || (code !== 0 && signal !== 'SIGTERM')) console.error(`[service-bench] service exited unexpectedly (code ${code}, signal ${signal}):\n${out.split('\n').filter((l) => !/"msg":"(incoming request|request completed)"/.test(l)).slice(-30).join('\n')}`);
    resolve();
  }));
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${out.slice(-4000)}`);
    try {
      if ((await fetch(`${base}/ready`)).status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > until) { stopping = true; child.kill('SIGKILL'); throw new Error(`service not ready in time:\n${out.slice(-4000)}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  const readyMs = performance.now() - t0;
  const logs = (msg: RegExp) => out.split('\n').flatMap((l) => {
    try { const j = JSON.parse(l); return typeof j.msg === 'string' && msg.test(j.msg) ? [j] : []; } catch { return []; }
  });
  return {
    base, child, readyMs, output: () => out, logs,
    stop: async () => { stopping = true; if (child.exitCode === null) { child.kill('SIGTERM'); await exited; } },
  };
}

export interface ApiResult { status: number; body: any; ms: number } // eslint-disable-line @typescript-eslint/no-explicit-any

/** One HTTP call against the service; ms is the client-side wall time, body read included. */
export async function api(base: string, method: string, route: string, o: { key?: string; json?: unknown; raw?: Uint8Array; contentType?: string } = {}): Promise<ApiResult> {
  const headers: Record<string, string> = {};
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  let body: string | Uint8Array | undefined;
  if (o.raw) { body = o.raw; headers['content-type'] = o.contentType ?? 'application/octet-stream'; }
  else if (o.json !== undefined) { body = JSON.stringify(o.json); headers['content-type'] = 'application/json'; }
  const t = performance.now();
  const r = await fetch(`${base}${route}`, { method, headers, body });
  const text = await r.text();
  const ms = performance.now() - t;
  let parsed: unknown;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = text; }
  return { status: r.status, body: parsed, ms };
}

/** Creates a key of `role` for `agency` with the bench's admin key. */
export async function createKey(base: string, role: string, agency: string): Promise<string> {
  const r = await api(base, 'POST', '/v1/keys', { key: ADMIN_KEY, json: { role, agency, label: 'bench' } });
  if (r.status !== 201) throw new Error(`POST /v1/keys: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.key;
}

/** Runs `task(i)` for i in [0, n) with `concurrency` in flight; returns the wall time in ms. */
export async function runConcurrent(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) await task(next++);
  }));
  return performance.now() - t;
}

/** Nearest-rank percentile (p in [0, 100]) of unsorted values. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const median = (values: number[]) => percentile(values, 50);
export const round = (x: number, d = 1) => (Number.isFinite(x) ? +x.toFixed(d) : x);

/** A package's version read from node_modules directly (some packages' `exports` hide package.json from require). */
export function installedVersion(name: string): string {
  try { return JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return 'not installed'; }
}
