// Connections (N:N) through the real service (in-process: real PostgreSQL, real models, real matcher, the
// connection worker and its durable queue): accuracy of the links and clusters on real data, the speed of a full
// pass against the 1:N search run one sample at a time, and enrolment latency with the link search on and off.
//   nice -n 10 npx tsx bench/connections.ts
// Env: CONNECTIONS_PHASES (fingers,faces,speed-faces,speed-fingers,latency), CONNECTIONS_SPEED_N (100000),
// CONNECTIONS_SPEED_BUDGET_S (time a pass may run before it is cancelled and its total extrapolated),
// CONNECTIONS_FINGER_DISTRACTORS (920).
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { connectionsModule } from '../src/connections/module.ts';
import { scorePair, type Evidence } from '../src/connections/link.ts';
import { LINK_THRESHOLDS, evidenceFloor } from '../src/connections/tuning.ts';
import { DEFAULT_QUALITY_THRESHOLDS } from '../src/face/frontend-config.ts';
import { DEFAULT_FACE_ROLES } from '../src/face/modality.ts';
import { encodeFinger } from '../src/finger/index.ts';
import { matcherAddon } from '../src/finger/native.ts';
import { requiredScore } from '../src/fusion/decide.ts';
import type { Modalities } from '../src/fusion/modalities.ts';
import { encodeTemplate, type ParsedTemplate } from '../src/ingest/templates/index.ts';
import type { FingerMinutiae } from '../src/finger/types.ts';
import { biometricRoutesModule, faceModule, fingerModule } from '../src/modules.ts';
import { createService, type Module, type Service } from '../src/service.ts';
import { FVC_DBS, fvcRoot } from './lib/finger-fvc.ts';
import { rng, syntheticFinger } from './lib/finger-synthetic.ts';
import { packageVersion, sharedData, writeReport } from './lib/report.ts';
import { bulkGallery } from './lib/bulk-gallery.ts';
import { ADMIN_KEY, benchDatabase, percentile, round, type BenchDb } from './lib/service-bench.ts';
import { makeSynthetic } from './lib/synthetic-faces.ts';

const PHASES = new Set((process.env.CONNECTIONS_PHASES ?? 'fingers,faces,speed-faces,speed-fingers,latency').split(','));
const SPEED_N = Number(process.env.CONNECTIONS_SPEED_N ?? 100_000);
const SPEED_BUDGET_S = Number(process.env.CONNECTIONS_SPEED_BUDGET_S ?? 240);
const FINGER_DISTRACTORS = Number(process.env.CONNECTIONS_FINGER_DISTRACTORS ?? 920);
const REFERENCE_SEARCHES = 200;
const LATENCY_ENROLMENTS = 100;
const lfw = path.join(sharedData, 'faces', 'lfw_dev');
const fvc = fvcRoot(sharedData);
const log = (m: string) => console.log(`[connections] ${new Date().toISOString().slice(11, 19)} ${m}`);
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const results: Record<string, unknown> = {};
const md: string[] = [];

interface Bench { svc: Service; db: BenchDb; mods: Modalities; call(method: string, url: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> } // eslint-disable-line @typescript-eslint/no-explicit-any

async function start(db: BenchDb, kind: 'finger' | 'face', connections = true): Promise<Bench> {
  const mods: Modalities = {};
  const modules: Module[] = [biometricRoutesModule(mods), kind === 'finger' ? fingerModule(mods) : faceModule(mods), connectionsModule(mods)];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'biocheck-bench-conn-data-'));
  chmodSync(dataDir, 0o755);
  const config = loadConfig({
    databaseUrl: db.url, dataDir, adminKey: ADMIN_KEY, port: 0, rateLimit: { perSecond: 1e6, burst: 1e6 },
    admission: { maxInFlight: 64, maxQueue: 10_000, maxWaitMs: 600_000 }, connections: { enabled: connections, paceMs: 0 },
  });
  const svc = await createService(config, modules, { logger: false });
  await svc.app.ready();
  const call: Bench['call'] = async (method, url, body, key = ADMIN_KEY) => {
    const r = await svc.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined };
  };
  return { svc, db, mods, call };
}

