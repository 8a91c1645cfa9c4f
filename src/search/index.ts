// The face search index: the interface the service calls, and its HNSW implementation over
// our native addon (hnswlib's graph, batched threaded insertion, watchlist filtering,
// float32 or int8 storage, checksummed snapshots). Scores are cosine similarities.
import { AppError } from '../errors.js';
import { vectorAddon, type NativeIndex, type NativeStats, type RepairResult } from './native.js';
import { MAX_ID, MAX_WATCHLIST, SEARCH_DEFAULTS } from './tuning.js';

export interface IndexItem {
  id: number;
  vector: Float32Array;
  watchlist: number;
  /** Sequence number of the sample in the store; the index remembers the highest seen. */
  seq?: number;
}

export interface SearchOptions {
  k: number;
  /** Only entries of these watchlists are returned; k is honoured after filtering. */
  watchlists?: number[];
  ef?: number;
  /** Exact (brute-force) search: the reference. */
  exact?: boolean;
  /** Threads a batch search spreads over (default: the index's). */
  threads?: number;
}

export interface SearchHit { id: number; score: number }

/** What the service needs from a vector index; another engine can sit behind it later. */
export interface VectorIndex {
  readonly dim: number;
  readonly size: number;
  /** Highest sample sequence number applied (adds and deletions); saved in snapshots. */
  readonly highWater: number;
  add(items: IndexItem[]): Promise<void>;
  remove(id: number, seq?: number): boolean;
  search(query: Float32Array, opts: SearchOptions): Promise<SearchHit[]>;
  searchBatch(queries: Float32Array[], opts: SearchOptions): Promise<SearchHit[][]>;
  /** Atomic (temp file, fsync, rename) with a checksummed header. */
  save(path: string): Promise<void>;
}

export interface HnswIndexOptions {
  dim: number;
  kind?: 'f32' | 'i8';
  M?: number;
  efConstruction?: number;
  /** Default ef for searches that do not give one. */
  ef?: number;
  capacity?: number;
  threads?: number;
  seed?: number;
}

