// Overload: the service as `npm start` runs it (child process on 127.0.0.1, embedded PostgreSQL), a
// fingerprint gallery enrolled over HTTP, capacity measured with closed-loop clients, then /v1/checks
// driven open-loop at 2x capacity: accepted latency, refusal latency and share, RSS over time, and
// recovery at half capacity. Everything is bounded in count and time; the service is stopped at the end.
//
//   npx tsx bench/load-checks.ts [gallery=2000] [overloadSeconds=120]
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { impression, isoRecord, synthFinger } from '../test/lib/fingers.ts';
import { spawnService } from '../test/lib/process.ts';
import { packageVersion, writeReport } from './lib/report.ts';

const GALLERY = Number(process.argv[2] ?? 2_000);
const OVERLOAD_S = Number(process.argv[3] ?? 120);
const ADMIN = 'load-checks-admin-key-0123456789abcdef';
/** Closed-loop concurrencies tried to find capacity, and how long each runs. */
const CAPACITY_STEPS = [1, 2, 4, 8, 16];
const STEP_S = 10;
/** Capacity: the best accepted throughput among the closed-loop steps (the service's saturation rate,
 * whose latency admission bounds at max wait + service time); the overload phase offers twice that. */
const WARMUP_S = 5;
/** Open-loop client bound: beyond this many outstanding requests, a send is skipped and counted. */
const MAX_OUTSTANDING = 1_000;
const RECOVERY_S = 30;
const RSS_EVERY_MS = 2_000;

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1);
};

interface Answer { at: number; ms: number; status: number; code?: string }

const dataDir = mkdtempSync(path.join(tmpdir(), 'biocheck-load-'));
chmodSync(dataDir, 0o755);
const svc = await spawnService({
  DATA_DIR: dataDir, BIOCHECK_ADMIN_KEY: ADMIN, BIOCHECK_RATE_PER_SECOND: '1000000', BIOCHECK_RATE_BURST: '1000000', LOG_LEVEL: 'error',
});
let stopping = false;
svc.child.on('exit', (code, signal) => {
  if (!stopping) console.error(`load-checks: the service exited during the run (${signal ?? code}); its last output:\n${svc.output().slice(-6000)}`);
});
const stopService = async () => { stopping = true; if (svc.child.exitCode === null) { svc.child.kill('SIGTERM'); await svc.exited; } rmSync(dataDir, { recursive: true, force: true }); };
process.on('SIGINT', () => { void stopService().then(() => process.exit(130)); });
const guard = setTimeout(() => { console.error('load-checks: time limit reached, stopping'); void stopService().then(() => process.exit(2)); }, (20 * 60 + OVERLOAD_S) * 1000);
guard.unref();