async function drain(b: Bench, timeoutMs = 3_600_000): Promise<number> {
  const t0 = performance.now();
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    const r = await b.svc.ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM connection_work');
    if (Number(r.rows[0].n) === 0) return (performance.now() - t0) / 1000;
    await sleep(500);
  }
  throw new Error('connection queue did not drain');
}

/** An ISO/IEC 19794-2:2005 record of a synthetic finger (300x400 at 197 px/cm, like the FVC templates). */
function isoOf(f: FingerMinutiae): Uint8Array {
  const t: ParsedTemplate = {
    format: 'iso-19794-2:2005', version: ' 20', warnings: [],
    header: { equipmentCompliance: 0, captureEquipmentId: 0, imageWidth: f.width, imageHeight: f.height, resolutionX: 197, resolutionY: 197, reserved: 0 },
    views: [{ position: 0, viewNumber: 0, impressionType: 0, fingerQuality: 60, extended: [],
      minutiae: f.minutiae.filter((m) => m.x >= 0 && m.y >= 0 && m.x < f.width && m.y < f.height)
        .map((m) => ({ type: m.type, x: Math.round(m.x), y: Math.round(m.y), angle: Math.round((m.angle / (2 * Math.PI)) * 256) % 256, quality: 60 })) }],
  };
  return encodeTemplate(t);
}