/** A snapshot could not be used: the caller rebuilds from the store. */
export class SnapshotError extends Error {
  constructor(readonly reason: 'missing' | 'corrupt' | 'mismatch', message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

function invalid(message: string): never {
  throw new AppError('VALIDATION_FAILED', message);
}

export class HnswVectorIndex implements VectorIndex {
  readonly dim: number;
  private readonly defaultEf: number;
  private readonly threads: number;
  private hw: number;
  private changes = 0;

  private constructor(private readonly native: NativeIndex, opts: { ef?: number; threads?: number }, highWater = 0) {
    this.dim = native.stats().dim;
    this.defaultEf = opts.ef ?? SEARCH_DEFAULTS.ef;
    this.threads = opts.threads ?? SEARCH_DEFAULTS.threads;
    this.hw = highWater;
  }

  static create(opts: HnswIndexOptions): HnswVectorIndex {
    if (!Number.isInteger(opts.dim) || opts.dim < 1 || opts.dim > 4096) invalid('dim must be an integer in [1, 4096]');
    const native = new (vectorAddon().VectorIndexNative)({
      dim: opts.dim,
      kind: opts.kind ?? SEARCH_DEFAULTS.kind,
      M: opts.M ?? SEARCH_DEFAULTS.M,
      efConstruction: opts.efConstruction ?? SEARCH_DEFAULTS.efConstruction,
      capacity: opts.capacity ?? SEARCH_DEFAULTS.initialCapacity,
      seed: opts.seed ?? 100,
    });
    return new HnswVectorIndex(native, opts);
  }

  /** Loads a snapshot; throws SnapshotError('missing' | 'corrupt' | 'mismatch') so the caller rebuilds. */
  static async load(path: string, opts: { dim?: number; ef?: number; threads?: number } = {}): Promise<HnswVectorIndex> {
    let loaded;
    try {
      loaded = await vectorAddon().VectorIndexNative.load(path);
    } catch (e) {
      const msg = (e as Error).message;
      if (msg.startsWith('snapshot missing')) throw new SnapshotError('missing', msg);
      if (msg.startsWith('snapshot corrupt')) throw new SnapshotError('corrupt', `${path}: ${msg}`);
      throw e;
    }
    const index = new HnswVectorIndex(loaded.index, opts, loaded.highWater);
    if (opts.dim !== undefined && index.dim !== opts.dim) {
      throw new SnapshotError('mismatch', `${path}: snapshot holds ${index.dim}-d vectors, expected ${opts.dim}`);
    }
    return index;
  }

  get size(): number { return this.native.size(); }
  get highWater(): number { return this.hw; }
  /** Counts adds and removals: a snapshotter saves when it moves. */
  get changeCount(): number { return this.changes; }
  stats(): NativeStats { return this.native.stats(); }

  /** Records that the store's changes up to `seq` are reflected here. */
  noteSeq(seq: number): void {
    if (seq > this.hw) this.hw = seq;
  }

  async add(items: IndexItem[]): Promise<void> {
    const n = items.length;
    if (n === 0) return;
    const ids = new Float64Array(n);
    const wls = new Uint32Array(n);
    const vecs = new Float32Array(n * this.dim);
    let maxSeq = -Infinity;
    for (let i = 0; i < n; i++) {
      const it = items[i];
      if (!Number.isInteger(it.id) || it.id < 0 || it.id > MAX_ID) invalid(`item ${i}: id must be an integer in [0, 2^47)`);
      if (!Number.isInteger(it.watchlist) || it.watchlist < 0 || it.watchlist > MAX_WATCHLIST) {
        invalid(`item ${i}: watchlist must be an integer in [0, ${MAX_WATCHLIST}]`);
      }
      if (!(it.vector instanceof Float32Array) || it.vector.length !== this.dim) {
        invalid(`item ${i}: vector must be a Float32Array of length ${this.dim}`);
      }
      ids[i] = it.id;
      wls[i] = it.watchlist;
      vecs.set(it.vector, i * this.dim);
      if (it.seq !== undefined && it.seq > maxSeq) maxSeq = it.seq;
    }
    try {
      await this.native.addBatch(ids, vecs, wls, this.threads);
    } catch (e) {
      const msg = (e as Error).message;
      if (/finite and non-zero/.test(msg)) invalid(`vectors must be finite and non-zero: ${msg}`);
      throw e;
    }
    this.changes++;
    this.noteSeq(maxSeq);
  }

  /** Adds straight from packed arrays (bulk loading: no per-item objects). */
  async addPacked(ids: Float64Array, vectors: Float32Array, watchlists: Uint32Array, maxSeq?: number): Promise<void> {
    if (vectors.length !== ids.length * this.dim || watchlists.length !== ids.length) {
      invalid('addPacked: array lengths disagree with the count and dim');
    }
    await this.native.addBatch(ids, vectors, watchlists, this.threads);
    this.changes++;
    if (maxSeq !== undefined) this.noteSeq(maxSeq);
  }

  remove(id: number, seq?: number): boolean {
    if (!Number.isInteger(id) || id < 0 || id > MAX_ID) invalid('id must be an integer in [0, 2^47)');
    const removed = this.native.remove(id);
    if (removed) this.changes++;
    if (seq !== undefined) this.noteSeq(seq);
    return removed;
  }

  async search(query: Float32Array, opts: SearchOptions): Promise<SearchHit[]> {
    return (await this.searchPacked(this.pack([query]), 1, opts))[0];
  }

  async searchBatch(queries: Float32Array[], opts: SearchOptions): Promise<SearchHit[][]> {
    if (queries.length === 0) return [];
    return this.searchPacked(this.pack(queries), queries.length, opts);
  }

  /** Searches nq queries packed back to back in one Float32Array. */
  async searchPacked(packed: Float32Array, nq: number, opts: SearchOptions): Promise<SearchHit[][]> {
    const { k } = opts;
    if (!Number.isInteger(k) || k < 1 || k > SEARCH_DEFAULTS.maxK) invalid(`k must be an integer in [1, ${SEARCH_DEFAULTS.maxK}]`);
    const ef = opts.ef ?? this.defaultEf;
    if (!Number.isInteger(ef) || ef < 1) invalid('ef must be a positive integer');
    if (packed.length !== nq * this.dim) invalid(`queries must hold ${nq} x ${this.dim} floats`);
    let allowed: Uint32Array | null = null;
    if (opts.watchlists) {
      for (const w of opts.watchlists) {
        if (!Number.isInteger(w) || w < 0 || w > MAX_WATCHLIST) invalid(`watchlist ${w} is not an integer in [0, ${MAX_WATCHLIST}]`);
      }
      if (opts.watchlists.length === 0) return Array.from({ length: nq }, () => []);
      allowed = Uint32Array.from(opts.watchlists);
    }
    let r;
    try {
      r = await this.native.search(packed, k, ef, opts.exact ?? false, allowed, opts.threads ?? this.threads);
    } catch (e) {
      const msg = (e as Error).message;
      if (/finite and non-zero/.test(msg)) invalid(`queries must be finite and non-zero: ${msg}`);
      throw e;
    }
    const out: SearchHit[][] = [];
    for (let q = 0; q < nq; q++) {
      const hits: SearchHit[] = [];
      for (let j = 0; j < r.counts[q]; j++) hits.push({ id: r.ids[q * k + j], score: r.scores[q * k + j] });
      out.push(hits);
    }
    return out;
  }

  save(path: string): Promise<void> {
    return this.native.save(path, this.hw);
  }

  /** Rebuilds the graph without deleted slots. */
  compact(): Promise<void> {
    return this.native.compact(this.threads);
  }

  /** Searches for every vector with itself and links the ones the graph cannot find (for the end of a bulk load;
   *  snapshots and compaction repair on their own once enough was added). */
  repair(): Promise<RepairResult> {
    return this.native.repair(this.threads);
  }

  private pack(queries: Float32Array[]): Float32Array {
    const packed = new Float32Array(queries.length * this.dim);
    queries.forEach((q, i) => {
      if (!(q instanceof Float32Array) || q.length !== this.dim) invalid(`query ${i} must be a Float32Array of length ${this.dim}`);
      packed.set(q, i * this.dim);
    });
    return packed;
  }
}
