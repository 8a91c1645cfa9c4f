// The background connection search: claims queued samples from PostgreSQL, searches each against every
// watchlist (face index, finger galleries), records the comparisons with other subjects as evidence, and
// re-fuses the links and clusters they touch, all in the claiming transaction (a crash loses nothing).
import { Counter, Gauge } from 'prom-client';
import type { AppContext } from '../context.ts';
import { isAppError } from '../errors.ts';
import { newHandle } from '../cases/store.ts';
import { watchlistSizes } from '../fusion/gallery-size.ts';
import type { Modalities, SampleMatch } from '../fusion/modalities.ts';
import { claimWork, completeScan, finishWork, queueDepth, runningScan, type WorkItem } from '../store/connection-work.ts';
import { evidenceOf, linkedPairs, orderPair, pairsOfSamples, pairsWithoutEvidence, recluster, replaceEvidence, writeLink, type EvidenceRow, type Pair } from '../store/connections.ts';
import { isUnavailable, type Queryable } from '../store/db.ts';
import { liveSamplesById, type OwnedSample } from '../store/samples.ts';
import { listWatchlists } from '../store/watchlists.ts';
import { scorePair } from './link.ts';
import { evidenceFloor, LINK_SEARCH_DEPTH, WORK_BATCH, WORK_POLL_MS, WORK_SETTLE_MS } from './tuning.ts';

/** Every live subject is a candidate of every search: the gallery size that scales the link thresholds. */
async function gallerySize(q: AppContext['db']): Promise<number> {
  let n = 0;
  for (const v of (await watchlistSizes(q)).values()) n += v;
  return Math.max(1, n - 1);
}

/** Re-fuses these pairs from their evidence, writes their links, and redoes the clusters they touch. Most pairs
 *  hold only impostor-level evidence and no link: they cost no write. */
export async function refreshPairs(q: Queryable, pairs: Pair[], size: number): Promise<void> {
  if (!pairs.length) return;
  const ev = await evidenceOf(q, pairs);
  const linked = await linkedPairs(q, pairs);
  const changed: Pair[] = [];
  for (const p of pairs) {
    const key = `${p[0]}|${p[1]}`;
    const score = scorePair(ev.get(key) ?? [], size);
    if (score.level === 'none' && !linked.has(key)) continue;
    await writeLink(q, p, score, () => [newHandle(), newHandle()]);
    changed.push(p);
  }
  await recluster(q, [...new Set(changed.flat())]);
}

export class ConnectionWorker {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly searched: Counter;