async function subject(b: Bench, watchlist: string, reference: string): Promise<string> {
  const r = await b.call('POST', '/v1/subjects', { watchlist, reference });
  if (r.status !== 201) throw new Error(`subject: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

interface Accuracy { curve: { threshold: number; recall: number; falsePer1000: number }[]; subjects: number; truePairs: number; linked: number; linkedHit: number; falseLinks: number; falsePer1000: number; recall: number; purity: number; completeness: number; reviewThreshold: number; hitThreshold: number; missedScores: number[] }

/** Links and clusters against the truth (subject → person). Recall over mated pairs; false links per 1,000 subjects;
 *  purity and completeness (inverse purity) of the clusters, singletons counted as clusters of one. */
async function evaluate(b: Bench, person: Map<string, string>): Promise<Accuracy> {
  const r = await b.svc.ctx.db.query<{ subject_a: string; subject_b: string; level: string; cluster_id: string | null; score: number }>(
    "SELECT subject_a, subject_b, level, cluster_id, score FROM connections WHERE level <> 'none'");
  const linked = new Map(r.rows.map((x) => [`${x.subject_a}|${x.subject_b}`, x]));
  const byPerson = new Map<string, string[]>();
  for (const [s, p] of person) byPerson.set(p, [...(byPerson.get(p) ?? []), s]);
  let truePairs = 0, hits = 0, hitLevel = 0;
  const missedScores: number[] = [];
  const ev = await b.svc.ctx.db.query<{ subject_a: string; subject_b: string; score: number }>('SELECT subject_a, subject_b, max(score) AS score FROM connection_evidence GROUP BY 1, 2');
  const best = new Map(ev.rows.map((x) => [`${x.subject_a}|${x.subject_b}`, x.score]));
  for (const subs of byPerson.values()) {
    for (let i = 0; i < subs.length; i++) for (let j = i + 1; j < subs.length; j++) {
      truePairs++;
      const key = subs[i] < subs[j] ? `${subs[i]}|${subs[j]}` : `${subs[j]}|${subs[i]}`;
      const l = linked.get(key);
      if (l) { hits++; if (l.level === 'hit') hitLevel++; } else missedScores.push(round(best.get(key) ?? 0, 2));
    }
  }
  const falseLinks = r.rows.filter((x) => person.get(x.subject_a) !== person.get(x.subject_b) || !person.has(x.subject_a)).length;
  const cluster = new Map<string, string>();
  for (const x of r.rows) if (x.cluster_id) { cluster.set(x.subject_a, x.cluster_id); cluster.set(x.subject_b, x.cluster_id); }
  const clusterOf = (s: string) => cluster.get(s) ?? `single:${s}`;
  const count = (outer: (s: string) => string, inner: (s: string) => string) => {
    const m = new Map<string, Map<string, number>>();
    for (const s of person.keys()) {
      const o = outer(s);
      const im = m.get(o) ?? new Map<string, number>();
      im.set(inner(s), (im.get(inner(s)) ?? 0) + 1);
      m.set(o, im);
    }
    let sum = 0;
    for (const im of m.values()) sum += Math.max(...im.values());
    return sum / person.size;
  };
  const n = person.size;
  // The operating curve from the stored evidence: each pair fused as the worker fuses it, at other thresholds.
  const all = await b.svc.ctx.db.query<{ probe_sample: string; target_sample: string; subject_a: string; subject_b: string; modality: 'face' | 'finger'; score: number; raw: number }>('SELECT * FROM connection_evidence');
  const perPair = new Map<string, Evidence[]>();
  for (const x of all.rows) {
    const key = `${x.subject_a}|${x.subject_b}`;
    perPair.set(key, [...(perPair.get(key) ?? []), { probeSample: Number(x.probe_sample), targetSample: Number(x.target_sample), modality: x.modality, score: x.score, raw: x.raw }]);
  }
  const fused = [...perPair].map(([key, e]) => { const [sa, sb] = key.split('|'); return { same: person.has(sa) && person.get(sa) === person.get(sb), score: scorePair(e, n - 1).score }; });
  const curve = [3, 4, 5, 6, 7, 8].map((t) => ({
    threshold: t, recall: round(fused.filter((f) => f.same && f.score >= t).length / Math.max(1, truePairs), 4),
    falsePer1000: round((fused.filter((f) => !f.same && f.score >= t).length / n) * 1000, 3),
  }));
  return {
    curve,
    subjects: n, truePairs, linked: hits, linkedHit: hitLevel, falseLinks, falsePer1000: round((falseLinks / n) * 1000, 3),
    recall: round(hits / Math.max(1, truePairs), 4), purity: round(count(clusterOf, (s) => person.get(s)!), 4),
    completeness: round(count((s) => person.get(s)!, clusterOf), 4),
    reviewThreshold: round(requiredScore(LINK_THRESHOLDS.reviewFpir, n - 1), 2), hitThreshold: round(requiredScore(LINK_THRESHOLDS.hitFpir, n - 1), 2),
    missedScores: missedScores.sort((x, y) => y - x).slice(0, 20),
  };
}

const accuracyRow = (name: string, a: Accuracy) =>
  `| ${name} | ${a.subjects} | ${a.truePairs} | ${(a.recall * 100).toFixed(1)} % (${a.linked}) | ${a.linkedHit} | ${a.falseLinks} | ${a.falsePer1000} | ${a.purity} | ${a.completeness} | ${a.reviewThreshold} / ${a.hitThreshold} |`;
const ACCURACY_HEAD = ['| set | subjects | true pairs | recall (linked) | at hit level | false links | false links / 1,000 subjects | cluster purity | cluster completeness | link thresholds review / hit |', '|---|---|---|---|---|---|---|---|---|---|'];

/** Recall and false links per 1,000 subjects if the review threshold were another score (pooled over runs). */
function curveTable(runs: Accuracy[]): string[] {
  const n = runs.reduce((s, a) => s + a.subjects, 0);
  const pairs = runs.reduce((s, a) => s + a.truePairs, 0);
  return [
    `Operating curve from the stored evidence (comparisons from score ${round(evidenceFloor(runs[0].subjects - 1), 2)} up, each pair fused as the worker does), at other review thresholds:`, '',
    '| threshold (score) | recall | false links / 1,000 subjects |', '|---|---|---|',
    ...runs[0].curve.map((c, i) => {
      const recall = runs.reduce((s, a) => s + a.curve[i].recall * a.truePairs, 0) / Math.max(1, pairs);
      const fp = runs.reduce((s, a) => s + (a.curve[i].falsePer1000 * a.subjects) / 1000, 0) / n * 1000;
      return `| ${c.threshold} | ${(recall * 100).toFixed(1)} % | ${round(fp, 3)} |`;
    }),
  ];
}

/** FVC2004: in each round every finger of the four DBs is enrolled as two subjects (impressions 2r-1 and 2r), among
 *  synthetic distinct fingers enrolled once; the round's subjects are deleted before the next. */
async function fingers(): Promise<void> {
  if (!FVC_DBS.every((d) => existsSync(path.join(fvc, d)))) { log(`SKIPPED fingers: ${fvc} absent`); return; }
  const db = await benchDatabase('conn-fingers');
  const b = await start(db, 'finger');
  try {
    await b.call('POST', '/v1/watchlists', { id: 'distractors', name: 'synthetic distinct fingers', agency: 'XX', disclosure: 'full' });
    const person = new Map<string, string>();
    for (let i = 0; i < FINGER_DISTRACTORS; i++) {
      const id = await subject(b, 'distractors', `D${i}`);
      const r = await b.call('POST', `/v1/subjects/${id}/fingerprints`, { template: b64(isoOf(syntheticFinger(rng(70_000 + i)))) });
      if (r.status !== 201) throw new Error(`distractor enrol ${r.status}`);
      person.set(id, `D${i}`);
    }
    log(`${FINGER_DISTRACTORS} distractors enrolled`);
    await drain(b);
    const rounds: Accuracy[] = [];
    for (let round_ = 1; round_ <= 4; round_++) {
      const wl = `fvc-r${round_}`;
      await b.call('POST', '/v1/watchlists', { id: wl, name: wl, agency: 'XX', disclosure: 'full' });
      const truth = new Map(person);
      for (const dbName of FVC_DBS) for (let f = 101; f <= 110; f++) for (const imp of [2 * round_ - 1, 2 * round_]) {
        const id = await subject(b, wl, `${dbName}-${f}-${imp}`);
        const r = await b.call('POST', `/v1/subjects/${id}/fingerprints`, { template: b64(readFileSync(path.join(fvc, dbName, `${f}_${imp}.iso`))) });
        if (r.status !== 201) throw new Error(`FVC enrol ${r.status} ${JSON.stringify(r.body)}`);
        truth.set(id, `${dbName}-${f}`);
      }
      await drain(b);
      const a = await evaluate(b, truth);
      rounds.push(a);
      log(`fingers round ${round_}: ${JSON.stringify(a)}`);
      await b.call('DELETE', `/v1/watchlists/${wl}?force=true`);
    }
    const sum = (k: keyof Accuracy) => rounds.reduce((s, a) => s + (a[k] as number), 0);
    const total: Accuracy = {
      ...rounds[0], truePairs: sum('truePairs'), linked: sum('linked'), linkedHit: sum('linkedHit'), falseLinks: sum('falseLinks'),
      recall: round(sum('linked') / sum('truePairs'), 4), falsePer1000: round((sum('falseLinks') / sum('subjects')) * 1000, 3),
      purity: round(sum('purity') / 4, 4), completeness: round(sum('completeness') / 4, 4), missedScores: rounds.flatMap((a) => a.missedScores).sort((x, y) => y - x).slice(0, 20),
    };
    results.fingers = { rounds, total };
    md.push('## Fingers: FVC2004 B (40 fingers, each enrolled as two subjects) among synthetic distinct fingers', '', ...ACCURACY_HEAD,
      ...rounds.map((a, i) => accuracyRow(`round ${i + 1} (impressions ${2 * i + 1}+${2 * i + 2})`, a)), accuracyRow('all four rounds', total), '',
      ...curveTable(rounds), '',
      `Distractors: ${FINGER_DISTRACTORS} synthetic distinct fingers (bench/lib/finger-synthetic.ts syntheticFinger, one per subject; the distinct-finger generator of branch finger-scale had not landed). ` +
      `Purity and completeness: mean over the rounds. Best evidence score of the missed true pairs (0 = no comparison kept as evidence): ${total.missedScores.join(', ') || 'none'}.`, '');
  } finally {
    await b.svc.close();
    await db.dispose();
  }
}

/** LFW dev: each mated person's first two images enrolled as two subjects, each distractor once. */
async function faces(): Promise<void> {
  if (!existsSync(path.join(lfw, 'identities.csv'))) { log(`SKIPPED faces: ${lfw} absent`); return; }
  const rows = readFileSync(path.join(lfw, 'identities.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const chosen: { file: string; who: string }[] = [];
  const taken = new Map<string, number>();
  for (const [file, who, role] of rows) {
    const n = taken.get(who) ?? 0;
    if (n >= (role === 'mated' ? 2 : 1)) continue;
    taken.set(who, n + 1);
    chosen.push({ file, who });
  }
  const db = await benchDatabase('conn-faces');
  const b = await start(db, 'face');
  try {
    await b.call('POST', '/v1/watchlists', { id: 'lfw', name: 'LFW dev', agency: 'XX', disclosure: 'full' });
    const person = new Map<string, string>();
    const refused = new Map<string, number>();
    const t0 = performance.now();
    for (const [i, c] of chosen.entries()) {
      const id = await subject(b, 'lfw', `F${i}`);
      const r = await b.call('POST', `/v1/subjects/${id}/faces`, { image: b64(readFileSync(path.join(lfw, c.file))) });
      if (r.status === 201) person.set(id, c.who);
      else { refused.set(r.body?.error?.code ?? String(r.status), (refused.get(r.body?.error?.code ?? String(r.status)) ?? 0) + 1); await b.call('DELETE', `/v1/subjects/${id}`); }
      if (i % 200 === 0) log(`faces: ${i}/${chosen.length} enrolled (${round((performance.now() - t0) / 1000)} s)`);
    }
    await drain(b);
    const a = await evaluate(b, person);
    results.faces = { ...a, images: chosen.length, refused: Object.fromEntries(refused) };
    log(`faces: ${JSON.stringify(results.faces)}`);
    md.push('## Faces: LFW dev (mated persons enrolled twice under two subjects, distractors once)', '', ...ACCURACY_HEAD, accuracyRow('lfw_dev', a), '',
      ...curveTable([a]), '',
      `${chosen.length} images chosen; refused at enrolment (their subject deleted, their pairs not counted): ${JSON.stringify(Object.fromEntries(refused))}. ` +
      `Enrolment used the check profile's quality limits (LFW faces are ~60 px wide). Best evidence score of the missed true pairs: ${a.missedScores.join(', ') || 'none'}.`, '');
  } finally {
    await b.svc.close();
    await db.dispose();
  }
}

