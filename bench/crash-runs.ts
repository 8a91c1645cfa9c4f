// Crash consistency: the service as `npm start` runs it (child process, embedded PostgreSQL in DATA_DIR)
// takes concurrent fingerprint enrolments and subject deletions, is SIGKILLed mid-way (in odd runs its
// PostgreSQL too, as a power cut would), restarts, and must show: every enrolment answered 201 is present
// and found by a check; every deletion answered 204 is gone from checks; no sample outlives its subject;
// the audit chain verifies. Runs repeat on the same DATA_DIR, so every earlier answer is checked again.
//
//   npx tsx bench/crash-runs.ts [runs=10]
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { impression, isoRecord, rng, synthFinger } from '../test/lib/fingers.ts';
import { spawnService, type ServiceProcess } from '../test/lib/process.ts';

const ADMIN = 'crash-runs-admin-key-0123456789abcdef';
const WORKERS = 6;
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type State = 'enrolling' | 'present' | 'deleting' | 'deleted' | 'unknown';
interface Subject { id: string; seed: number; state: State }

/** What the clients were told, across runs on one DATA_DIR. */
export interface Ledger { subjects: Subject[]; nextSeed: number; setUp: boolean }
export const newLedger = (): Ledger => ({ subjects: [], nextSeed: 20_000, setUp: false });

export interface RunResult {
  run: number; killedPostgres: boolean; chaosMs: number;
  acked: { enrolments: number; deletions: number }; unanswered: number;
  verified: { present: number; deleted: number }; restartMs: number; failures: string[];
}

async function api(base: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(base + url, {
    method, headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, body: json };
}

const probeOf = (seed: number) => ({ fingerprints: [{ template: b64(isoRecord(impression(synthFinger(seed), seed + 1, { drop: 0.1, rotDeg: 6, dx: 4 }), 1)) }], watchlists: ['crash'], limit: 5 });

/** The cluster's own view, through a direct connection (port from postmaster.pid, password beside the cluster). */
async function orphanCount(dataDir: string): Promise<number> {
  const port = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]);
  const password = readFileSync(path.join(dataDir, 'pg.secret'), 'utf8').trim();
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'biocheck', password, database: 'biocheck' });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(`SELECT count(*) AS n FROM samples s LEFT JOIN subjects su ON su.id = s.subject_id
      WHERE su.id IS NULL OR su.deleted_at IS NOT NULL`);
    return Number(r.rows[0].n);
  } finally { await c.end(); }
}

