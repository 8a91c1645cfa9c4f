// Scale-out over NATS (docs/scale-out.md): a real nats-server with JetStream on loopback, 2 shards x 2 replicas as
// real worker processes, and a front, all on one PostgreSQL beside a single process on the same gallery.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangePublisher } from '../src/cluster/changes.ts';
import { ShardFanout } from '../src/cluster/fanout.ts';
import { faceExtractors, frontModules } from '../src/cluster/modules.ts';
import { findNatsServer, NATS_MISSING, startNatsServer, type NatsServer } from '../src/cluster/nats-server.ts';
import type { Modalities, SearchCoverage } from '../src/fusion/modalities.ts';
import { biometricRoutesModule, fingerModule } from '../src/modules.ts';
import { Db } from '../src/store/db.ts';
import { insertSample } from '../src/store/samples.ts';
import { shardOf } from '../src/store/shard.ts';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';
import { freePort, repoRoot } from './lib/process.ts';
import { ADMIN_KEY, freshDatabase, startService, type TestService } from './lib/service.ts';

const natsBin = findNatsServer();
if (!natsBin) console.warn(`[cluster tests] skipped: ${NATS_MISSING}`);

const SHARDS = 2;
const SUBJECTS = 12;
const DEADLINE_MS = 1_500;
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const finger = (i: number) => synthFinger(5000 + i);
const enrolled = (i: number) => b64(isoRecord(impression(finger(i), 1, { drop: 0.05 }), 2));
const probe = (i: number, seed = 77) => b64(isoRecord(impression(finger(i), seed, { rotDeg: 10, dx: 6, dy: -5, drop: 0.15, spurious: 3 }), 2));

let nats: NatsServer;
let dbUrl: string;
let single: TestService;
let front: TestService;
let storeDir: string;
const workers = new Map<string, ChildProcess>();
const subjects: string[] = [];
let examiner: string;
let enroller: string;

function startWorker(shard: number, replica: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BIOCHECK_ROLE: 'worker', DATABASE_URL: dbUrl, BIOCHECK_NATS_URL: nats.url, BIOCHECK_SHARDS: String(SHARDS), BIOCHECK_SHARD: String(shard), BIOCHECK_REPLICA: String(replica) },
  });
  workers.set(`${shard}.${replica}`, child);
  let out = '';
  return new Promise((resolve, reject) => {
    const seen = (d: Buffer) => { out += d; if (out.includes('answering')) resolve(); };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (d) => { out += d; });
    child.once('exit', (code) => reject(new Error(`worker ${shard}.${replica} exited (${code}):\n${out}`)));
  });
}

async function kill(shard: number, replica: number): Promise<void> {
  const w = workers.get(`${shard}.${replica}`)!;
  w.removeAllListeners('exit');
  const gone = new Promise((r) => w.once('exit', r));
  w.kill('SIGKILL');
  await gone;
  workers.delete(`${shard}.${replica}`);
}

async function ready(s: TestService, want: boolean): Promise<Record<string, boolean>> {
  for (let i = 0; i < 100; i++) {
    const r = await s.call('GET', '/ready');
    if ((r.status === 200) === want) return r.body.checks;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`/ready never became ${want ? 200 : 503}`);
}

const check = (s: TestService, i: number, seed?: number) =>
  s.call('POST', '/v1/checks', { key: examiner, body: { fingerprints: [{ template: probe(i, seed), position: 2 }], mode: 'investigative', limit: 5 } });
const ranking = (body: { candidates: { subjectId: string; score: number }[] }) => body.candidates.map((c) => [c.subjectId, c.score.toFixed(3)]);
const onShard = (shard: number) => subjects.map((id, i) => ({ id, i })).filter((x) => shardOf(x.id, SHARDS) === shard);

