// One shard's galleries in a worker: the face index and the native finger galleries of the subjects that hash to
// this shard, loaded from PostgreSQL, kept up to date by change notices (read back from PostgreSQL by id).
import type { Db } from '../store/db.ts';
import { liveSamples, storedSamplesById, subjectsOfSamples, type StoredSample } from '../store/samples.ts';
import { shardOf, type ShardOf } from '../store/shard.ts';
import { FingerService } from '../finger/modality.ts';
import { HnswVectorIndex } from '../search/index.ts';
import { FACE_THREADS } from './tuning.ts';
import type { ChangeNotice, SearchRequest, WireHit } from './wire.ts';

/** Faces per bulk add while loading. */
const FACE_LOAD_BATCH = 5_000;
const toVector = (b: Buffer) => new Float32Array(new Uint8Array(b).buffer);

export class ShardGalleries {
  /** Created with the first face (its width is the embedder's). */
  private face?: HnswVectorIndex;
  private readonly finger = new FingerService();

  /** `faceExtractors`: the extractor values of the embedder the front uses (templates of another are never loaded). */
  /** `exactSearchMax`: up to this many faces the shard scans exactly (BIOCHECK_FACE_EXACT_MAX), as the single process does. */
  constructor(private readonly db: Db, private readonly shard: ShardOf, private readonly faceExtractors: string[], private readonly exactSearchMax: number) {}

  get faces(): number { return this.face?.size ?? 0; }
  get fingers(): number { return this.finger.size; }

  private async addFaces(samples: StoredSample[]): Promise<void> {
    const ours = samples.filter((s) => this.faceExtractors.includes(s.extractor));
    if (!ours.length) return;
    this.face ??= HnswVectorIndex.create({ dim: ours[0].template.byteLength / 4, threads: FACE_THREADS });
    await this.face.add(ours.map((s) => ({ id: s.id, vector: toVector(s.template), watchlist: s.watchlistNum, seq: s.seq })));
  }

  async load(log: (m: string) => void): Promise<void> {
    let batch: StoredSample[] = [];
    for await (const s of liveSamples(this.db, 'face', 0, this.shard)) {
      batch.push(s);
      if (batch.length >= FACE_LOAD_BATCH) { await this.addFaces(batch); batch = []; }
    }
    await this.addFaces(batch);
    if (this.face && this.face.size > this.exactSearchMax) await this.face.repair();
    await this.finger.load(this.db, log, liveSamples(this.db, 'finger', 0, this.shard));
    log(`shard ${this.shard.index}/${this.shard.of} loaded: ${this.faces} face(s), ${this.fingers} finger(s)`);
  }

  /** Applies one notice. Adds are read from PostgreSQL: a sample deleted since is simply not found. */
  async apply(c: ChangeNotice): Promise<void> {
    if (c.op === 'remove') {
      if (c.modality === 'face') for (const id of c.ids) this.face?.remove(id);
      else this.finger.remove(c.ids);
      return;
    }
    const rows = await this.onThisShard(await storedSamplesById(this.db, c.modality, c.ids));
    if (c.modality === 'face') await this.addFaces(rows);
    else for (const s of rows) this.finger.addTemplate(s.id, s.template, s.position, s.watchlistNum);
  }

  /** A notice names its shard by subject; PostgreSQL still decides (a notice on the wrong shard is dropped). */
  private async onThisShard(rows: StoredSample[]): Promise<StoredSample[]> {
    if (!rows.length) return rows;
    const owners = await subjectsOfSamples(this.db, rows.map((s) => s.id));
    return rows.filter((s) => { const o = owners.get(s.id); return o !== undefined && shardOf(o, this.shard.of) === this.shard.index; });
  }

  async search(req: SearchRequest): Promise<WireHit[][]> {
    if (req.kind === 'face') {
      if (!this.face || !this.face.size) return req.vectors.map(() => []);
      const hits = await this.face.searchBatch(req.vectors, { k: req.k, watchlists: req.watchlists, exact: this.face.size <= this.exactSearchMax });
      return hits.map((q) => q.map((h): WireHit => [h.id, h.score]));
    }
    const hits = await this.finger.search({ position: req.position, template: req.template, minutiae: 0, format: 'wire' }, req.watchlists, req.k);
    return [hits.map((h): WireHit => [h.sampleId, h.raw])];
  }
}