/** One run: chaos, kill, restart, verify everything the ledger says was answered. */
export async function crashRun(dataDir: string, ledger: Ledger, run: number, log: (m: string) => void = () => {}): Promise<RunResult> {
  const env = { DATA_DIR: dataDir, BIOCHECK_ADMIN_KEY: ADMIN, BIOCHECK_RATE_PER_SECOND: '100000', BIOCHECK_RATE_BURST: '100000' };
  const r = rng(run * 7919 + 1);
  let svc: ServiceProcess = await spawnService(env);
  if (!ledger.setUp) {
    const w = await api(svc.base, 'POST', '/v1/watchlists', { id: 'crash', name: 'Crash', agency: 'FR', disclosure: 'full' });
    if (w.status !== 201) throw new Error(`watchlist: ${w.status}`);
    ledger.setUp = true;
  }
  const acked = { enrolments: 0, deletions: 0 };
  let unanswered = 0;
  let running = true;
  const worker = async () => {
    while (running) {
      const present = ledger.subjects.filter((s) => s.state === 'present');
      if (present.length > 10 && r() < 0.35) {
        const s = present[Math.floor(r() * present.length)];
        s.state = 'deleting';
        try {
          const d = await api(svc.base, 'DELETE', `/v1/subjects/${s.id}`);
          if (d.status === 204) { s.state = 'deleted'; acked.deletions++; } else s.state = 'unknown';
        } catch { s.state = 'unknown'; unanswered++; }
      } else {
        const seed = ledger.nextSeed++;
        let s: Subject | undefined;
        try {
          const c = await api(svc.base, 'POST', '/v1/subjects', { watchlist: 'crash', name: `S${seed}` });
          if (c.status !== 201) continue;
          s = { id: c.body.id, seed, state: 'enrolling' };
          ledger.subjects.push(s);
          const e = await api(svc.base, 'POST', `/v1/subjects/${s.id}/fingerprints`, { template: b64(isoRecord(synthFinger(seed), 1)), position: 1 });
          if (e.status === 201) { s.state = 'present'; acked.enrolments++; } else s.state = 'unknown';
        } catch {
          if (s) s.state = 'unknown';
          unanswered++;
        }
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, worker);
  const chaosMs = 1_500 + Math.floor(r() * 2_500);
  await sleep(chaosMs);
  const killedPostgres = run % 2 === 1;
  const postmaster = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  svc.child.kill('SIGKILL');
  if (killedPostgres) process.kill(postmaster, 'SIGKILL');
  await svc.exited;
  running = false;
  await Promise.all(workers);
  log(`run ${run}: killed after ${chaosMs} ms${killedPostgres ? ' (PostgreSQL too)' : ''}; ${acked.enrolments} enrolments and ${acked.deletions} deletions answered, ${unanswered} unanswered`);

  const t = Date.now();
  svc = await spawnService(env);
  const restartMs = Date.now() - t;
  const failures: string[] = [];
  const verified = { present: 0, deleted: 0 };
  try {
    for (const s of ledger.subjects) {
      if (s.state !== 'present' && s.state !== 'deleted') continue;
      const check = await api(svc.base, 'POST', '/v1/checks', probeOf(s.seed));
      if (check.status !== 200) { failures.push(`check for ${s.id}: ${check.status}`); continue; }
      const ids = (check.body.candidates as { subjectId: string }[]).map((c) => c.subjectId);
      const got = await api(svc.base, 'GET', `/v1/subjects/${s.id}`);
      if (s.state === 'present') {
        if (got.status !== 200) failures.push(`enrolled subject ${s.id} (201) is gone: ${got.status}`);
        if (ids[0] !== s.id) failures.push(`enrolled subject ${s.id} (201) not found first by a check (got ${ids[0]})`);
        verified.present++;
      } else {
        if (got.status !== 404) failures.push(`deleted subject ${s.id} (204) still readable: ${got.status}`);
        if (ids.includes(s.id)) failures.push(`deleted subject ${s.id} (204) returned by a check`);
        verified.deleted++;
      }
    }
    const orphans = await orphanCount(dataDir);
    if (orphans) failures.push(`${orphans} sample(s) outlive their subject`);
    const chain = await api(svc.base, 'GET', '/v1/audit/verify');
    if (chain.status !== 200 || chain.body?.ok === false) failures.push(`audit chain: ${chain.status} ${JSON.stringify(chain.body)}`);
  } finally {
    svc.child.kill('SIGTERM');
    await svc.exited;
  }
  // Unknown outcomes were settled by this restart: read them back for the next run's ledger.
  for (const s of ledger.subjects) if (s.state === 'unknown' || s.state === 'enrolling' || s.state === 'deleting') s.state = 'unknown';
  log(`run ${run}: restart ${restartMs} ms; verified ${verified.present} present, ${verified.deleted} deleted; ${failures.length} failure(s)`);
  return { run, killedPostgres, chaosMs, acked, unanswered, verified, restartMs, failures };
}

async function main() {
  const { packageVersion, writeReport } = await import('./lib/report.ts');
  const runs = Number(process.argv[2] ?? 10);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'biocheck-crash-runs-'));
  chmodSync(dataDir, 0o755);
  const ledger = newLedger();
  const results: RunResult[] = [];
  try {
    for (let i = 0; i < runs; i++) results.push(await crashRun(dataDir, ledger, i, console.log));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const failures = results.flatMap((x) => x.failures);
  const sum = (f: (x: RunResult) => number) => results.reduce((n, x) => n + f(x), 0);
  const summary = {
    runs, survived: results.filter((x) => !x.failures.length).length,
    enrolmentsAnswered: sum((x) => x.acked.enrolments), deletionsAnswered: sum((x) => x.acked.deletions),
    unanswered: sum((x) => x.unanswered), postgresAlsoKilled: results.filter((x) => x.killedPostgres).length,
    meanRestartMs: Math.round(sum((x) => x.restartMs) / runs), failures,
  };
  console.log(summary);
  writeReport({
    name: 'crash-runs', command: `npx tsx bench/crash-runs.ts ${runs}`,
    dataset: 'synthetic fingers (test/lib/fingers.ts), ISO/IEC 19794-2:2005 records',
    versions: { fastify: packageVersion('fastify'), pg: packageVersion('pg') },
    results: { summary, runs: results }, markdown: reportMarkdown(summary, results),
  });
  if (failures.length) process.exitCode = 1;
}

function reportMarkdown(s: Record<string, unknown>, results: RunResult[]): string {
  const rows = results.map((x) => `| ${x.run} | ${x.chaosMs} | ${x.killedPostgres ? 'yes' : 'no'} | ${x.acked.enrolments} | ${x.acked.deletions} | ${x.unanswered} | ${x.verified.present} | ${x.verified.deleted} | ${x.restartMs} | ${x.failures.length} |`);
  return [
    `Runs: ${s.runs}, survived: ${s.survived}. Each run: ${WORKERS} concurrent clients create subjects, enrol a fingerprint, delete subjects; the service is SIGKILLed mid-way (odd runs: its PostgreSQL too), restarted, and every answer so far (all runs) is checked: 201 enrolments present and found first by a check, 204 deletions unreadable and absent from checks, no sample without a live subject, audit chain intact.`,
    '',
    '| run | chaos ms | PG killed | 201 enrolments | 204 deletions | unanswered | verified present | verified deleted | restart ms | failures |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    (s.failures as string[]).length ? `Failures:\n${(s.failures as string[]).map((f) => `- ${f}`).join('\n')}` : 'No failures.',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