describe.skipIf(!natsBin)('cluster: 2 shards x 2 replicas over NATS', () => {
  beforeAll(async () => {
    storeDir = mkdtempSync(path.join(tmpdir(), 'biocheck-nats-'));
    nats = await startNatsServer({ host: '127.0.0.1', port: await freePort(), storeDir });
    dbUrl = await freshDatabase();
    const mods: Modalities = {};
    single = await startService({ databaseUrl: dbUrl, modules: [biometricRoutesModule(mods), fingerModule(mods)] });
    const key = async (role: string) => (await single.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role, agency: 'FR' } })).body.key as string;
    examiner = await key('examiner');
    enroller = await key('enroller');
    await single.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'fr-wanted', name: 'FR wanted', agency: 'FR', disclosure: 'full' } });
    for (let i = 0; i < SUBJECTS; i++) {
      const c = await single.call('POST', '/v1/subjects', { key: enroller, body: { watchlist: 'fr-wanted', name: `Person ${i}` } });
      subjects.push(c.body.id);
      expect((await single.call('POST', `/v1/subjects/${c.body.id}/fingerprints`, { key: enroller, body: { template: enrolled(i), position: 2 } })).status).toBe(201);
    }
    // Faces without the models: embeddings written as the embedder's templates, searched through the fan-out below.
    const db = new Db(dbUrl);
    const [extractor] = await faceExtractors();
    const createdBy = (await db.query<{ id: string }>('SELECT id FROM api_keys LIMIT 1')).rows[0].id;
    for (let i = 0; i < SUBJECTS; i++) {
      const v = faceVector(i);
      await insertSample(db.pool, { subjectId: subjects[i], watchlist: 'fr-wanted', modality: 'face', position: null, template: new Uint8Array(v.buffer), extractor, quality: {}, sourceFormat: 'test', source: null, createdBy });
    }
    await db.close();
    expect(onShard(0).length).toBeGreaterThan(1);
    expect(onShard(1).length).toBeGreaterThan(1);
    await Promise.all([0, 1].flatMap((s) => [0, 1].map((r) => startWorker(s, r))));
    front = await startService({
      databaseUrl: dbUrl, modules: frontModules({ face: false, connections: false }),
      config: { cluster: { role: 'front', natsUrl: nats.url, shards: SHARDS, shard: 0, replica: 0, searchDeadlineMs: DEADLINE_MS } },
    });
    await ready(front, true);
  }, 180_000);

  afterAll(async () => {
    for (const w of workers.values()) w.kill('SIGKILL');
    await front?.close();
    await single?.close();
    await nats?.stop();
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  });

  it('answers with the same candidates and scores as the single process on the same gallery', async () => {
    const ready200 = await front.call('GET', '/ready');
    expect(ready200.body.checks).toMatchObject({ 'shard 0': true, 'shard 1': true });
    for (const i of [0, 3, 7, 11]) {
      const [a, b] = await Promise.all([check(single, i), check(front, i)]);
      expect(b.status).toBe(200);
      expect(b.body.decision).toBe(a.body.decision);
      expect(b.body.candidates[0].subjectId).toBe(subjects[i]);
      expect(ranking(b.body)).toEqual(ranking(a.body));
      expect(b.body.missingShards).toBeUndefined();
    }
  });

  it('merges the face shards into the exact top-k', async () => {
    const nc = await connect({ servers: nats.url });
    const db = new Db(dbUrl);
    const fanout = new ShardFanout(nc, SHARDS, DEADLINE_MS, new ChangePublisher(nc, db, SHARDS, () => {}), new Registry(), () => {});
    const q = faceVector(4, 0.3);
    const coverage: SearchCoverage = { missingShards: new Set() };
    const num = (await db.query<{ num: number }>("SELECT num FROM watchlists WHERE id = 'fr-wanted'")).rows[0].num;
    const [hits] = await fanout.search({ kind: 'face', k: 5, watchlists: [num], vectors: [q] }, 1, coverage);
    const ids = (await db.query<{ id: string; subject_id: string }>("SELECT id, subject_id FROM samples WHERE modality = 'face'")).rows;
    const exact = ids.map((r) => ({ id: Number(r.id), score: dot(q, faceVector(subjects.indexOf(r.subject_id))) })).sort((a, b) => b.score - a.score).slice(0, 5);
    expect(coverage.missingShards.size).toBe(0);
    expect(hits.map((h) => h[0])).toEqual(exact.map((e) => e.id));
    hits.forEach((h, j) => expect(h[1]).toBeCloseTo(exact[j].score, 4));
    await nc.close();
    await db.close();
  });

  it('a worker answers only once it has applied the front\'s last change on its shard', async () => {
    const nc = await connect({ servers: nats.url });
    const db = new Db(dbUrl);
    // A front that believes it published far beyond what the stream holds: no worker may answer as if caught up.
    const ahead = new (class extends ChangePublisher { override after() { return 1e9; } })(nc, db, SHARDS, () => {});
    const fanout = new ShardFanout(nc, SHARDS, 400, ahead, new Registry(), () => {});
    const coverage: SearchCoverage = { missingShards: new Set() };
    const [hits] = await fanout.search({ kind: 'face', k: 5, watchlists: [1], vectors: [faceVector(1)] }, 1, coverage);
    expect([...coverage.missingShards].sort()).toEqual([0, 1]);
    expect(hits).toEqual([]);
    await expect(fanout.search({ kind: 'face', k: 5, watchlists: [1], vectors: [faceVector(1)] }, 1)).rejects.toMatchObject({ code: 'SHARDS_UNAVAILABLE' });
    await nc.close();
    await db.close();
  });

  it('finds an enrolment made through the front in the very next check (read-your-writes)', async () => {
    const c = await front.call('POST', '/v1/subjects', { key: enroller, body: { watchlist: 'fr-wanted', name: 'Late Entry' } });
    expect((await front.call('POST', `/v1/subjects/${c.body.id}/fingerprints`, { key: enroller, body: { template: enrolled(40), position: 2 } })).status).toBe(201);
    const r = await check(front, 40);
    expect(r.body.candidates[0].subjectId).toBe(c.body.id);
    subjects[40] = c.body.id;
  });

  it('goes on unchanged when one replica of a shard is killed', async () => {
    const before = await Promise.all([0, 1].map((s) => check(front, onShard(s)[0].i)));
    await kill(0, 0);
    for (let round = 0; round < 3; round++) {
      const after = await Promise.all([0, 1].map((s) => check(front, onShard(s)[0].i)));
      after.forEach((a, s) => {
        expect(a.body.missingShards).toBeUndefined();
        expect(ranking(a.body)).toEqual(ranking(before[s].body));
      });
    }
  });

  it('says incomplete, never no-hit, when both replicas of a shard are gone, and /ready names the shard', async () => {
    await kill(0, 1);
    const checks = await ready(front, false);
    expect(checks).toMatchObject({ 'shard 0': false, 'shard 1': true });
    // A traveller enrolled on the missing shard, in standard mode (what a kiosk runs).
    const lost = onShard(0)[0];
    const r = await front.call('POST', '/v1/checks', { key: examiner, body: { fingerprints: [{ template: probe(lost.i), position: 2 }] } });
    expect(r.status).toBe(200);
    expect(r.body.decision).toBe('incomplete');
    expect(r.body.missingShards).toEqual([0]);
    expect(r.body.caseId).toBeNull();
    const poll = await front.call('GET', `/v1/checks/${r.body.checkId}`, { key: examiner });
    expect(poll.body.decision).toBe('incomplete');
    // Someone on the shard that answered is still a hit, and the answer says what was not searched.
    const found = onShard(1)[0];
    const h = await front.call('POST', '/v1/checks', { key: examiner, body: { fingerprints: [{ template: probe(found.i), position: 2 }] } });
    expect(h.body.decision).toBe('hit');
    expect(h.body.missingShards).toEqual([0]);
  });

  it('a worker restarted after enrolments catches up', async () => {
    // Enrolled through the front while shard 0 has no worker: PostgreSQL and the stream hold it.
    let id = '';
    let n = 100;
    for (; !id || shardOf(id, SHARDS) !== 0; n++) {
      const c = await front.call('POST', '/v1/subjects', { key: enroller, body: { watchlist: 'fr-wanted', name: `While Down ${n}` } });
      id = c.body.id;
    }
    n--;
    expect((await front.call('POST', `/v1/subjects/${id}/fingerprints`, { key: enroller, body: { template: enrolled(n), position: 2 } })).status).toBe(201);
    await startWorker(0, 0);
    await ready(front, true);
    const r = await check(front, n);
    expect(r.body.missingShards).toBeUndefined();
    expect(r.body.candidates[0].subjectId).toBe(id);
    // And a later enrolment reaches the restarted worker through its durable consumer.
    let id2 = '';
    for (n++; !id2 || shardOf(id2, SHARDS) !== 0; n++) id2 = (await front.call('POST', '/v1/subjects', { key: enroller, body: { watchlist: 'fr-wanted', name: `After ${n}` } })).body.id;
    n--;
    await front.call('POST', `/v1/subjects/${id2}/fingerprints`, { key: enroller, body: { template: enrolled(n), position: 2 } });
    expect((await check(front, n)).body.candidates[0].subjectId).toBe(id2);
  });
});

/** A unit face embedding per subject (i), or a noisy copy of it. */
function faceVector(i: number, noise = 0): Float32Array {
  const v = new Float32Array(128);
  let s = 1 + i * 7919;
  const rnd = () => { s = (s * 48271) % 2147483647; return s / 2147483647 - 0.5; };
  for (let d = 0; d < 128; d++) v[d] = rnd();
  let t = 7 + i;
  for (let d = 0; d < 128; d++) { t = (t * 16807) % 2147483647; v[d] += noise * (t / 2147483647 - 0.5); }
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const dot = (a: Float32Array, b: Float32Array) => a.reduce((acc, x, d) => acc + x * b[d], 0);
