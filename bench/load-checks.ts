// Finger-only checks under load: the service as `npm start` runs it (child process on 127.0.0.1) on its own
// embedded PostgreSQL, a synthetic gallery written straight into PostgreSQL (any size), capacity with closed-loop
// clients at each concurrency, the median of every stage the service reports, the service's event-loop delay and
// CPU next to the client's, then /v1/checks open-loop at 2x capacity (accepted and refusal latency, RSS over time),
// recovery at half capacity, and the same capacity steps on the same database with the audit write switched off
// (BIOCHECK_BENCH_SKIP_AUDIT, bench only) as the reference for what the write path costs.
//
//   npx tsx bench/load-checks.ts [--gallery=2000] [--overload=120] [--concurrency=1,4,16] [--step=10] [--audit-off=true|false] [--name=load-checks]
import { loadavg } from 'node:os';
import { impression, isoRecord, synthFinger } from '../test/lib/fingers.ts';
import { FingerService } from '../src/finger/modality.ts';
import { bulkGallery } from './lib/bulk-gallery.ts';
import { closedLoop, openLoop, processCpuMs, rssMiB, scrapeLoad, stageMedians, startDelayControls, summarise, type Answer } from './lib/load.ts';
import { packageVersion, writeReport } from './lib/report.ts';
import { api, benchDatabase, createKey, round, startServiceChild, type ServiceChild } from './lib/service-bench.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k, v ?? 'true']; }));
const GALLERY = Number(args.gallery ?? 2_000);
const OVERLOAD_S = Number(args.overload ?? 120);
const CONCURRENCY = (args.concurrency ?? '1,4,16').split(',').map(Number);
const STEP_S = Number(args.step ?? 10);
const AUDIT_OFF = args['audit-off'] !== 'false';
const NAME = args.name ?? 'load-checks';
const WATCHLIST = 'load';
const WARMUP_S = 5;
const RECOVERY_S = 30;
const RSS_EVERY_MS = 2_000;
const PROBES = 200;
const STAGES = ['finger.extract', 'finger.search', 'fuse', 'persist', 'total'];
const log = (m: string) => console.log(`[load-checks] ${new Date().toISOString().slice(11, 19)} ${m}`);
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const seedOf = (i: number) => 100_000 + i;

const db = await benchDatabase('load');
/** The machine's scheduling floor and the client's own loop delay, read beside the service's. */
const controls = startDelayControls();
let svc: ServiceChild | undefined;
const guard = setTimeout(() => { console.error('load-checks: time limit reached, stopping'); void svc?.stop().then(() => db.dispose()).then(() => process.exit(2)); }, (25 * 60 + 2 * OVERLOAD_S) * 1000);
guard.unref();

