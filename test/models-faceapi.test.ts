// Parity of our ONNX conversions of face-api's networks with face-api's own tfjs code
// (WASM backend), on real faces: the packages' sample photos and ORL when present.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { buildDlibResnet } from '../models/convert/faceapi/dlib-resnet.ts';
import { buildLandmark68 } from '../models/convert/faceapi/landmark68.ts';
import { buildSsdMobilenetv1, SSD_ANCHORS } from '../models/convert/faceapi/ssd-mobilenetv1.ts';
import { buildTinyFaceDetector, TINY_IOU_THRESHOLD } from '../models/convert/faceapi/tiny-face-detector.ts';
import { batchItem, decodeSsd, type Box } from '../src/face/detect/ssd-decode.ts';
import {
  FaceApiReference, faceApiDir, orlCrops, orlDir, sampleFaceCrops, samplePhotoSquare, SAMPLE_PHOTOS, type ImageBatch,
} from './lib/faceapi-reference.ts';

const session = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 2 });
const nhwc = (b: ImageBatch) => new ort.Tensor('float32', b.data, [b.n, b.height, b.width, 3]);

function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0; let na = 0; let nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return d / Math.sqrt(na * nb);
}
const row = (x: Float32Array, i: number, width: number) => x.subarray(i * width, (i + 1) * width);

let ref: FaceApiReference;
beforeAll(async () => { ref = await FaceApiReference.load('wasm', ['dlib', 'landmark68', 'ssd', 'tiny']); });

describe('faceapi-dlib-resnet (face descriptor)', () => {
  let model: ort.InferenceSession;
  beforeAll(async () => { model = await session(buildDlibResnet(faceApiDir)); });

  async function compare(batch: ImageBatch) {
    const ours = (await model.run({ input: nhwc(batch) })).descriptor.data as Float32Array;
    const theirs = await ref.descriptors(batch);
    expect(ours.length).toBe(batch.n * 128);
    for (let i = 0; i < batch.n; i++) {
      const a = row(ours, i, 128); const b = row(theirs, i, 128);
      expect(cosine(a, b)).toBeGreaterThan(0.99999);
      // Absolute agreement too: dlib compares descriptors by Euclidean distance (threshold 0.6).
      expect(Math.hypot(...a.map((v, k) => v - b[k]))).toBeLessThan(1e-3);
    }
    return ours;
  }

  it('matches face-api on face crops from the sample photos, batched', async () => {
    const batch = await sampleFaceCrops(150);
    const ours = await compare(batch);
    // The batch dimension is symbolic: one image alone gives the same descriptor.
    const one = { ...batch, n: 1, data: batch.data.subarray(0, 150 * 150 * 3) };
    const single = (await model.run({ input: nhwc(one) })).descriptor.data as Float32Array;
    expect(cosine(single, row(ours, 0, 128))).toBeGreaterThan(0.999999);
    // Distinct people give distinct descriptors (a broken graph tends to collapse them).
    expect(Math.hypot(...row(ours, 0, 128).map((v, k) => v - ours[128 + k]))).toBeGreaterThan(0.3);
  });

  it.skipIf(!orlDir())('matches face-api on ORL faces (skips when ../shared/data/faces/orl is absent)', async () => {
    const { batch } = await orlCrops(150, 4, 2);
    await compare(batch);
  });
});

describe('faceapi-landmark68 (68 landmarks)', () => {
  let model: ort.InferenceSession;
  beforeAll(async () => { model = await session(buildLandmark68(faceApiDir)); });

  async function compare(batch: ImageBatch) {
    const ours = (await model.run({ input: nhwc(batch) })).landmarks.data as Float32Array;
    const theirs = await ref.landmarks(batch);
    expect(ours.length).toBe(batch.n * 136);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) * 112);
    // Within 1 px at the model's input scale (aim: far below).
    expect(worst).toBeLessThan(0.01);
    return ours;
  }

  it('matches face-api on face crops from the sample photos, batched', async () => {
    const ours = await compare(await sampleFaceCrops(112));
    // The points are a face: the image-left eye (36..41) lies left of the image-right eye (42..47), above the mouth (48..67).
    for (let i = 0; i < ours.length / 136; i++) {
      const p = row(ours, i, 136);
      const mean = (from: number, to: number, axis: 0 | 1) => {
        let s = 0; for (let k = from; k <= to; k++) s += p[2 * k + axis]; return s / (to - from + 1);
      };
      expect(mean(36, 41, 0)).toBeLessThan(mean(42, 47, 0));
      expect(mean(36, 47, 1)).toBeLessThan(mean(48, 67, 1));
    }
  });

  it.skipIf(!orlDir())('matches face-api on ORL faces (skips when ../shared/data/faces/orl is absent)', async () => {
    await compare((await orlCrops(112, 4, 2)).batch);
  });
});

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