/** The speed passes' one watchlist. */
const speedList = (db: BenchDb) => ({ url: db.url, watchlist: 'speed', agency: 'XX' });

/** A full pass against the 1:N search run one sample at a time (the same searches, sequential, no queue). */
async function speed(modality: 'face' | 'finger'): Promise<void> {
  const db = await benchDatabase(`conn-speed-${modality}`);
  let b: Bench | undefined;
  try {
    const t0 = performance.now();
    let probe: (i: number) => Promise<unknown>;
    if (modality === 'face') {
      const set = makeSynthetic({ identities: SPEED_N, samplesPerIdentity: 1, dim: 128, model: 'covariance', seed: 7 });
      await bulkGallery({ ...speedList(db), modality: 'face', n: SPEED_N, template: (i) => new Uint8Array(set.vectors.buffer, i * 128 * 4, 128 * 4).slice(), extractor: DEFAULT_FACE_ROLES.embedder });
      b = await start(db, 'face');
      const nums = [(await b.svc.ctx.db.query<{ num: number }>("SELECT num FROM watchlists WHERE id = 'speed'")).rows[0].num];
      probe = (i) => b!.mods.face!.search(set.vectors.subarray(i * 128, (i + 1) * 128), nums, 20);
    } else {
      const fingersT = Array.from({ length: SPEED_N }, (_, i) => encodeFinger(syntheticFinger(rng(200_000 + i))));
      await bulkGallery({ ...speedList(db), modality: 'finger', n: SPEED_N, template: (i) => fingersT[i], extractor: `biocheck-matcher-${matcherAddon().version}` });
      b = await start(db, 'finger');
      const num = (await b.svc.ctx.db.query<{ num: number }>("SELECT num FROM watchlists WHERE id = 'speed'")).rows[0].num;
      probe = (i) => b!.mods.finger!.search({ position: 0, template: fingersT[i], minutiae: 0, format: 'stored' }, [num], 20);
    }
    const loadS = (performance.now() - t0) / 1000;
    log(`${modality}: ${SPEED_N} gallery built and loaded in ${round(loadS)} s`);
    // Reference: the 1:N search, one sample after the other.
    const cpu0 = process.cpuUsage();
    const r0 = performance.now();
    for (let i = 0; i < REFERENCE_SEARCHES; i++) await probe(i);
    const refS = (performance.now() - r0) / 1000;
    const refCpu = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
    const refRate = REFERENCE_SEARCHES / refS;
    // The pass.
    const cpu1 = process.cpuUsage();
    const p0 = performance.now();
    const job = (await b.call('POST', '/v1/connections/scan')).body.jobId as string;
    let status: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (;;) {
      await sleep(2_000);
      status = (await b.call('GET', `/v1/connections/scan/${job}`)).body;
      if (status.status !== 'running') break;
      if ((performance.now() - p0) / 1000 > SPEED_BUDGET_S) { status = (await b.call('POST', `/v1/connections/scan/${job}/cancel`)).body; break; }
    }
    const passS = (performance.now() - p0) / 1000;
    const passCpu = (process.cpuUsage(cpu1).user + process.cpuUsage(cpu1).system) / 1e6;
    const rate = status.done / passS;
    const links = Number((await b.svc.ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM connections')).rows[0].n);
    const out = {
      gallery: SPEED_N, referenceSearches: REFERENCE_SEARCHES, referenceSearchesPerS: round(refRate, 1), referenceComparisonsPerS: Math.round(refRate * SPEED_N),
      referenceComparisonsPerCpuS: Math.round((REFERENCE_SEARCHES * SPEED_N) / refCpu),
      passStatus: status.status, passDone: status.done, passTotal: status.total, passSeconds: round(passS), passSamplesPerS: round(rate, 1),
      passComparisonsPerS: Math.round(rate * SPEED_N), passComparisonsPerCorePerS: Math.round((rate * SPEED_N) / 2),
      passComparisonsPerCpuS: Math.round((status.done * SPEED_N) / passCpu),
      fullPassMinutes: round(status.total / rate / 60, 1), extrapolated: status.status !== 'done', linksFound: links, loadSeconds: round(loadS),
    };
    results[`speed-${modality}`] = out;
    log(`${modality} speed: ${JSON.stringify(out)}`);
    md.push(`## Full pass over ${SPEED_N.toLocaleString('en')} synthetic ${modality === 'face' ? 'faces (128-d, covariance model, one per identity)' : 'fingers (distinct synthetic fingers, one per subject)'}`, '',
      '| run | samples searched | seconds | samples/s | comparisons/s (wall) | per core (2) | per CPU-second | full pass |', '|---|---|---|---|---|---|---|---|',
      `| 1:N one at a time (reference) | ${REFERENCE_SEARCHES} | ${round(refS)} | ${out.referenceSearchesPerS} | ${out.referenceComparisonsPerS} | ${Math.round(out.referenceComparisonsPerS / 2)} | ${out.referenceComparisonsPerCpuS} | ${round(SPEED_N / refRate / 60, 1)} min (extrapolated) |`,
      `| full pass (worker, batches of 32, DB writes included) | ${status.done} of ${status.total}${out.extrapolated ? ` (${status.status} after ${SPEED_BUDGET_S} s)` : ''} | ${out.passSeconds} | ${out.passSamplesPerS} | ${out.passComparisonsPerS} | ${out.passComparisonsPerCorePerS} | ${out.passComparisonsPerCpuS} | ${out.fullPassMinutes} min${out.extrapolated ? ' (extrapolated from the rate)' : ''} |`,
      '', `Links recorded by the pass: ${links}. Gallery build and load: ${round(loadS)} s.`, '');
  } finally {
    await b?.svc.close();
    await db.dispose();
  }
}

/** Fingerprint enrolment latency with the link search off, then on, over the same gallery of synthetic fingers. */
async function latency(): Promise<void> {
  const db = await benchDatabase('conn-latency');
  const gallery = Array.from({ length: 2_000 }, (_, i) => encodeFinger(syntheticFinger(rng(300_000 + i))));
  await bulkGallery({ ...speedList(db), modality: 'finger', n: gallery.length, template: (i) => gallery[i], extractor: `biocheck-matcher-${matcherAddon().version}` });
  const out: Record<string, { p50: number; p95: number; mean: number }> = {};
  try {
    for (const on of [false, true]) {
      const b = await start(db, 'finger', on);
      const ms: number[] = [];
      for (let i = 0; i < LATENCY_ENROLMENTS; i++) {
        const id = await subject(b, 'speed', `L${on}${i}`);
        const t = b64(isoOf(syntheticFinger(rng((on ? 410_000 : 400_000) + i))));
        const t0 = performance.now();
        const r = await b.call('POST', `/v1/subjects/${id}/fingerprints`, { template: t });
        ms.push(performance.now() - t0);
        if (r.status !== 201) throw new Error(`latency enrol ${r.status}`);
      }
      if (on) await drain(b);
      await b.svc.close();
      out[on ? 'on' : 'off'] = { p50: round(percentile(ms, 50), 2), p95: round(percentile(ms, 95), 2), mean: round(ms.reduce((s, x) => s + x, 0) / ms.length, 2) };
    }
  } finally {
    await db.dispose();
  }
  results.latency = out;
  log(`latency: ${JSON.stringify(out)}`);
  md.push('## Enrolment latency, link search off and on', '', '| link search | p50 ms | p95 ms | mean ms |', '|---|---|---|---|',
    ...Object.entries(out).map(([k, v]) => `| ${k} | ${v.p50} | ${v.p95} | ${v.mean} |`), '',
    `${LATENCY_ENROLMENTS} fingerprint enrolments (POST /v1/subjects/{id}/fingerprints, in-process HTTP) one after the other into a gallery of ${gallery.length} synthetic fingers; ` +
    'with the search on, the worker searches each new sample in the background while the next enrolment runs.', '');
}

async function main() {
  // LFW's 150x150 photos hold faces ~60 px wide: enrolment takes the check profile's limits, as bench/fusion.ts does for ORL.
  process.env.BIOCHECK_FACE_QUALITY ??= JSON.stringify({ enrol: DEFAULT_QUALITY_THRESHOLDS.check });
  const phases: [string, () => Promise<void>][] = [
    ['fingers', fingers], ['faces', faces], ['speed-faces', () => speed('face')], ['speed-fingers', () => speed('finger')], ['latency', latency],
  ];
  // One report per phase (bench/results/connections-<phase>.md), written as soon as the phase ends.
  for (const [name, run] of phases) {
    if (!PHASES.has(name)) continue;
    md.length = 0;
    for (const k of Object.keys(results)) delete results[k];
    await run();
    if (!md.length) continue;
    writeReport({
      name: `connections-${name}`,
      command: `${Object.entries(process.env).filter(([k]) => k.startsWith('CONNECTIONS_')).map(([k, v]) => `${k}=${v} `).join('')}nice -n 10 npx tsx bench/connections.ts`,
      dataset: `${fvc} (FVC2004 B templates), ${lfw} (LFW dev), synthetic galleries (bench/lib/finger-synthetic.ts, bench/lib/synthetic-faces.ts)`,
      versions: { matcher: matcherAddon().version, 'onnxruntime-node': packageVersion('onnxruntime-node'), embedder: DEFAULT_FACE_ROLES.embedder },
      results: { ...results, thresholds: LINK_THRESHOLDS },
      markdown: [
        `Link thresholds per search: review FPIR ${LINK_THRESHOLDS.reviewFpir}, hit FPIR ${LINK_THRESHOLDS.hitFpir}, scaled by the gallery size (score ≥ -log10(FPIR / N)). ` +
        'Clusters merge only through hit-level links (or links an examiner confirmed). The machine was shared with other jobs (2 cores): wall-clock figures are noisy, ' +
        'per-CPU-second figures less so.', '', ...md,
      ].join('\n'),
    });
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
