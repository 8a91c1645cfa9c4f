// The face side of checks and enrolment: the pipeline (models in worker pools) and the HNSW index,
// which is loaded from its snapshot and brought up to date from PostgreSQL at start.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../context.ts';
import type { IndexState } from '../observations.ts';
import type { FaceModality, SampleMatch } from '../fusion/modalities.ts';
import { createInferencePools, type InferencePools } from '../runtime/index.ts';
import { openIndex, startSnapshotter, type SampleChange, type Snapshotter } from '../search/snapshot.ts';
import type { HnswVectorIndex } from '../search/index.ts';
import { changesSince, countLive, liveSamples } from '../store/samples.ts';
import { compatibleExtractors } from './embedder-identity.ts';
import { FaceFrontEnd, openFaceFrontEnd, type OpenedFaceFrontEnd } from './front-end.ts';
import { FacePipeline } from './pipeline.ts';

/** The models the service uses unless BIOCHECK_MODELS_CONFIG says otherwise (measured: see bench/). */
export const DEFAULT_FACE_ROLES = { detector: 'human-blazeface', landmarks: 'faceapi-landmark68', embedder: 'faceapi-dlib-resnet', pad: null } as const;
/** Presentation-attack detection, loaded when BIOCHECK_PAD=on or a BIOCHECK_PAD_MIN_SCORE is set
 *  (chosen by measurement: bench/results/face-pad.md). */
export const DEFAULT_PAD_MODEL = 'faceplugin-liveness';
/** Replay starts this many sequence numbers before the snapshot's mark: transactions commit out of
 *  sequence order, so a sample with a lower number can land after a higher one was indexed. */
const REPLAY_MARGIN = 10_000;
const SNAPSHOT_INTERVAL_MS = 30_000;

const toVector = (b: Buffer) => new Float32Array(new Uint8Array(b).buffer);

/** The face front end as configured (BIOCHECK_MODELS_CONFIG, BIOCHECK_PAD, quality thresholds), in worker pools. */
export async function openFacePipeline(ctx: AppContext): Promise<{ pools: InferencePools; pipeline: FacePipeline }> {
  const { runtime: rt, pad, quality } = ctx.config.face;
  const padMin = pad.minScore;
  const padOn = padMin !== undefined || pad.enabled;
  const pools = await createInferencePools({ config: rt.modelsConfigPath ?? { roles: { ...DEFAULT_FACE_ROLES, pad: padOn ? DEFAULT_PAD_MODEL : null } } }, {
    provider: rt.provider, maxBatch: rt.maxBatch, maxWaitMs: rt.maxWaitMs, maxQueue: rt.maxQueue,
    ...(rt.workers !== undefined ? { workers: rt.workers } : {}),
    metricsRegistry: ctx.metrics,
    logger: { info: (m: string) => ctx.log.info(m), warn: (m: string) => ctx.log.warn(m), error: (m: string) => ctx.log.error(m) },
  });
  try {
    return { pools, pipeline: new FacePipeline(pools, { maxBytes: ctx.config.maxUploadBytes }, quality, undefined, padMin) };
  } catch (e) {
    await pools.close();
    throw e;
  }
}

export class FaceService extends FaceFrontEnd implements FaceModality {
  private constructor(opened: OpenedFaceFrontEnd, private readonly index: HnswVectorIndex, private readonly snapshotter: Snapshotter,
    /** Up to this many enrolled faces a check scans them all (SIMD int8 + float32 re-rank: ~1 ms per 100k
     *  per core, small next to the face front end); beyond it, the HNSW graph. Exact search cannot miss a
     *  mate, whereas graph search can leave a few entries unreachable on clustered data (bench/face-check). */
    private readonly exactSearchMax: number, private readonly snapshotPath: string) {
    super(opened);
  }
  get size(): number { return this.index.size; }
  /** For operations (src/observations.ts): ready once started, its size, its snapshot and whether saving it fails. */
  indexState(): IndexState {
    return { state: 'ready', size: this.index.size, snapshotPath: this.snapshotPath, snapshotFailing: this.snapshotter.lastError !== undefined };
  }

  static async start(ctx: AppContext): Promise<FaceService> {
    const log = (m: string, d?: Record<string, unknown>) => ctx.log.info(d ?? {}, m);
    const front = await openFaceFrontEnd(ctx, openFacePipeline);
    const { pools, pipeline, extractor } = front;
    try {
      const ours = compatibleExtractors(extractor);
      // The index is as wide as the embedder's output (a BYO embedder may give any width).
      const dim = await pipeline.embeddingWidth();
      const dir = path.join(ctx.config.dataDir, 'index');
      mkdirSync(dir, { recursive: true });
      const snapshotPath = path.join(dir, `face-${pipeline.embedderId}-${extractor.split(':')[1].slice(0, 12)}.hnsw`);
      const fromStore = async function* (since: number): AsyncGenerator<SampleChange> {
        for await (const c of changesSince(ctx.db, 'face', since)) {
          if (c.kind === 'remove') yield { id: c.id, seq: c.seq, deleted: true };
          else if (ours.includes(c.sample.extractor)) yield { id: c.sample.id, seq: c.sample.seq, deleted: false, vector: toVector(c.sample.template), watchlist: c.sample.watchlistNum };
        }
      };
      let opened = await openIndex({
        snapshotPath, dim, log,
        replay: (since) => fromStore(Math.max(0, since - REPLAY_MARGIN)),
        loadAll: async function* () {
          for await (const s of liveSamples(ctx.db, 'face')) {
            if (ours.includes(s.extractor)) yield { id: s.id, seq: s.seq, deleted: false, vector: toVector(s.template), watchlist: s.watchlistNum };
          }
        },
      });
      // PostgreSQL is the truth: if the index does not hold exactly its live samples, rebuild.
      const live = await countLive(ctx.db, 'face', ours);
      if (opened.index.size !== live) {
        ctx.log.warn({ index: opened.index.size, store: live }, 'face index disagrees with the store; rebuilding from it');
        opened = await openIndex({ snapshotPath: `${snapshotPath}.none`, dim, log, replay: fromStore, loadAll: () => fromStore(0) });
      }
      const snapshotter = startSnapshotter(opened.index, snapshotPath, SNAPSHOT_INTERVAL_MS, { clean: opened.source === 'snapshot' && opened.added + opened.removed === 0, log });
      return new FaceService(front, opened.index, snapshotter, ctx.config.face.exactSearchMax, snapshotPath);
    } catch (e) {
      await pools.close();
      throw e;
    }
  }

  async search(embedding: Float32Array, watchlistNums: number[], k: number): Promise<SampleMatch[]> {
    return (await this.searchMany([embedding], watchlistNums, k))[0];
  }

  async searchMany(embeddings: Float32Array[], watchlistNums: number[], k: number): Promise<SampleMatch[][]> {
    const hits = await this.index.searchBatch(embeddings, { k, watchlists: watchlistNums, exact: this.index.size <= this.exactSearchMax });
    return hits.map((q) => q.map((h) => ({ sampleId: h.id, raw: h.score, score: this.calibrate(h.score) })));
  }

  async add(items: { sampleId: number; embedding: Float32Array; watchlistNum: number; seq?: number }[]): Promise<void> {
    await this.index.add(items.map((i) => ({ id: i.sampleId, vector: i.embedding, watchlist: i.watchlistNum, seq: i.seq })));
  }

  remove(sampleIds: number[]): void {
    for (const id of sampleIds) this.index.remove(id);
  }

  override async close(): Promise<void> {
    await this.snapshotter.stop();
    await super.close();
  }
}