/** Same detections in the same order: IoU >= 0.95 and scores within 1e-4. */
function expectSameDetections(ours: { score: number; box: Box }[], theirs: ({ score: number } & Box)[]) {
  expect(theirs.length).toBeGreaterThan(0);
  expect(ours.length).toBe(theirs.length);
  ours.forEach((d, i) => {
    expect(iou(d.box, theirs[i])).toBeGreaterThan(0.95);
    expect(Math.abs(d.score - theirs[i].score)).toBeLessThan(1e-4);
  });
}

describe('faceapi-ssd-mobilenetv1 (face detector)', () => {
  let model: ort.InferenceSession;
  beforeAll(async () => { model = await session(buildSsdMobilenetv1(faceApiDir)); });

  it('gives face-api\'s raw boxes and scores for every anchor, batched', async () => {
    const photos = await Promise.all(SAMPLE_PHOTOS.slice(0, 2).map((f) => samplePhotoSquare(f, 512)));
    const batch: ImageBatch = { n: 2, height: 512, width: 512, data: new Float32Array(2 * 512 * 512 * 3) };
    photos.forEach((p, i) => batch.data.set(p.batch.data, i * 512 * 512 * 3));
    const out = await model.run({ input: nhwc(batch) });
    expect(out.boxes.dims).toEqual([2, SSD_ANCHORS, 4]);
    expect(out.scores.dims).toEqual([2, SSD_ANCHORS]);
    const theirs = await ref.ssd(batch);
    const boxes = out.boxes.data as Float32Array; const scores = out.scores.data as Float32Array;
    let worstBox = 0; let worstScore = 0;
    for (let i = 0; i < boxes.length; i++) worstBox = Math.max(worstBox, Math.abs(boxes[i] - theirs.boxes[i]));
    for (let i = 0; i < scores.length; i++) worstScore = Math.max(worstScore, Math.abs(scores[i] - theirs.scores[i]));
    expect(worstBox * 512).toBeLessThan(0.01); // pixels at the input scale
    expect(worstScore).toBeLessThan(1e-4);
  });

  // The group photos (up to ~70 faces); the single-portrait screenshots add little.
  it.each(SAMPLE_PHOTOS.filter((f) => f !== 'screenshot-faceid.jpg' && f !== 'screenshot-vrm.jpg'))('finds the faces face-api finds, in the same order, in %s', async (file) => {
    const { batch } = await samplePhotoSquare(file, 512);
    const out = await model.run({ input: nhwc(batch) });
    const { boxes, scores } = batchItem(out.boxes.data as Float32Array, out.scores.data as Float32Array, SSD_ANCHORS, 0);
    const ours = decodeSsd(boxes, scores, { width: 512, height: 512 });
    expectSameDetections(ours, await ref.detectSsd(batch));
  });
});

describe('faceapi-tiny-face-detector (face detector)', () => {
  let model: ort.InferenceSession;
  beforeAll(async () => { model = await session(buildTinyFaceDetector(faceApiDir)); });

  // samples.jpg's faces are too small for this detector at 416: face-api finds none there.
  it.each(['screenshot-faceid.jpg', 'screenshot-facedetect.jpg', 'screenshot-facematch.jpg'])('finds the faces face-api finds, in the same order, in %s', async (file) => {
    const { batch } = await samplePhotoSquare(file, 416);
    const out = await model.run({ input: nhwc(batch) });
    expect(out.boxes.dims).toEqual([1, 845, 4]);
    const ours = decodeSsd(out.boxes.data as Float32Array, out.scores.data as Float32Array, { width: 416, height: 416 },
      { minConfidence: 0.5, iouThreshold: TINY_IOU_THRESHOLD, maxResults: 845 });
    expectSameDetections(ours, await ref.detectTiny(batch));
  });
});
