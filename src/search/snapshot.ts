// Start-up and persistence of the face index: load the last snapshot and replay what the store
// holds beyond its high-water mark, or rebuild from the store when the snapshot is missing or
// corrupt; then save in the background after changes, never two saves at once.
import { HnswVectorIndex, SnapshotError, type HnswIndexOptions, type IndexItem } from './index.js';

/** One row of the store's sample log: an enrolment, or a deletion when `deleted`. */
export interface SampleChange {
  id: number;
  seq: number;
  deleted: boolean;
  vector?: Float32Array;
  watchlist?: number;
}

export interface OpenIndexOptions {
  snapshotPath: string;
  dim: number;
  /** Changes with seq > sinceSeq, in seq order (adds and deletions). */
  replay: (sinceSeq: number) => AsyncIterable<SampleChange>;
  /** Every live sample (rows with `deleted` are skipped). */
  loadAll: () => AsyncIterable<SampleChange>;
  index?: Omit<HnswIndexOptions, 'dim'>;
  /** Items per native add call while replaying or rebuilding. */
  batchSize?: number;
  log?: (message: string, details?: Record<string, unknown>) => void;
}

export interface OpenedIndex {
  index: HnswVectorIndex;
  source: 'snapshot' | 'rebuild';
  /** Why the snapshot was not used (rebuild only). */
  reason?: string;
  added: number;
  removed: number;
}

const DEFAULT_BATCH = 4096;

export async function openIndex(opts: OpenIndexOptions): Promise<OpenedIndex> {
  const log = opts.log ?? (() => {});
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  let index: HnswVectorIndex | undefined;
  let reason: string | undefined;
  try {
    index = await HnswVectorIndex.load(opts.snapshotPath, { dim: opts.dim, ef: opts.index?.ef, threads: opts.index?.threads });
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    reason = `${e.reason}: ${e.message}`;
    // No snapshot is the normal first start, not a fault: say what happens without alarm.
    if (e.reason === 'missing') log('first start (no face index snapshot yet): building the face index from the store');
    else log('face index snapshot unusable, rebuilding from the store', { reason });
  }
  if (index) {
    const since = index.highWater;
    const { added, removed } = await apply(index, opts.replay(since), batchSize, false);
    log('face index loaded from snapshot', { since, added, removed, size: index.size });
    return { index, source: 'snapshot', added, removed };
  }
  index = HnswVectorIndex.create({ ...opts.index, dim: opts.dim });
  const { added, removed } = await apply(index, opts.loadAll(), batchSize, true);
  const repair = await index.repair();
  log('face index rebuilt from the store', { added, size: index.size, repair });
  return { index, source: 'rebuild', reason, added, removed };
}

/** Applies changes in order; adds are batched, and flushed before a deletion so order holds. */
async function apply(index: HnswVectorIndex, changes: AsyncIterable<SampleChange>, batchSize: number,
  skipDeleted: boolean): Promise<{ added: number; removed: number }> {
  let pending: IndexItem[] = [];
  let added = 0;
  let removed = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await index.add(pending);
    added += pending.length;
    pending = [];
  };
  for await (const c of changes) {
    if (c.deleted) {
      if (skipDeleted) { index.noteSeq(c.seq); continue; }
      await flush();
      if (index.remove(c.id, c.seq)) removed++;
      continue;
    }
    if (!c.vector || c.watchlist === undefined) {
      throw new Error(`sample ${c.id} (seq ${c.seq}) has no vector or watchlist`);
    }
    pending.push({ id: c.id, vector: c.vector, watchlist: c.watchlist, seq: c.seq });
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  return { added, removed };
}

export interface Snapshotter {
  /** Saves now if anything changed since the last save (waits for a save in flight first). */
  saveNow(): Promise<void>;
  /** Stops the timer, waits for a save in flight, and saves once more if anything changed. */
  stop(): Promise<void>;
  readonly lastError: Error | undefined;
  readonly saves: number;
}

export interface SnapshotterOptions {
  /** The file already matches the index (loaded from it, nothing replayed): skip the first save. */
  clean?: boolean;
  log?: (message: string, details?: Record<string, unknown>) => void;
}

/** Saves `index` to `path` every `intervalMs` when it has changed; saves never overlap. */
export function startSnapshotter(index: HnswVectorIndex, path: string, intervalMs: number,
  opts: SnapshotterOptions = {}): Snapshotter {
  const log = opts.log ?? (() => {});
  let savedAt = opts.clean ? index.changeCount : -1;
  let savedHw = index.highWater;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastError: Error | undefined;
  let saves = 0;

  const saveIfChanged = async (): Promise<void> => {
    while (inFlight) await inFlight;
    if (index.changeCount === savedAt && index.highWater === savedHw) return;
    const changes = index.changeCount;
    const hw = index.highWater;
    inFlight = index.save(path).then(
      () => { savedAt = changes; savedHw = hw; saves++; lastError = undefined; },
      (e: Error) => { lastError = e; log('face index snapshot failed', { error: e.message }); },
    ).finally(() => { inFlight = undefined; });
    await inFlight;
  };
  const tick = () => {
    timer = undefined;
    void saveIfChanged().finally(() => {
      if (!stopped) { timer = setTimeout(tick, intervalMs); timer.unref(); }
    });
  };
  timer = setTimeout(tick, intervalMs);
  timer.unref();

  return {
    saveNow: saveIfChanged,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await saveIfChanged();
    },
    get lastError() { return lastError; },
    get saves() { return saves; },
  };
}
