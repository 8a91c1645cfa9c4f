// Parity of the converted @vladmandic/human face models with the same model.json and weights
// run by tfjs, on real face images: raw outputs, decoded detections, embeddings.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import specs, { blazefaceExtra } from '../models/specs/human.ts';
import type { ModelSpec } from '../models/spec.ts';
import { blazefaceAnchors, decodeBlazeface, iou, type Detection } from '../src/face/detect/blazeface-decode.ts';
import {
  graphModelParts, loadReferenceModel, readPgm, referenceBlazefaceDecode, runReference, type Tensorish,
} from './lib/tfjs-graph-reference.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.BIOCHECK_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const humanDir = path.join(repoRoot, 'node_modules', '@vladmandic', 'human');

interface Rgb { data: Buffer; width: number; height: number }

async function decode(file: string, padFraction = 0): Promise<Rgb> {
  let img: Sharp;
  if (file.endsWith('.pgm')) {
    const g = readPgm(file);
    img = sharp(g.data, { raw: { width: g.width, height: g.height, channels: 1 } }).toColourspace('srgb');
  } else {
    img = sharp(file).removeAlpha().toColourspace('srgb');
  }
  if (padFraction > 0) {
    // Pad by edge replication: ORL crops are tight, the detector wants context around the face.
    const { info, data } = await img.raw().toBuffer({ resolveWithObject: true });
    const p = Math.round(Math.max(info.width, info.height) * padFraction);
    img = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .extend({ top: p, bottom: p, left: p, right: p, extendWith: 'copy' });
  }
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: ${info.channels} channels`);
  return { data, width: info.width, height: info.height };
}

/** Square region [x, y, side] of an image (grey outside) resized to size x size, normalised per spec. */
async function cropInput(img: Rgb, region: [number, number, number], spec: ModelSpec, size: number): Promise<Float32Array> {
  const [x, y, side] = region.map(Math.round);
  const pad = { top: Math.max(0, -y), left: Math.max(0, -x), bottom: Math.max(0, y + side - img.height), right: Math.max(0, x + side - img.width) };
  // sharp runs extract before extend within one pipeline: pad first, then cut.
  const padded = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extend({ ...pad, background: { r: 128, g: 128, b: 128 } }).raw().toBuffer({ resolveWithObject: true });
  const raw = await sharp(padded.data, { raw: { width: padded.info.width, height: padded.info.height, channels: 3 } })
    .extract({ left: x + pad.left, top: y + pad.top, width: side, height: side })
    .resize(size, size, { kernel: 'linear' }).raw().toBuffer();
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = (raw[i] - spec.input.mean[i % 3]) / spec.input.std[i % 3];
  return out;
}

const wholeImage = (img: Rgb): [number, number, number] => {
  const side = Math.max(img.width, img.height);
  return [(img.width - side) / 2, (img.height - side) / 2, side];
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}
function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

const spec = (id: string) => specs.find((s) => s.id === id)!;
const files = (id: string) => spec(id).source.files[0].replace(/^models\//, '').replace(/\.json$/, '');

interface Pair { onnx: ort.InferenceSession; ref: Awaited<ReturnType<typeof loadReferenceModel>>; spec: ModelSpec; outputs: string[] }
const pairs: Record<string, Pair> = {};

/** TF tensor names behind each ONNX output, as the spec's build maps them. */
const TF_OUTPUTS: Record<string, string[]> = {
  'human-blazeface': ['Identity', 'Identity_1', 'Identity_2', 'Identity_3'],
  'human-faceres': ['global_pooling/Mean', 'gender_pred/Sigmoid', 'age_pred/Softmax'],
  'human-antispoof': ['Identity'],
  'human-liveness': ['Identity'],
  'human-facemesh': ['Identity_2', 'Identity_1', 'Identity'],
};

async function runBoth(id: string, input: Float32Array) {
  const p = pairs[id];
  const size = p.spec.input.shape[1];
  const shape = [1, size, size, 3];
  const res = await p.onnx.run({ [p.spec.input.name]: new ort.Tensor('float32', input, shape) });
  const ref = await runReference(p.ref, { data: input, shape }, TF_OUTPUTS[id]);
  return { onnx: Object.fromEntries(p.spec.outputs.map((o) => [o.name, res[o.name]])), ref };
}

/** Human's decoding input: [scores | regressors] rows in anchor order, from the tfjs outputs. */
function referenceRows(ref: Tensorish[]): Tensorish {
  const [s16, s32, r16, r32] = ref;
  const rows = new Float32Array(896 * 17);
  const put = (s: Tensorish, r: Tensorish, offset: number, n: number) => {
    for (let i = 0; i < n; i++) { rows[(offset + i) * 17] = s.data[i]; rows.set(r.data.subarray(i * 16, i * 16 + 16), (offset + i) * 17 + 1); }
  };
  put(s16, r16, 0, 512);
  put(s32, r32, 512, 384);
  return { data: rows, shape: [896, 17] };
}

const images: { name: string; file: string; pad: number }[] = ['samples.jpg', 'screenshot-faceid.jpg', 'screenshot-facematch.jpg', 'screenshot-facedetect.jpg']
  .map((f) => ({ name: f, file: path.join(humanDir, 'assets', f), pad: 0 }));
const orlDir = path.join(shared, 'faces', 'orl');
const haveOrl = existsSync(orlDir);
if (haveOrl) {
  for (const s of readdirSync(orlDir).filter((d) => /^s\d+$/.test(d)).slice(0, 4)) images.push({ name: `orl/${s}/1.pgm`, file: path.join(orlDir, s, '1.pgm'), pad: 0.5 });
} else {
  console.warn(`[models-human] ${orlDir} not present: ORL images skipped, human's sample images only`);
}

