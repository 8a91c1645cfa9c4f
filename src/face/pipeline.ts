// One face image → quality-checked, aligned, embedded face: decode, detect (padded, letterboxed),
// locate landmarks, measure quality, align to the embedder's template, embed (L2-normalised).
// Every model runs through the batched worker pools; this file only prepares tensors and decodes outputs.
import { AppError } from '../errors.ts';
import type { ModelDescriptor } from '../runtime/index.ts';
import type { InferencePool, InferencePools } from '../runtime/index.ts';
import { alignFace, cropAndResize, cropPointToImage, scaleTemplate, toTensor } from './align.ts';
import { decodeImage } from '../ingest/image/decode.ts';
import { faceView, sharpenedView } from './degraded.ts';
import { decodeBlazeface, type BlazefaceConfig } from './detect/blazeface-decode.ts';
import { suppressOverlaps, tileFrames } from './detect/second-pass.ts';
import { decodeSsd } from './detect/ssd-decode.ts';
import type { DecodeLimits, QualityThresholds, Template5 } from './frontend-config.ts';
import { mirrorRgb, type Box, type Point, type RgbImage } from './image.ts';
import { inputSize, tensorSpec } from './model-input.ts';
import { padDecision, padThreshold, realFaceScore, type PresentationAttack } from './pad.ts';
import { PIPELINE } from './pipeline-config.ts';
import type { QualityPolicy } from '../quality-policy.ts';
import { assessFaceQuality, checkQuality, type DetectedFace, type FaceQuality, type QualityVerdict } from './quality.ts';

export interface AnalysedFace {
  embedding: Float32Array;
  quality: FaceQuality;
  /** What falls short of the profile's thresholds, as messages a caller can act on (empty when none). */
  warnings: QualityVerdict['reasons'];
  /** Presentation-attack detection, when a model serves the `pad` role. */
  pad?: PresentationAttack;
  face: DetectedFace;
  timings: Record<string, number>;
}


function l2normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  return v.map((x) => x * inv);
}

const mean = (pts: Point[]): Point => ({ x: pts.reduce((s, p) => s + p.x, 0) / pts.length, y: pts.reduce((s, p) => s + p.y, 0) / pts.length });

export class FacePipeline {
  private readonly detector: InferencePool;
  private readonly detectorDesc: ModelDescriptor;
  private readonly landmarks?: { pool: InferencePool; desc: ModelDescriptor };
  private readonly embedder: InferencePool;
  private readonly embedderDesc: ModelDescriptor;
  private readonly template: Template5;
  private readonly pad?: { pool: InferencePool; desc: ModelDescriptor; threshold: number };

  constructor(pools: InferencePools, private readonly limits: Partial<DecodeLimits>, private readonly thresholds: { enrol: QualityThresholds; check: QualityThresholds },
    /** Alignment template when the embedder's manifest entry has none. */
    templateOverride?: Template5,
    /** Real-face score below which a face is called an attack (default: the PAD model's calibration). */
    padThresholdOverride?: number) {
    this.detector = pools.get('detector');
    this.embedder = pools.get('embedder');
    this.detectorDesc = pools.registry.roles.detector!;
    this.embedderDesc = pools.registry.roles.embedder!;
    if (pools.has('landmarks') && pools.registry.roles.landmarks?.extra.fivePointFrom68) {
      this.landmarks = { pool: pools.get('landmarks'), desc: pools.registry.roles.landmarks };
    }
    if (pools.has('pad')) {
      const desc = pools.registry.roles.pad!;
      this.pad = { pool: pools.get('pad'), desc, threshold: padThreshold(desc.id, padThresholdOverride) };
    }
    // Manifest entries state { size: 150, fivePointTemplate }, BYO configs { size: [w, h], points }.
    const a = this.embedderDesc.extra.alignment as { size?: number | [number, number]; fivePointTemplate?: [number, number][]; points?: [number, number][] } | undefined;
    const [w, h] = inputSize(this.embedderDesc);
    const points = a?.fivePointTemplate ?? a?.points;
    const size: [number, number] = Array.isArray(a?.size) ? a.size : typeof a?.size === 'number' ? [a.size, a.size] : [w, h];
    if (templateOverride) this.template = templateOverride;
    else if (points?.length === 5) this.template = scaleTemplate({ size, points }, [w, h]);
    else throw new Error(`embedder ${this.embedderDesc.id} declares no 5-point alignment template`);
  }

  get embedderId(): string { return this.embedderDesc.id; }
  get embedderModel(): ModelDescriptor { return this.embedderDesc; }

  /** The embedder's output width, measured by one inference: a BYO configuration need not state it. */
  async embeddingWidth(): Promise<number> {
    const [w, h] = inputSize(this.embedderDesc);
    const grey = { width: w, height: h, channels: 3 as const, data: new Uint8Array(w * h * 3).fill(128) };
    const out = await this.embedder.infer(toTensor(grey, tensorSpec(this.embedderDesc)));
    return (out[this.embedderDesc.outputs[0]?.name ?? ''] ?? Object.values(out)[0]).length;
  }

