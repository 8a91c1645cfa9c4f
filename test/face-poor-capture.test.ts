// Poor captures: a second detection pass in tiles of a large frame, small faces seen upscaled and blurred
// ones sharpened before the embedder, and the unchanged fast path for an ordinary photo. Real models on real faces (face-api's demo photos).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { faceView, sharpenedView } from '../src/face/degraded.ts';
import { suppressOverlaps, tileFrames } from '../src/face/detect/second-pass.ts';
import { loadQualityThresholds } from '../src/face/frontend-config.ts';
import type { RgbImage } from '../src/face/image.ts';
import { DEFAULT_FACE_ROLES } from '../src/face/modality.ts';
import { PIPELINE, POOR_CAPTURE, SECOND_PASS } from '../src/face/pipeline-config.ts';
import { FacePipeline } from '../src/face/pipeline.ts';
import type { DetectedFace } from '../src/face/quality.ts';
import { createInferencePools, type InferencePools } from '../src/runtime/index.ts';
import { faceFixture } from './lib/faces.ts';

const flat = (w: number, h: number, v: number): RgbImage => ({ width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3).fill(v) });
const ramp = (w: number, h: number, max: number): RgbImage => {
  const img = flat(w, h, 0);
  for (let i = 0; i < w * h; i++) img.data.fill(Math.round((max * (i % w)) / (w - 1)), 3 * i, 3 * i + 3);
  return img;
};
const face = (x: number, y: number, w: number, score: number): DetectedFace => ({ box: { x, y, width: w, height: w }, score, landmarks5: [] });

describe('second detection passes', () => {
  it('tiles no frame of a few detector inputs, and cover every pixel of a large one', () => {
    expect(tileFrames({ width: 700, height: 500 }, [256, 256])).toEqual([]);
    const tiles = tileFrames({ width: 3000, height: 1700 }, [256, 256]);
    expect(tiles.length).toBeGreaterThan(1);
    expect(tiles.length).toBeLessThanOrEqual((SECOND_PASS.maxTilesPerSide + 1) ** 2);
    for (let y = 0; y < 1700; y += 37) for (let x = 0; x < 3000; x += 41) {
      expect(tiles.some((t) => x >= t.x && x < t.x + t.width && y >= t.y && y < t.y + t.height)).toBe(true);
    }
    // Tiles are square and show a face at least twice as large as the whole frame does.
    for (const t of tiles) expect(t.width).toBe(t.height);
    expect(Math.max(...tiles.map((t) => t.width))).toBeLessThanOrEqual(3000 * 1.5 / 2);
  });

  it('keeps the best of overlapping detections and every separate one', () => {
    const kept = suppressOverlaps([face(0, 0, 20, 0.4), face(1, 1, 20, 0.8), face(100, 100, 20, 0.3)]);
    expect(kept.map((f) => f.score)).toEqual([0.8, 0.3]);
  });
});

describe('the view a small or blurred face is located and aligned on', () => {
  it('is the image itself for a face of ordinary size', async () => {
    const img = flat(200, 200, 100);
    const v = await faceView(img, { x: 50, y: 50, width: POOR_CAPTURE.smallFaceWidthPx, height: 50 });
    expect(v.image).toBe(img);
    expect(v.scale).toBe(1);
    expect(await sharpenedView(img, v, { x: 50, y: 50, width: 60, height: 60 }, 0.3)).toBe(v);
  });

  it('upscales the region around a small face, with coordinates that map back and forth', async () => {
    const img = ramp(60, 60, 200);
    const box = { x: 20, y: 22, width: 16, height: 16 };
    const v = await faceView(img, box);
    expect(v.scale).toBeCloseTo(POOR_CAPTURE.upscaleToWidthPx / 16, 1);
    expect(v.boxToView(box).width).toBeCloseTo(POOR_CAPTURE.upscaleToWidthPx, 0);
    for (const p of [{ x: 20, y: 22 }, { x: 30.5, y: 29.25 }]) {
      const back = v.toImage(v.toView(p));
      expect(back.x).toBeCloseTo(p.x, 6);
      expect(back.y).toBeCloseTo(p.y, 6);
    }
    // Box edges and pixel centres agree: the edge at x is the centre coordinate x - 0.5, in both frames.
    expect(v.toView({ x: box.x - 0.5, y: box.y - 0.5 }).x + 0.5).toBeCloseTo(v.boxToView(box).x, 6);
    // Same content: the ramp's value at an image pixel is the view's value at its mapped place.
    const p = v.toView({ x: 28, y: 30 });
    expect(Math.abs(v.image.data[3 * (Math.round(p.y) * v.image.width + Math.round(p.x))] - img.data[3 * (30 * 60 + 28)])).toBeLessThanOrEqual(4);
  });

  it('sharpens a blurred face only, in a region around it', async () => {
    const img = ramp(200, 200, 255);
    const box = { x: 70, y: 70, width: 60, height: 60 };
    const v = await faceView(img, box);
    const s = await sharpenedView(img, v, box, POOR_CAPTURE.sharpenBelowSharpness - 0.01);
    expect(s.image).not.toBe(img);
    expect(s.image.width).toBeLessThan(200 + 1);
    expect(s.image.width).toBeGreaterThanOrEqual(Math.floor(60 * POOR_CAPTURE.regionScale) - 1);
  });
});

