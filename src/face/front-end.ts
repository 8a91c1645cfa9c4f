// The face front end without a gallery: models in worker pools, extraction, 1:1 comparison and calibration.
// The single process adds its own index to it (FaceService); a cluster front sends its searches to the shards.
import sharp from 'sharp';
import type { AppContext } from '../context.ts';
import type { FaceExtraction } from '../fusion/modalities.ts';
import type { InferencePools } from '../runtime/index.ts';
import { DEFAULT_QUALITY_POLICY, type QualityPolicy } from '../quality-policy.ts';
import { faceCalibration } from './calibration.ts';
import { embedderIdentity, refuseOtherEmbedders } from './embedder-identity.ts';
import type { FacePipeline } from './pipeline.ts';
import { qualityReport } from './quality-report.ts';

/** 1:1 verification accepts at FMR 1e-3. */
const VERIFY_SCORE = 3;

export interface OpenedFaceFrontEnd { pipeline: FacePipeline; pools: InferencePools; extractor: string }

/** The configured pipeline and its embedder's identity; refuses stored templates of another embedder. */
export async function openFaceFrontEnd(ctx: AppContext, openPipeline: (ctx: AppContext) => Promise<{ pools: InferencePools; pipeline: FacePipeline }>): Promise<OpenedFaceFrontEnd> {
  const { pools, pipeline } = await openPipeline(ctx);
  try {
    const extractor = await embedderIdentity(pipeline.embedderModel);
    await refuseOtherEmbedders(ctx.db, extractor);
    return { pools, pipeline, extractor };
  } catch (e) {
    await pools.close();
    throw e;
  }
}

export class FaceFrontEnd {
  readonly verifyThreshold = VERIFY_SCORE;
  protected readonly calibrate: (raw: number) => number;
  protected readonly pipeline: FacePipeline;
  protected readonly pools: InferencePools;
  /** Recorded with every template: the embedder's id and file sha256 (embedder-identity.ts). */
  readonly extractor: string;

  constructor(opened: OpenedFaceFrontEnd) {
    this.pipeline = opened.pipeline;
    this.pools = opened.pools;
    this.extractor = opened.extractor;
    this.calibrate = faceCalibration(opened.pipeline.embedderId);
  }

  async extract(image: Uint8Array, purpose: 'enrol' | 'check' | 'verify', opts: { policy?: QualityPolicy } = {}): Promise<FaceExtraction> {
    const r = await this.pipeline.analyse(image, purpose === 'enrol' ? 'enrol' : 'check', { policy: opts.policy ?? DEFAULT_QUALITY_POLICY });
    return { embedding: r.embedding, quality: qualityReport(r), timings: r.timings };
  }

  async displayCrop(image: Uint8Array): Promise<Uint8Array> {
    const crop = await this.pipeline.displayCrop(image);
    return sharp(Buffer.from(crop.data.buffer, crop.data.byteOffset, crop.data.byteLength), { raw: { width: crop.width, height: crop.height, channels: 3 } }).png().toBuffer();
  }

  compare(a: Float32Array, b: Float32Array): { raw: number; score: number } {
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
    return { raw: dot, score: this.calibrate(dot) };
  }

  async close(): Promise<void> {
    await this.pools.close();
  }
}