try {
  // Gallery: the matcher templates enrolment would store for ISO records of synthetic fingers.
  const fingers = new FingerService();
  const tg = performance.now();
  await bulkGallery({
    url: db.url, watchlist: WATCHLIST, agency: 'FR', modality: 'finger', n: GALLERY, extractor: fingers.extractor,
    template: (i) => fingers.prepare(isoRecord(synthFinger(seedOf(i)), 1))[0].template,
  });
  const galleryS = (performance.now() - tg) / 1000;
  log(`gallery: ${GALLERY} fingers written to PostgreSQL in ${galleryS.toFixed(1)} s`);

  const start = async (env: Record<string, string> = {}) => startServiceChild({ databaseUrl: db.url, dataDir: `${db.dir}/service`, env: { LOG_LEVEL: 'warn', ...env } });
  svc = await start();
  log(`service ready in ${(svc.readyMs / 1000).toFixed(1)} s`);
  const metrics0 = await (await fetch(`${svc.base}/metrics`)).text();
  const limits = Object.fromEntries([...metrics0.matchAll(/biocheck_admission_limit\{limit="(\w+)"\} (\d+)/g)].map((m) => [m[1], Number(m[2])]));

  // Probes: impressions of gallery fingers, prepared up front so the client spends little CPU per request.
  const probes = Array.from({ length: PROBES }, (_, i) => ({
    mate: (i * 37) % GALLERY,
    body: { fingerprints: [{ template: b64(isoRecord(impression(synthFinger(seedOf((i * 37) % GALLERY)), i, { drop: 0.1, rotDeg: 8, dx: 5 }), 1)), position: 1 }] },
  }));

  /** Capacity steps against the running service: closed loop at each concurrency, stages, loop delay, CPU. */
  const capacitySteps = async (s: ServiceChild, key: string) => {
    let n = 0;
    const check = async (): Promise<Answer> => {
      const p = probes[n++ % probes.length];
      const t = Date.now();
      const r = await api(s.base, 'POST', '/v1/checks', { key, json: p.body }).catch((e) => ({ status: 0, body: { error: { code: String(e) } }, ms: Date.now() - t }));
      return { at: t, ms: r.ms, status: r.status, code: r.body?.error?.code, timings: r.body?.timingsMs };
    };
    await closedLoop(check, 2, WARMUP_S);
    const steps = [];
    for (const c of CONCURRENCY) {
      await scrapeLoad(s.base); // resets the service's loop-delay histogram
      await controls.read();
      const cpu0 = processCpuMs(s.child.pid!);
      const client0 = process.cpuUsage();
      const xs = await closedLoop(check, c, STEP_S);
      const serviceCpuMs = processCpuMs(s.child.pid!) - cpu0;
      const cu = process.cpuUsage(client0);
      const loop = { ...await scrapeLoad(s.base), ...await controls.read() };
      const sum = summarise(xs, STEP_S);
      const ok = Math.max(1, sum.accepted.n);
      steps.push({
        concurrency: c, ...sum, stages: stageMedians(xs, STAGES), loopDelay: loop,
        cpuMsPerCheck: { service: round(serviceCpuMs / ok, 2), client: round((cu.user + cu.system) / 1000 / ok, 2) },
      });
      log(`closed loop x${c}: ${sum.acceptedPerSecond}/s, p50 ${sum.accepted.p50} ms, p99 ${sum.accepted.p99} ms, refused ${sum.refused.n}, loop delay p99 ${loop.p99Ms} ms`);
    }
    return steps;
  };

  const rss: { t: number; mib: number; phase: string; load1: number }[] = [];
  let phase = 'capacity';
  const t0 = Date.now();
  const sampler = setInterval(() => {
    const mib = svc && rssMiB(svc.child.pid!);
    if (mib) rss.push({ t: round((Date.now() - t0) / 1000), mib, phase, load1: round(loadavg()[0]) });
  }, RSS_EVERY_MS);

  const kiosk = await createKey(svc.base, 'kiosk', 'IT');
  const steps = await capacitySteps(svc, kiosk);
  const capacity = Math.max(...steps.map((s) => s.acceptedPerSecond));
  const unloadedP99 = steps[0].accepted.p99;
  log(`capacity: ${capacity} checks/s`);

  phase = 'overload';
  const rate = Math.max(2, Math.round(capacity * 2));
  let n = 0;
  const ovCheck = async (): Promise<Answer> => {
    const p = probes[n++ % probes.length];
    const t = Date.now();
    const r = await api(svc!.base, 'POST', '/v1/checks', { key: kiosk, json: p.body }).catch((e) => ({ status: 0, body: { error: { code: String(e) } }, ms: Date.now() - t }));
    return { at: t, ms: r.ms, status: r.status, code: r.body?.error?.code, timings: r.body?.timingsMs };
  };
  await scrapeLoad(svc.base);
  await controls.read();
  const ov = await openLoop(ovCheck, rate, OVERLOAD_S);
  const ovLoop = { ...await scrapeLoad(svc.base), ...await controls.read() };
  const overload = { offeredPerSecond: rate, seconds: OVERLOAD_S, clientSkipped: ov.skipped, loopDelay: ovLoop, ...summarise(ov.out, OVERLOAD_S), stages: stageMedians(ov.out, STAGES) };
  const first = Math.min(...ov.out.map((x) => x.at));
  const byWindow = Array.from({ length: Math.ceil(OVERLOAD_S / 10) }, (_, w) => ({ fromS: w * 10, ...summarise(ov.out.filter((x) => x.at >= first + w * 10_000 && x.at < first + (w + 1) * 10_000), 10) }));
  log(`overload at ${rate}/s: accepted ${overload.acceptedPerSecond}/s p99 ${overload.accepted.p99} ms; refused ${(overload.refused.share * 100).toFixed(1)}% p99 ${overload.refused.p99} ms`);

  phase = 'recovery';
  const recRate = Math.max(1, Math.round(capacity / 2));
  const rec = await openLoop(ovCheck, recRate, RECOVERY_S);
  const recovery = { offeredPerSecond: recRate, ...summarise(rec.out, RECOVERY_S) };
  phase = 'done';
  clearInterval(sampler);
  const rssOf = (p: string) => rss.filter((x) => x.phase === p);
  const rssSummary = Object.fromEntries(['capacity', 'overload', 'recovery'].map((p) => [p, {
    min: Math.min(...rssOf(p).map((x) => x.mib)), max: Math.max(...rssOf(p).map((x) => x.mib)), load1Max: Math.max(...rssOf(p).map((x) => x.load1)),
  }]));
  const ovRss = rssOf('overload').map((x) => x.mib);
  const rssDrift = ovRss.length > 4 ? ovRss.slice(-3).reduce((a, b) => a + b, 0) / 3 - ovRss.slice(0, 3).reduce((a, b) => a + b, 0) / 3 : 0;

  // Reference: the same service, same database, no audit write.
  let reference: typeof steps | undefined;
  if (AUDIT_OFF) {
    await svc.stop();
    svc = await start({ BIOCHECK_BENCH: '1', BIOCHECK_BENCH_SKIP_AUDIT: '1' });
    log('reference: the service restarted with BIOCHECK_BENCH_SKIP_AUDIT=1');
    reference = await capacitySteps(svc, await createKey(svc.base, 'kiosk', 'IT'));
  }

  const stageRow = (label: string, s: Record<string, number | null>) => `| ${label} | ${STAGES.map((k) => s[k] ?? '').join(' | ')} |`;
  const stepRow = (s: (typeof steps)[number]) => `| ${s.concurrency} | ${s.acceptedPerSecond} | ${s.accepted.p50} | ${s.accepted.p99} | ${s.refused.n} | ${s.loopDelay.p99Ms} | ${s.loopDelay.maxMs} | ${s.loopDelay.idleP99Ms} | ${s.loopDelay.clientP99Ms} | ${s.cpuMsPerCheck.service} | ${s.cpuMsPerCheck.client} |`;
  const stepHead = ['| clients | accepted/s | p50 ms | p99 ms | refused | service loop delay p99 ms | max ms | idle process p99 ms (machine floor) | client p99 ms | service CPU ms/check | client CPU ms/check |', '|---|---|---|---|---|---|---|---|---|---|---|'];
  const persistShare = (s: (typeof steps)[number]) => (s.stages.persist != null && s.stages.total ? `${round((100 * s.stages.persist) / s.stages.total)}%` : '');
  writeReport({
    name: NAME, command: `npx tsx bench/load-checks.ts --gallery=${GALLERY} --overload=${OVERLOAD_S} --concurrency=${CONCURRENCY.join(',')} --step=${STEP_S} --audit-off=${AUDIT_OFF}`,
    dataset: `synthetic fingers (test/lib/fingers.ts): ${GALLERY} subjects x 1 finger written straight into PostgreSQL as the matcher templates enrolment stores for their ISO/IEC 19794-2 records; probes are distorted impressions (10% dropped, 8° rotation, 5 px shift) sent as ISO records in JSON`,
    versions: { fastify: packageVersion('fastify'), pg: packageVersion('pg') },
    results: { gallery: GALLERY, galleryS: round(galleryS), readyS: round(svc.readyMs / 1000), limits, capacity, steps, overload, byWindow, recovery, rss: rssSummary, rssOverloadDriftMiB: round(rssDrift), rssSamples: rss, reference },
    markdown: [
      `Service: child process (\`node --import tsx src/server.ts\`) on 127.0.0.1, LOG_LEVEL warn, the bench's embedded PostgreSQL (DATABASE_URL), admission limits ${JSON.stringify(limits)}. Client: the bench process on the same 2 cores (it competes with the service and PostgreSQL). Gallery written in ${galleryS.toFixed(1)} s; service start to /ready (gallery load) ${(svc.readyMs / 1000).toFixed(1)} s.`,
      '', `## Capacity (closed loop, ${STEP_S} s per step)`, '', ...stepHead, ...steps.map(stepRow),
      '', `Capacity: **${capacity} checks/s** (the best accepted rate of any step). Loop delay: the service's own perf_hooks.monitorEventLoopDelay (prom-client, 10 ms resolution) over the step, beside the same measure in an idle Node process (the shared machine's scheduling floor) and in the bench client (whose delay inflates every latency it measures). CPU: the service process (not PostgreSQL) and the client, per accepted check.`,
      '', '## Where the time goes (median of the answers\' timingsMs, ms; client latency includes HTTP, auth, parsing, admission wait)', '',
      `| step | ${STAGES.join(' | ')} |`, `|${'---|'.repeat(STAGES.length + 1)}`,
      ...steps.map((s) => stageRow(`c=${s.concurrency} (persist ${persistShare(s)} of total)`, s.stages)),
      stageRow('overload', overload.stages),
      ...(reference ? reference.map((s) => stageRow(`audit off, c=${s.concurrency}`, s.stages)) : []),
      '', `## Overload: open loop at ${rate}/s (2x capacity) for ${OVERLOAD_S} s`, '',
      `- accepted: ${overload.accepted.n} (${overload.acceptedPerSecond}/s), p50 ${overload.accepted.p50} ms, p99 ${overload.accepted.p99} ms (${unloadedP99 ? round(overload.accepted.p99! / unloadedP99, 2) : '?'}x the c=1 p99), max ${overload.accepted.max} ms`,
      `- refused (503 OVERLOADED): ${overload.refused.n} = ${(overload.refused.share * 100).toFixed(1)}%, latency p50 ${overload.refused.p50} ms, p99 ${overload.refused.p99} ms`,
      `- other answers: ${overload.other.n} ${overload.other.statuses.join(', ')}; client-side skips: ${ov.skipped}; service loop delay p99 ${ovLoop.p99Ms} ms, max ${ovLoop.maxMs} ms (idle process p99 ${ovLoop.idleP99Ms} ms, client p99 ${ovLoop.clientP99Ms} ms)`,
      `- service RSS: ${rssSummary.overload.min}..${rssSummary.overload.max} MiB, last three samples minus first three: ${round(rssDrift)} MiB`,
      '', '| window s | offered/s | accepted/s | accepted p99 ms | refused share | refused p99 ms |', '|---|---|---|---|---|---|',
      ...byWindow.map((w) => `| ${w.fromS} | ${w.perSecond} | ${w.acceptedPerSecond} | ${w.accepted.p99} | ${(w.refused.share * 100).toFixed(1)}% | ${w.refused.p99 ?? ''} |`),
      '', `## Recovery: ${recRate}/s for ${RECOVERY_S} s right after`, '', `- accepted p50 ${recovery.accepted.p50} ms, p99 ${recovery.accepted.p99} ms; refused ${recovery.refused.n}`,
      '', '## Service RSS (VmRSS, MiB) and machine load', '', '| phase | RSS min | RSS max | 1-min load average max (2 cores, shared) |', '|---|---|---|---|',
      ...Object.entries(rssSummary).map(([p, v]) => `| ${p} | ${v.min} | ${v.max} | ${v.load1Max} |`),
      ...(reference ? ['', '## Reference: the same service with the audit write off (BIOCHECK_BENCH=1 BIOCHECK_BENCH_SKIP_AUDIT=1, bench only)', '', ...stepHead, ...reference.map(stepRow),
        '', '| clients | accepted/s audit on | audit off | ratio off/on | persist ms on | off |', '|---|---|---|---|---|---|',
        ...steps.map((s, i) => `| ${s.concurrency} | ${s.acceptedPerSecond} | ${reference![i].acceptedPerSecond} | ${round(reference![i].acceptedPerSecond / Math.max(0.1, s.acceptedPerSecond), 2)} | ${s.stages.persist} | ${reference![i].stages.persist} |`)] : []),
      '', 'The machine is shared with other engineers\' jobs: absolute rates are noisy; compare rows of the same run.',
    ].join('\n'),
  });
} finally {
  controls.stop();
  await svc?.stop();
  await db.dispose();
}