  constructor(private readonly ctx: AppContext, private readonly mods: Modalities, private readonly paceMs = 0, private readonly batch = WORK_BATCH) {
    this.searched = new Counter({ name: 'biocheck_connections_searched_total', help: 'Samples searched for connections', registers: [ctx.metrics] });
    new Gauge({
      name: 'biocheck_connections_queued', help: 'Samples waiting for the connection search', registers: [ctx.metrics],
      async collect() { this.set(await queueDepth(ctx.db).catch(() => 0)); },
    });
    new Gauge({
      name: 'biocheck_connections_scan', help: 'The running full pass: samples done and total (0 when none runs)', labelNames: ['state'], registers: [ctx.metrics],
      async collect() {
        const s = await runningScan(ctx.db).catch(() => null);
        this.set({ state: 'done' }, s?.done ?? 0);
        this.set({ state: 'total' }, s?.total ?? 0);
      },
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    // After a failed batch, items are taken one at a time until one succeeds: a sample that always fails (not the
    // database being away) is then dropped alone, with an error in the log, instead of blocking the queue.
    let isolate = false;
    while (this.running) {
      let n = 0;
      try {
        n = await this.runOnce(isolate ? 1 : this.batch);
        isolate = false;
      } catch (e) {
        if (isolate && !isUnavailable(e) && !(isAppError(e) && (e.code === 'DATABASE_UNAVAILABLE' || e.code === 'SHARDS_UNAVAILABLE'))) await this.drop(e);
        else this.ctx.log.error({ err: e }, 'connection search batch failed; retrying');
        isolate = true;
        n = 0;
      }
      const wait = n ? this.paceMs : WORK_POLL_MS;
      if (wait && this.running) await new Promise<void>((r) => { this.wake = r; setTimeout(r, wait); });
    }
  }

  /** Claims and processes one batch; returns how many samples it searched. */
  async runOnce(limit = this.batch): Promise<number> {
    return this.ctx.db.tx(async (c) => {
      const items = await claimWork(c, limit, WORK_SETTLE_MS);
      if (!items.length) return 0;
      await this.process(c, items);
      return items.length;
    });
  }

  private async process(c: Queryable, items: WorkItem[]): Promise<void> {
    const samples = await liveSamplesById(c, [...new Set(items.map((i) => i.sampleId))]);
    const nums = (await listWatchlists(c)).map((w) => w.num);
    const size = await gallerySize(this.ctx.db);
    const floor = evidenceFloor(size);
    // Only comparisons strong enough to be evidence need their owners looked up.
    const found = (await this.search(samples, nums)).map((hits) => hits.filter((h) => h.score >= floor));
    const hitIds = [...new Set(found.flat().map((h) => h.sampleId))];
    const owner = new Map<number, string>();
    if (hitIds.length) {
      const r = await c.query<{ id: string; subject_id: string }>(
        `SELECT s.id, s.subject_id FROM unnest($1::bigint[]) AS x(id) JOIN samples s ON s.id = x.id
         JOIN subjects su ON su.id = s.subject_id AND su.deleted_at IS NULL`, [hitIds]);
      for (const x of r.rows) owner.set(Number(x.id), x.subject_id);
    }
    const rows: EvidenceRow[] = [];
    samples.forEach((s, i) => {
      for (const h of found[i]) {
        const other = owner.get(h.sampleId);
        if (!other || other === s.subjectId) continue;
        const [a, b] = orderPair(s.subjectId, other);
        rows.push({ probeSample: s.id, targetSample: h.sampleId, subjectA: a, subjectB: b, modality: s.modality, score: h.score, raw: h.raw });
      }
    });
    const pairs = await replaceEvidence(c, samples.map((s) => s.id), rows);
    await refreshPairs(c, pairs, size);
    this.searched.inc(samples.length);
    for (const scan of await finishWork(c, items)) {
      // Links whose evidence vanished while nobody listened (a deletion during a crash) go at the end of a pass.
      await refreshPairs(c, await pairsWithoutEvidence(c), size);
      await completeScan(c, scan);
      this.ctx.log.info({ scan }, 'connection pass done');
    }
  }

  /** Hits per sample: the batch's faces in one native batch search, its fingers one after the other, each on one
   *  native thread (background work: the other cores stay free for checks and enrolments, and one search at a
   *  time keeps an enrolment's gallery add from waiting long). */
  private async search(samples: OwnedSample[], nums: number[]): Promise<SampleMatch[][]> {
    const out: SampleMatch[][] = samples.map(() => []);
    if (!nums.length) return out;
    const { face, finger } = this.mods;
    // A sample of another extractor version cannot be compared with the index's: a pass after re-enrolment finds it.
    const faces = samples.flatMap((s, i) => (s.modality === 'face' && face && s.extractor === face.extractor ? [i] : []));
    if (faces.length) {
      const hits = await face!.searchMany(faces.map((i) => new Float32Array(new Uint8Array(samples[i].template).buffer)), nums, LINK_SEARCH_DEPTH);
      faces.forEach((i, j) => { out[i] = hits[j]; });
    }
    for (const [i, s] of samples.entries()) {
      if (s.modality !== 'finger' || !finger || s.extractor !== finger.extractor) continue;
      out[i] = await finger.search({ position: s.position ?? 0, template: new Uint8Array(s.template), minutiae: 0, format: 'stored' }, nums, LINK_SEARCH_DEPTH, undefined, { background: true });
    }
    return out;
  }

  /** Drops the next queued sample (the one that failed alone), counting it as done for its pass. */
  private async drop(cause: unknown): Promise<void> {
    await this.ctx.db.tx(async (c) => {
      const items = await claimWork(c, 1, WORK_SETTLE_MS);
      if (!items.length) return;
      this.ctx.log.error({ err: cause, sampleId: items[0].sampleId }, 'connection search of this sample keeps failing; dropped from the queue');
      for (const scan of await finishWork(c, items)) await completeScan(c, scan);
    }).catch((e) => this.ctx.log.error({ err: e }, 'dropping a failing connection work item failed'));
  }

  /** After samples were deleted: the links that rested on them are re-fused from the evidence left. */
  async refreshSamples(ids: number[]): Promise<void> {
    const size = await gallerySize(this.ctx.db);
    await this.ctx.db.tx(async (c) => refreshPairs(c, await pairsOfSamples(c, ids), size));
  }
}