async function api(method: string, url: string, body?: unknown, key = ADMIN): Promise<Answer & { body: any }> {
  const t = performance.now();
  try {
    const r = await fetch(svc.base + url, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: typeof body === 'string' ? body : body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    let json: any;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { at: Date.now(), ms: performance.now() - t, status: r.status, code: json?.error?.code, body: json };
  } catch (e) {
    return { at: Date.now(), ms: performance.now() - t, status: 0, code: (e as Error).message, body: undefined };
  }
}

/** VmRSS of the service process, sampled in the background. */
const rss: { t: number; mib: number; phase: string; load1: number }[] = [];
let phase = 'enrol';
const t0 = Date.now();
const sampler = setInterval(() => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${svc.child.pid}/status`, 'utf8'));
    if (m) rss.push({ t: +((Date.now() - t0) / 1000).toFixed(1), mib: Math.round(Number(m[1]) / 1024), phase, load1: +loadavg()[0].toFixed(1) });
  } catch { /* exited */ }
}, RSS_EVERY_MS);

try {
  const ready = (await api('GET', '/ready')).body;
  const metrics0 = await (await fetch(`${svc.base}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
  const limits = Object.fromEntries([...metrics0.matchAll(/biocheck_admission_limit\{limit="(\w+)"\} (\d+)/g)].map((m) => [m[1], Number(m[2])]));
  console.log(`service ready (faces: ${ready.checks.faces === true}); admission limits ${JSON.stringify(limits)}`);
  const kiosk = (await api('POST', '/v1/keys', { role: 'kiosk', agency: 'IT' })).body.key as string;
  await api('POST', '/v1/watchlists', { id: 'load', name: 'Load', agency: 'FR', disclosure: 'full' });

  // Gallery: one finger per subject, enrolled over HTTP by 8 clients.
  const te = performance.now();
  let next = 0;
  let enrolFailures = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < GALLERY) {
      const i = next++;
      const s = await api('POST', '/v1/subjects', { watchlist: 'load', name: `L${i}` });
      const e = s.status === 201 ? await api('POST', `/v1/subjects/${s.body.id}/fingerprints`, { template: b64(isoRecord(synthFinger(100_000 + i), 1)), position: 1 }) : s;
      if (e.status !== 201) enrolFailures++;
    }
  }));
  const enrolS = (performance.now() - te) / 1000;
  console.log(`gallery: ${GALLERY} subjects enrolled in ${enrolS.toFixed(1)} s (${enrolFailures} failures)`);

  // Probes: impressions of gallery fingers, prepared up front so the client spends little CPU per request.
  const probes = Array.from({ length: 200 }, (_, i) => JSON.stringify({
    fingerprints: [{ template: b64(isoRecord(impression(synthFinger(100_000 + ((i * 37) % GALLERY)), i, { drop: 0.1, rotDeg: 8, dx: 5 }), 1)), position: 1 }],
  }));
  let probeN = 0;
  const check = () => api('POST', '/v1/checks', probes[probeN++ % probes.length], kiosk);

  const closedLoop = async (concurrency: number, seconds: number): Promise<Answer[]> => {
    const out: Answer[] = [];
    const end = Date.now() + seconds * 1000;
    await Promise.all(Array.from({ length: concurrency }, async () => { while (Date.now() < end) out.push(await check()); }));
    return out;
  };
  const openLoop = async (rate: number, seconds: number) => {
    const out: Answer[] = [];
    let outstanding = 0;
    let skipped = 0;
    const pending: Promise<void>[] = [];
    const start = performance.now();
    for (let n = 0; ; n++) {
      const due = start + (n * 1000) / rate;
      if (due - start > seconds * 1000) break;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      if (outstanding >= MAX_OUTSTANDING) { skipped++; continue; }
      outstanding++;
      pending.push(check().then((a) => { out.push(a); outstanding--; }));
    }
    await Promise.all(pending);
    return { out, skipped };
  };
  const summarise = (xs: Answer[], seconds: number) => {
    const ok = xs.filter((x) => x.status === 200);
    const refused = xs.filter((x) => x.status === 503 || x.status === 429);
    const other = xs.filter((x) => x.status !== 200 && x.status !== 503 && x.status !== 429);
    return {
      requests: xs.length, perSecond: +(xs.length / seconds).toFixed(1), acceptedPerSecond: +(ok.length / seconds).toFixed(1),
      accepted: { n: ok.length, p50: pct(ok.map((x) => x.ms), 50), p99: pct(ok.map((x) => x.ms), 99), max: pct(ok.map((x) => x.ms), 100) },
      refused: { n: refused.length, share: +(refused.length / Math.max(1, xs.length)).toFixed(3), p50: pct(refused.map((x) => x.ms), 50), p99: pct(refused.map((x) => x.ms), 99), codes: [...new Set(refused.map((x) => x.code))] },
      other: { n: other.length, statuses: [...new Set(other.map((x) => `${x.status} ${x.code ?? ''}`))] },
    };
  };

  // Capacity: closed loop at rising concurrency.
  phase = 'capacity';
  await closedLoop(2, WARMUP_S);
  const steps = [];
  for (const c of CAPACITY_STEPS) {
    const s = summarise(await closedLoop(c, STEP_S), STEP_S);
    steps.push({ concurrency: c, ...s });
    console.log(`closed loop x${c}: ${s.acceptedPerSecond}/s accepted, p50 ${s.accepted.p50} ms, p99 ${s.accepted.p99} ms, refused ${s.refused.n}`);
  }
  const capacity = Math.max(...steps.map((s) => s.acceptedPerSecond));
  console.log(`capacity: ${capacity} checks/s (saturation throughput)`);

  // Overload: open loop at 2x capacity.
  phase = 'overload';
  const rate = Math.max(2, Math.round(capacity * 2));
  const ov = await openLoop(rate, OVERLOAD_S);
  const overload = { offeredPerSecond: rate, seconds: OVERLOAD_S, clientSkipped: ov.skipped, ...summarise(ov.out, OVERLOAD_S) };
  const byWindow = [];
  for (let w = 0; w < OVERLOAD_S; w += 10) {
    const from = Math.min(...ov.out.map((x) => x.at)) + w * 1000;
    const xs = ov.out.filter((x) => x.at >= from && x.at < from + 10_000);
    byWindow.push({ fromS: w, ...summarise(xs, 10) });
  }
  console.log(`overload at ${rate}/s: accepted ${overload.acceptedPerSecond}/s p50 ${overload.accepted.p50} p99 ${overload.accepted.p99} ms; refused ${(overload.refused.share * 100).toFixed(1)}% (p99 ${overload.refused.p99} ms); other ${overload.other.n}`);

  // Recovery: half capacity right after.
  phase = 'recovery';
  const rec = await openLoop(Math.max(1, Math.round(capacity / 2)), RECOVERY_S);
  const recovery = { offeredPerSecond: Math.max(1, Math.round(capacity / 2)), ...summarise(rec.out, RECOVERY_S) };
  const firstOk = rec.out.filter((x) => x.status === 200).map((x) => x.at).sort((a, b) => a - b)[0];
  const lastRefused = rec.out.filter((x) => x.status !== 200).map((x) => x.at).sort((a, b) => b - a)[0];
  const recStart = Math.min(...rec.out.map((x) => x.at));
  console.log(`recovery at ${recovery.offeredPerSecond}/s: p50 ${recovery.accepted.p50} p99 ${recovery.accepted.p99} ms, refused ${recovery.refused.n}`);
  const metrics = await (await fetch(`${svc.base}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
  const gauge = (name: string) => [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  const admission = { inFlight: gauge('biocheck_admission_in_flight'), queued: gauge('biocheck_admission_queued'), rejectedTotal: gauge('biocheck_admission_rejected_total') };
  phase = 'done';
  await sleep(RSS_EVERY_MS + 100);
  clearInterval(sampler);
  const rssOf = (p: string) => rss.filter((x) => x.phase === p).map((x) => x.mib);
  const loadOf = (p: string) => rss.filter((x) => x.phase === p).map((x) => x.load1);
  const rssSummary = Object.fromEntries(['enrol', 'capacity', 'overload', 'recovery'].map((p) => [p, { min: Math.min(...rssOf(p)), max: Math.max(...rssOf(p)), load1Max: Math.max(...loadOf(p)) }]));
  const results = {
    gallery: GALLERY, enrolSeconds: +enrolS.toFixed(1), enrolFailures, limits, faces: ready.checks.faces === true, capacity, steps, overload, byWindow, recovery,
    recoveryTimes: { firstAcceptedAfterMs: firstOk ? firstOk - recStart : null, lastRefusedAfterMs: lastRefused ? lastRefused - recStart : null },
    admissionAfter: admission, rss: rssSummary, rssSamples: rss,
  };
  writeReport({
    name: 'load-checks', command: `npx tsx bench/load-checks.ts ${GALLERY} ${OVERLOAD_S}`,
    dataset: `synthetic fingers (test/lib/fingers.ts): ${GALLERY} enrolled subjects, probes are distorted impressions`,
    versions: { fastify: packageVersion('fastify'), pg: packageVersion('pg') },
    results,
    markdown: [
      `Service: child process on 127.0.0.1, embedded PostgreSQL, admission limits ${JSON.stringify(limits)} (in flight, queue, max wait ms). Client: same machine (it competes for the 2 cores).`,
      `Gallery: ${GALLERY} subjects x 1 finger, enrolled over HTTP in ${enrolS.toFixed(1)} s (${enrolFailures} failures).`,
      '', '## Capacity (closed loop)', '', '| clients | accepted/s | p50 ms | p99 ms | refused |', '|---|---|---|---|---|',
      ...steps.map((s) => `| ${s.concurrency} | ${s.acceptedPerSecond} | ${s.accepted.p50} | ${s.accepted.p99} | ${s.refused.n} |`),
      '', `Capacity: **${capacity} checks/s** (saturation: the best accepted rate of any step; beyond it admission queues, then refuses).`,
      '', `## Overload: open loop at ${rate}/s (2x capacity) for ${OVERLOAD_S} s`, '',
      `- accepted: ${overload.accepted.n} (${overload.acceptedPerSecond}/s), p50 ${overload.accepted.p50} ms, p99 ${overload.accepted.p99} ms, max ${overload.accepted.max} ms`,
      `- refused (503 OVERLOADED, Retry-After): ${overload.refused.n} = ${(overload.refused.share * 100).toFixed(1)}%, latency p50 ${overload.refused.p50} ms, p99 ${overload.refused.p99} ms`,
      `- other answers: ${overload.other.n} ${overload.other.statuses.join(', ')}; client-side skips (over ${MAX_OUTSTANDING} outstanding): ${ov.skipped}`,
      '', '| window s | offered/s | accepted/s | accepted p99 ms | refused share |', '|---|---|---|---|---|',
      ...byWindow.map((w) => `| ${w.fromS} | ${w.perSecond} | ${w.acceptedPerSecond} | ${w.accepted.p99} | ${(w.refused.share * 100).toFixed(1)}% |`),
      '', `## Recovery: ${recovery.offeredPerSecond}/s for ${RECOVERY_S} s right after`, '',
      `- accepted p50 ${recovery.accepted.p50} ms, p99 ${recovery.accepted.p99} ms; refused ${recovery.refused.n}; last refusal ${results.recoveryTimes.lastRefusedAfterMs ?? 'none'} ms into the phase`,
      `- gauges after: in flight ${admission.inFlight}, queued ${admission.queued}, rejected total ${admission.rejectedTotal}`,
      '', '## Service RSS (VmRSS, MiB) and machine load', '', '| phase | RSS min | RSS max | 1-min load average max (2 cores, shared) |', '|---|---|---|---|',
      ...Object.entries(rssSummary).map(([p, v]) => `| ${p} | ${v.min} | ${v.max} | ${v.load1Max} |`),
      '', 'The machine is shared with other engineers\' jobs: absolute rates are noisy; the shape (bounded accepted latency, fast refusals, flat RSS, recovery) is the result.',
    ].join('\n'),
  });
} finally {
  clearInterval(sampler);
  await stopService();
}