describe('poor captures through the pipeline (real models)', () => {
  let pools: InferencePools;
  let pipe: FacePipeline;
  let detectorCalls = 0;
  const own: Float32Array[] = [];
  const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
  /** The probe's embedding is nearer its own person's than every other fixture's. */
  const identifies = (e: Float32Array, i: number) => own.every((o, j) => j === i || cos(e, own[i]) > cos(e, o));

  beforeAll(async () => {
    pools = await createInferencePools({ config: { roles: { ...DEFAULT_FACE_ROLES } } }, { roles: ['detector', 'landmarks', 'embedder'], logger: { info() {}, warn() {}, error() {} }, workers: 1 });
    const detector = pools.get('detector');
    const infer = detector.infer.bind(detector);
    detector.infer = (...a: Parameters<typeof infer>) => { detectorCalls++; return infer(...a); };
    pipe = new FacePipeline(pools, {}, loadQualityThresholds());
    for (const i of [0, 4, 8, 10]) own.push((await pipe.analyse(await faceFixture(i), 'check')).embedding);
  }, 180_000);
  afterAll(async () => { await pools?.close(); });

  it('takes an ordinary photo through one detector pass, no upscale and no sharpening', async () => {
    detectorCalls = 0;
    const r = await pipe.analyse(await faceFixture(0), 'check');
    expect(detectorCalls).toBe(1);
    expect(r.face.score).toBeGreaterThanOrEqual(PIPELINE.minDetectionScore);
    expect(r.face.box.width).toBeGreaterThanOrEqual(POOR_CAPTURE.smallFaceWidthPx);
    expect(r.quality.sharpness).toBeGreaterThanOrEqual(POOR_CAPTURE.sharpenBelowSharpness);
    expect(cos(r.embedding, own[0])).toBeCloseTo(1, 6);
  });

  it('finds a 50 px face in a 3000 px frame through the tiles, and it is the same person', async () => {
    const small = await sharp(await faceFixture(4)).resize({ width: 110 }).png().toBuffer();
    const frame = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 120, g: 120, b: 120 } } })
      .composite([{ input: small, left: 2100, top: 1300 }]).png().toBuffer();
    detectorCalls = 0;
    const r = await pipe.analyse(frame, 'check');
    expect(detectorCalls).toBeGreaterThan(1);
    expect(r.face.box.x).toBeGreaterThan(2100);
    expect(r.face.box.y).toBeGreaterThan(1300);
    expect(r.face.box.x + r.face.box.width).toBeLessThan(2210);
    expect(identifies(r.embedding, 1)).toBe(true);
  }, 60_000);

  it('identifies small (about 20 px) and blurred faces, which the quality report flags', async () => {
    for (const [k, i] of [0, 4, 8, 10].entries()) {
      const tiny = await sharp(await faceFixture(i)).resize({ width: 48, kernel: 'lanczos3' }).png().toBuffer();
      const r = await pipe.analyse(tiny, 'check');
      expect(r.face.box.width).toBeLessThan(POOR_CAPTURE.smallFaceWidthPx);
      expect(r.quality.reasons).toContain('FACE_TOO_SMALL');
      expect(identifies(r.embedding, k)).toBe(true);
      const src = await faceFixture(i);
      const w = (await sharp(src).metadata()).width!;
      const blurred = await sharp(src).blur(0.015 * w).png().toBuffer();
      const b = await pipe.analyse(blurred, 'check');
      expect(b.quality.sharpness).toBeLessThan(POOR_CAPTURE.sharpenBelowSharpness);
      expect(identifies(b.embedding, k)).toBe(true);
    }
  }, 120_000);
});
