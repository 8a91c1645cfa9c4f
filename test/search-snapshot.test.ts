// Snapshots of the face index: round trip, corruption and truncation detection, and the
// start-up contract (load + replay beyond the high-water mark, or rebuild from the store).
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HnswVectorIndex, SnapshotError } from '../src/search/index.js';
import { openIndex, startSnapshotter, type SampleChange } from '../src/search/snapshot.js';
import { makeSynthetic } from '../bench/lib/synthetic-faces.js';

const DIM = 32;
const dir = mkdtempSync(path.join(tmpdir(), 'biocheck-snap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const set = makeSynthetic({ identities: 500, samplesPerIdentity: 4, dim: DIM, model: 'covariance', seed: 3 });
const N = set.identity.length;  // 2000
const vec = (i: number) => set.vectors.slice(i * DIM, (i + 1) * DIM);
const queries = Array.from({ length: 40 }, (_, i) => set.probe(i * 11));

/** The store's sample log: seq i+1 enrols sample i; later rows may delete. */
function makeLog(n: number): SampleChange[] {
  return Array.from({ length: n }, (_, i) => ({ id: i, seq: i + 1, deleted: false, vector: vec(i), watchlist: i % 5 }));
}
async function* iterate(rows: SampleChange[]) { for (const r of rows) yield r; }
function liveRows(log: SampleChange[]): SampleChange[] {
  const live = new Map<number, SampleChange>();
  for (const r of log) { if (r.deleted) live.delete(r.id); else live.set(r.id, r); }
  return [...live.values()];
}

async function indexFrom(log: SampleChange[], kind: 'f32' | 'i8' = 'f32') {
  const index = HnswVectorIndex.create({ dim: DIM, kind, threads: 2 });
  const rows = liveRows(log);
  await index.add(rows.map((r) => ({ id: r.id, vector: r.vector!, watchlist: r.watchlist!, seq: r.seq })));
  for (const r of log) index.noteSeq(r.seq);
  return index;
}

async function answers(index: HnswVectorIndex) {
  return {
    approx: await index.searchBatch(queries, { k: 10, ef: 64 }),
    filtered: await index.searchBatch(queries, { k: 10, watchlists: [1, 3] }),
    exact: await index.searchBatch(queries, { k: 10, exact: true }),
  };
}

describe('save and load', () => {
  for (const kind of ['f32', 'i8'] as const) {
    it(`round trip gives identical results, size, deletions and high-water mark (${kind})`, async () => {
      const index = await indexFrom(makeLog(N), kind);
      for (const id of [5, 6, 700]) index.remove(id, N + id);
      const file = path.join(dir, `round-${kind}.idx`);
      await index.save(file);
      expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      const back = await HnswVectorIndex.load(file, { dim: DIM });
      expect(back.size).toBe(N - 3);
      expect(back.highWater).toBe(N + 700);
      expect(back.stats().kind).toBe(kind);
      expect(await answers(back)).toEqual(await answers(index));
      expect((await back.search(vec(700), { k: 5, exact: true })).map((h) => h.id)).not.toContain(700);
      // the loaded index keeps working: adds and removals
      await back.add([{ id: 700, vector: vec(700), watchlist: 0 }]);
      expect((await back.search(vec(700), { k: 1 }))[0].id).toBe(700);
    });
  }

  it('detects a flipped byte, a truncated file, a bad header and a missing file', async () => {
    const index = await indexFrom(makeLog(N));
    const good = path.join(dir, 'good.idx');
    await index.save(good);
    const bytes = readFileSync(good);
    const cases: [string, Buffer][] = [];
    for (const at of [100, Math.floor(bytes.length / 2), bytes.length - 3]) {
      const b = Buffer.from(bytes);
      b[at] ^= 0x40;
      cases.push([`flip@${at}`, b]);
    }
    const hdr = Buffer.from(bytes);
    hdr[20] ^= 1;  // dim field
    cases.push(['header', hdr]);
    cases.push(['short', bytes.subarray(0, 40)]);
    for (const [name, b] of cases) {
      const f = path.join(dir, `bad-${name}.idx`);
      writeFileSync(f, b);
      const err = await HnswVectorIndex.load(f).then(() => undefined, (e) => e);
      expect(err, name).toBeInstanceOf(SnapshotError);
      expect((err as SnapshotError).reason, name).toBe('corrupt');
    }
    const cut = path.join(dir, 'cut.idx');
    writeFileSync(cut, bytes);
    truncateSync(cut, statSync(cut).size - 1000);
    const err = await HnswVectorIndex.load(cut).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(SnapshotError);
    expect((err as Error).message).toMatch(/truncated/);
    const missing = await HnswVectorIndex.load(path.join(dir, 'nope.idx')).then(() => undefined, (e) => e);
    expect((missing as SnapshotError).reason).toBe('missing');
    const wrongDim = await HnswVectorIndex.load(good, { dim: 128 }).then(() => undefined, (e) => e);
    expect((wrongDim as SnapshotError).reason).toBe('mismatch');
  });
});

describe('openIndex', () => {
  it('rebuilds from the store when the snapshot is missing or corrupt, restoring everything', async () => {
    const log = makeLog(N);
    log.push({ id: 17, seq: N + 1, deleted: true });
    const reference = await indexFrom(log);
    const file = path.join(dir, 'open-corrupt.idx');
    for (const state of ['missing', 'corrupt'] as const) {
      if (state === 'corrupt') {
        await reference.save(file);
        const b = readFileSync(file);
        b[b.length >> 1] ^= 0xff;
        writeFileSync(file, b);
      }
      let replayCalled = false;
      const opened = await openIndex({
        snapshotPath: file, dim: DIM,
        replay: () => { replayCalled = true; return iterate([]); },
        loadAll: () => iterate(liveRows(log)),
      });
      expect(opened.source).toBe('rebuild');
      expect(opened.reason).toMatch(state);
      expect(replayCalled).toBe(false);
      expect(opened.index.size).toBe(N - 1);
      expect(opened.added).toBe(N - 1);
      const got = await opened.index.searchBatch(queries, { k: 10, exact: true });
      expect(got).toEqual(await reference.searchBatch(queries, { k: 10, exact: true }));
      expect((await opened.index.search(vec(17), { k: 3 })).map((h) => h.id)).not.toContain(17);
    }
  });

  it('loads a valid snapshot and replays only the changes beyond its high-water mark', async () => {
    const log = makeLog(1500);
    const snap = await indexFrom(log);
    const file = path.join(dir, 'open-replay.idx');
    await snap.save(file);
    expect(snap.highWater).toBe(1500);
    // after the snapshot: 500 new samples, deletions of old and new ones, a re-enrolment
    const later: SampleChange[] = [];
    let seq = 1500;
    for (let i = 1500; i < N; i++) later.push({ id: i, seq: ++seq, deleted: false, vector: vec(i), watchlist: i % 5 });
    for (const id of [3, 4, 1600, 1999]) later.push({ id, seq: ++seq, deleted: true });
    later.push({ id: 4, seq: ++seq, deleted: false, vector: vec(4), watchlist: 2 });
    const full = [...log, ...later];
    let since = -1;
    const opened = await openIndex({
      snapshotPath: file, dim: DIM,
      replay: (s) => { since = s; return iterate(full.filter((r) => r.seq > s)); },
      loadAll: () => { throw new Error('must not rebuild'); },
    });
    expect(opened.source).toBe('snapshot');
    expect(since).toBe(1500);
    expect(opened.added).toBe(501);
    expect(opened.removed).toBe(4);
    expect(opened.index.highWater).toBe(seq);
    expect(opened.index.size).toBe(N - 3);
    const reference = await indexFrom(full);
    expect(await opened.index.searchBatch(queries, { k: 10, exact: true }))
      .toEqual(await reference.searchBatch(queries, { k: 10, exact: true }));
    for (const id of [3, 1600, 1999]) {
      expect((await opened.index.search(vec(id), { k: 5 })).map((h) => h.id)).not.toContain(id);
    }
    expect((await opened.index.search(vec(1800), { k: 1 }))[0].id).toBe(1800);
    const four = await opened.index.search(vec(4), { k: 1, watchlists: [2] });
    expect(four[0].id).toBe(4);
  });
});

describe('snapshotter', () => {
  it('saves after changes only, never two saves at once, and once more on stop', async () => {
    const index = await indexFrom(makeLog(1000));
    const file = path.join(dir, 'bg.idx');
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const realSave = index.save.bind(index);
    index.save = async (p: string) => {
      running++; calls++;
      maxRunning = Math.max(maxRunning, running);
      try { await new Promise((r) => setTimeout(r, 30)); await realSave(p); } finally { running--; }
    };
    const snap = startSnapshotter(index, file, 10);
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBe(1);            // one change set, one save, however many ticks
    expect(existsSync(file)).toBe(true);
    await Promise.all([snap.saveNow(), snap.saveNow()]);
    expect(calls).toBe(1);            // nothing changed since
    await index.add([{ id: 5000, vector: vec(1), watchlist: 1, seq: 5000 }]);
    const saves = [snap.saveNow(), snap.saveNow(), snap.saveNow()];
    await Promise.all(saves);
    expect(calls).toBe(2);
    index.remove(3, 5001);
    await snap.stop();
    expect(calls).toBe(3);
    expect(maxRunning).toBe(1);
    expect(snap.lastError).toBeUndefined();
    const back = await HnswVectorIndex.load(file);
    expect(back.highWater).toBe(5001);
    expect(back.size).toBe(1000);
  });
});
