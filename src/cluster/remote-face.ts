// The front's face modality: the models (extraction, 1:1 comparison, calibration) as in the single process; 1:N
// searches go to every shard's workers (raw cosines back, calibrated here), enrolments and deletions to the stream.
import type { AppContext } from '../context.ts';
import { FaceFrontEnd, openFaceFrontEnd, type OpenedFaceFrontEnd } from '../face/front-end.ts';
import { openFacePipeline } from '../face/modality.ts';
import type { FaceModality, SampleMatch, SearchCoverage } from '../fusion/modalities.ts';
import type { ClusterLink } from './link.ts';

export class RemoteFaceModality extends FaceFrontEnd implements FaceModality {
  private constructor(opened: OpenedFaceFrontEnd, private readonly link: ClusterLink) { super(opened); }

  static async start(ctx: AppContext, link: ClusterLink): Promise<RemoteFaceModality> {
    return new RemoteFaceModality(await openFaceFrontEnd(ctx, openFacePipeline), link);
  }

  async search(embedding: Float32Array, watchlistNums: number[], k: number, coverage?: SearchCoverage): Promise<SampleMatch[]> {
    return (await this.searchMany([embedding], watchlistNums, k, coverage))[0];
  }

  async searchMany(embeddings: Float32Array[], watchlistNums: number[], k: number, coverage?: SearchCoverage): Promise<SampleMatch[][]> {
    if (!watchlistNums.length || !embeddings.length) return embeddings.map(() => []);
    const hits = await this.link.fanout.search({ kind: 'face', k, watchlists: watchlistNums, vectors: embeddings }, embeddings.length, coverage);
    return hits.map((q) => q.map(([sampleId, raw]) => ({ sampleId, raw, score: this.calibrate(raw) })));
  }

  async add(items: { sampleId: number; subjectId?: string }[]): Promise<void> {
    await this.link.changes.added('face', items);
  }

  remove(sampleIds: number[]): void {
    this.link.changes.removed('face', sampleIds);
  }
}