describe('human face models: ONNX vs tfjs', () => {
  const detections: { img: Rgb; name: string; dets: Detection[] }[] = [];

  beforeAll(async () => {
    for (const s of specs) {
      pairs[s.id] = {
        spec: s, outputs: s.outputs.map((o) => o.name),
        onnx: await ort.InferenceSession.create(await s.build(humanDir)),
        ref: await loadReferenceModel(graphModelParts(path.join(humanDir, 'models', `${files(s.id)}.json`))),
      };
    }
  });

  it('blazeface: raw outputs agree and decoded detections match human\'s decoding on real faces', async () => {
    const opts = { scoreThreshold: 0.2, iouThreshold: 0.1, maxDetections: 20 };
    const anchors = blazefaceAnchors(256, blazefaceExtra.anchors);
    const anchorPairs = Array.from({ length: anchors.length / 2 }, (_, i) => [anchors[2 * i], anchors[2 * i + 1]] as [number, number]);
    let total = 0;
    for (const im of images) {
      const img = await decode(im.file, im.pad);
      const input = await cropInput(img, wholeImage(img), spec('human-blazeface'), 256);
      const { onnx, ref } = await runBoth('human-blazeface', input);
      spec('human-blazeface').outputs.forEach((o, i) => {
        expect([...onnx[o.name].dims]).toEqual(ref[i].shape);
        expect(maxAbsDiff(onnx[o.name].data as Float32Array, ref[i].data), `${im.name} ${o.name}`).toBeLessThan(2e-3);
      });
      const mine = decodeBlazeface(onnx as never, 256, { config: blazefaceExtra, ...opts });
      const theirs = await referenceBlazefaceDecode(referenceRows(ref), anchorPairs, 6, opts);
      expect(mine.length, im.name).toBe(theirs.length);
      mine.forEach((d, k) => {
        const t = theirs[k];
        const toCorners = (b: number[]) => [b[0], b[1], b[0] + b[2], b[1] + b[3]];
        expect(iou(toCorners(d.box), toCorners(t.box)), `${im.name} #${k}`).toBeGreaterThanOrEqual(0.95);
        expect(Math.abs(d.score - t.score)).toBeLessThan(1e-3);
        d.keypoints.forEach((p, j) => expect(Math.hypot(p.x - t.keypoints[j].x, p.y - t.keypoints[j].y)).toBeLessThan(1));
      });
      total += mine.length;
      console.info(`[models-human] ${im.name}: ${mine.length} face(s), best score ${mine[0]?.score.toFixed(3) ?? '-'}`);
      detections.push({ img, name: im.name, dets: mine.slice(0, 2).map((d) => ({ ...d })) });
      // Map detections to source pixels for the crops below.
      const [x0, y0, side] = wholeImage(img);
      for (const d of detections[detections.length - 1].dets) {
        const s = side / 256;
        d.box = [x0 + d.box[0] * s, y0 + d.box[1] * s, d.box[2] * s, d.box[3] * s];
      }
    }
    expect(total, 'blazeface found no face at all in real face images').toBeGreaterThan(0);
  });

  it('faceres, antispoof, liveness, facemesh agree on face crops; faceres descriptors cosine >= 0.999', async () => {
    const crops = detections.flatMap((d) => d.dets.map((det) => ({ img: d.img, name: d.name, det })));
    expect(crops.length).toBeGreaterThan(0);
    const tolerance: Record<string, number> = { 'human-faceres': 1e-3, 'human-antispoof': 1e-4, 'human-liveness': 1e-4, 'human-facemesh': 0.05 };
    for (const { img, name, det } of crops.slice(0, 6)) {
      // human's crop: the detector box enlarged 1.4x and squared.
      const [x, y, w, h] = det.box;
      const side = Math.max(w, h) * 1.4;
      const region: [number, number, number] = [x + w / 2 - side / 2, y + h / 2 - side / 2, side];
      for (const id of Object.keys(tolerance)) {
        const size = spec(id).input.shape[1];
        const { onnx, ref } = await runBoth(id, await cropInput(img, region, spec(id), size));
        spec(id).outputs.forEach((o, i) => {
          const a = onnx[o.name].data as Float32Array;
          expect([...onnx[o.name].dims]).toEqual(ref[i].shape);
          expect(maxAbsDiff(a, ref[i].data), `${name} ${id} ${o.name}`).toBeLessThan(tolerance[id]);
        });
        if (id === 'human-faceres') expect(cosine(onnx.descriptor.data as Float32Array, ref[0].data)).toBeGreaterThanOrEqual(0.999);
      }
    }
  });

  it('runs a batch: the symbolic batch dimension works for every model', async () => {
    for (const s of specs) {
      const size = s.input.shape[1];
      const n = size * size * 3;
      const x = new Float32Array(2 * n);
      for (let i = 0; i < x.length; i++) x[i] = ((i * 37) % 255) / s.input.std[0] - s.input.mean[0] / s.input.std[0];
      const res = await pairs[s.id].onnx.run({ [s.input.name]: new ort.Tensor('float32', x, [2, size, size, 3]) });
      const one = await pairs[s.id].onnx.run({ [s.input.name]: new ort.Tensor('float32', x.subarray(n), [1, size, size, 3]) });
      for (const o of s.outputs) {
        expect(res[o.name].dims[0]).toBe(2);
        const per = (one[o.name].data as Float32Array).length;
        expect(maxAbsDiff((res[o.name].data as Float32Array).subarray(per), one[o.name].data as Float32Array)).toBeLessThan(1e-4);
      }
    }
  });
});