  /** Finds faces: the frame padded and letterboxed to the detector's square input. Where that finds no sure
   *  face, a large frame is searched again in tiles (detect/second-pass.ts). */
  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const side = Math.max(image.width, image.height) * (1 + 2 * PIPELINE.detectPadFraction);
    const first = await this.detectIn(image, { x: image.width / 2 - side / 2, y: image.height / 2 - side / 2, width: side, height: side });
    const sure = (fs: DetectedFace[]) => fs.filter((f) => f.score >= PIPELINE.minDetectionScore);
    if (sure(first).length) return sure(first);
    const found = [...first];
    for (const tile of tileFrames(image, inputSize(this.detectorDesc))) found.push(...await this.detectIn(image, tile));
    const merged = suppressOverlaps(found);
    return sure(merged).length ? sure(merged) : merged.slice(0, 1);
  }

  /** Every detection down to the fallback confidence in one square `frame` of `image` (edge coordinates;
   *  beyond the image is padding), in image pixels, best first. */
  private async detectIn(image: RgbImage, frame: Box): Promise<DetectedFace[]> {
    const [dw, dh] = inputSize(this.detectorDesc);
    const crop = cropAndResize(image, frame, [dw, dh], 0);
    const out = await this.detector.infer(toTensor(crop, tensorSpec(this.detectorDesc)));
    const extra = this.detectorDesc.extra;
    let found: { box: Box; score: number; keypoints?: Point[] }[];
    if (extra.decoder === 'blazeface') {
      const cfg = { ...(extra as unknown as BlazefaceConfig), inputSize: dw };
      const outputs = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v, dims: [1, ...(this.detectorDesc.outputs.find((o) => o.name === k)?.shape.slice(1) ?? [v.length])] }]));
      found = decodeBlazeface(outputs, dw, { config: cfg, scoreThreshold: PIPELINE.fallbackDetectionScore, maxDetections: PIPELINE.maxFaces * 2 })
        .map((d) => ({ box: { x: d.box[0], y: d.box[1], width: d.box[2], height: d.box[3] }, score: d.score, keypoints: d.keypoints }));
    } else if (extra.boxDecodingInGraph) {
      found = decodeSsd(out.boxes, out.scores, { width: dw, height: dh }, { minConfidence: PIPELINE.fallbackDetectionScore, iouThreshold: 0.4, maxResults: PIPELINE.maxFaces * 2 });
    } else {
      throw new Error(`detector ${this.detectorDesc.id}: no decoder for its outputs`);
    }
    // Back from detector input pixels to image pixels.
    const map = (p: Point) => cropPointToImage(crop, p);
    return found.sort((a, b) => b.score - a.score).map((f) => {
      const tl = map({ x: f.box.x, y: f.box.y });
      const br = map({ x: f.box.x + f.box.width, y: f.box.y + f.box.height });
      const kp = (f.keypoints ?? []).map(map);
      return { box: { x: tl.x, y: tl.y, width: br.x - tl.x, height: br.y - tl.y }, score: f.score, landmarks5: kp };
    }).filter((f) => f.box.width > 4 && f.box.height > 4);
  }

  /** All points of the landmark net (68, iBUG order) in image pixels. */
  async landmarkPoints(image: RgbImage, box: Box): Promise<Point[] | null> {
    if (!this.landmarks) return null;
    const { pool, desc } = this.landmarks;
    const crop = cropAndResize(image, box, inputSize(desc), PIPELINE.landmarkPadFraction);
    const out = await pool.infer(toTensor(crop, tensorSpec(desc)));
    const flat = Object.values(out)[0];
    const pts: Point[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pts.push(cropPointToImage(crop, { x: flat[i] * crop.width, y: flat[i + 1] * crop.height }));
    return pts;
  }

  /** Five points (image-left eye, image-right eye, nose tip, mouth corners) from the 68-point net. */
  async landmarks5(image: RgbImage, box: Box): Promise<Point[] | null> {
    const pts = await this.landmarkPoints(image, box);
    if (!pts) return null;
    const idx = this.landmarks!.desc.extra.fivePointFrom68 as Record<'leftEye' | 'rightEye' | 'nose' | 'mouthLeft' | 'mouthRight', number[]>;
    return (['leftEye', 'rightEye', 'nose', 'mouthLeft', 'mouthRight'] as const).map((k) => mean(idx[k].map((i) => pts[i])));
  }

  /** The embedder's L2-normalised output for an aligned face; with PIPELINE.flipAverage, the mean of the
   *  face's and its mirror image's embeddings (both run in one batch through the pool). */
  async embed(aligned: RgbImage): Promise<Float32Array> {
    const name = this.embedderDesc.outputs[0]?.name;
    const run = async (img: RgbImage) => { const out = await this.embedder.infer(toTensor(img, tensorSpec(this.embedderDesc))); return l2normalise((name ? out[name] : undefined) ?? Object.values(out)[0]); };
    if (!PIPELINE.flipAverage) return run(aligned);
    const [a, b] = await Promise.all([run(aligned), run(mirrorRgb(aligned))]);
    return l2normalise(a.map((x, i) => x + b[i]));
  }

  /** The presentation-attack decision for the face, when a model serves the `pad` role. */
  async presentationAttack(image: RgbImage, box: Box): Promise<PresentationAttack | undefined> {
    if (!this.pad) return undefined;
    return padDecision(await realFaceScore(this.pad.pool, this.pad.desc, image, box), this.pad.threshold);
  }

  /** The largest face aligned for an examiner to compare by eye: every crop puts the eyes at the same place and
   *  distance (PIPELINE.display*), wider than the embedder's crop so the whole head shows. No quality gate. */
  async displayCrop(bytes: Uint8Array): Promise<RgbImage> {
    const image = await decodeImage(bytes, this.limits);
    const faces = await this.detect(image);
    if (!faces.length) throw new AppError('FACE_NOT_FOUND', 'no face was found in the image');
    faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    const main = faces[0];
    const lm = (await this.landmarks5(image, main.box)) ?? main.landmarks5.slice(0, 2);
    if (lm.length < 2) throw new AppError('FACE_NOT_FOUND', 'the face\'s landmarks could not be located');
    const [w, h] = PIPELINE.displaySize;
    const t = this.template.points;
    const eyes = { x: (t[0][0] + t[1][0]) / 2, y: (t[0][1] + t[1][1]) / 2 };
    const k = (PIPELINE.displayEyeShare * w) / Math.hypot(t[1][0] - t[0][0], t[1][1] - t[0][1]);
    const display: Template5 = { size: [w, h], points: t.map(([x, y]) => [w / 2 + (x - eyes.x) * k, PIPELINE.displayEyeHeight * h + (y - eyes.y) * k]) };
    return alignFace(image, lm, display);
  }

  /**
   * The whole front end for one image. Under the default policy ("inform") any image with a detectable
   * face is used (the largest face when there are several) and what falls short of the profile's
   * thresholds comes back as warnings; under "strict" it throws AppError with the reasons.
   */
  async analyse(bytes: Uint8Array, profile: 'enrol' | 'check', opts: { policy?: QualityPolicy } = {}): Promise<AnalysedFace> {
    const strict = opts.policy === 'strict';
    const timings: Record<string, number> = {};
    let t = performance.now();
    const lap = (name: string) => { const now = performance.now(); timings[name] = +(now - t).toFixed(2); t = now; };
    const image = await decodeImage(bytes, this.limits);
    lap('decode');
    const faces = await this.detect(image);
    lap('detect');
    const thresholds = this.thresholds[profile];
    if (!faces.length) {
      throw new AppError('FACE_NOT_FOUND', 'no face was found in the image', { quality: { reasons: [{ code: 'NO_FACE', message: 'no face was found in the image' }] } });
    }
    faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    const main = faces[0];
    // A small face is located and aligned on a Lanczos-upscaled region around it (degraded.ts); the
    // quality report keeps measuring the capture as it came.
    let view = await faceView(image, main.box);
    const lm = (await this.landmarks5(view.image, view.boxToView(main.box)))?.map(view.toImage);
    if (lm) main.landmarks5 = lm;
    else if (main.landmarks5.length >= 2) main.landmarks5 = main.landmarks5.slice(0, 2);
    else throw new AppError('FACE_NOT_FOUND', 'the face\'s landmarks could not be located');
    lap('landmarks');
    const quality = assessFaceQuality(image, main, faces, thresholds);
    const verdict = checkQuality(quality, thresholds);
    lap('quality');
    if (!verdict.ok && strict) {
      const code = verdict.reasons.some((r) => r.code === 'MULTIPLE_FACES') && verdict.reasons.length === 1 ? 'FACE_MULTIPLE' : 'FACE_QUALITY_TOO_LOW';
      throw new AppError(code, `the capture does not meet the ${profile} quality thresholds: ${verdict.reasons.map((r) => r.code).join(', ')}`,
        { quality: { ...quality, reasons: verdict.reasons } });
    }
    const warnings = verdict.reasons.map((r) => r.code === 'MULTIPLE_FACES'
      ? { code: r.code, message: `${quality.faceCount} faces in view: the largest was used` } : r);
    const pad = await this.presentationAttack(image, main.box);
    lap('pad');
    // Only a live capture under the strict policy is refused as an attack; enrolment never is.
    if (pad?.attack && strict && profile !== 'enrol') {
      throw new AppError('PRESENTATION_ATTACK', 'the capture looks like a presentation attack (a printed photo or a screen): present a live face',
        { quality: { ...quality, presentationAttack: pad } });
    }
    // A blurred face is sharpened for the embedder only (the measures above saw it as it came).
    view = await sharpenedView(image, view, main.box, quality.sharpness);
    const aligned = alignFace(view.image, (main.landmarks5.length === 5 ? main.landmarks5 : main.landmarks5.slice(0, 2)).map(view.toView), this.template);
    lap('align');
    const embedding = await this.embed(aligned);
    lap('embed');
    return { embedding, quality, warnings, face: main, timings, pad };
  }
}
