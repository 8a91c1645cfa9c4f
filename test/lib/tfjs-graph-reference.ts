// The reference for converted tfjs graph models: the same model.json and weights run by tfjs
// itself (WASM backend, or the pure-JS CPU backend if WASM will not start). tfjs's ESM build
// does not resolve under Node 20, so it is loaded through CommonJS.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);
let ready: Promise<typeof TF> | undefined;

/** tfjs with the WASM backend (CPU as fallback), initialised once per process. */
export function loadTfjs(): Promise<typeof TF> {
  ready ??= (async () => {
    const tf = require('@tensorflow/tfjs') as typeof TF;
    require('@tensorflow/tfjs-backend-wasm');
    tf.env().set('IS_NODE', true);
    const ok = await tf.setBackend('wasm').catch(() => false);
    if (!ok) await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  })();
  return ready;
}

export interface GraphModelParts {
  modelTopology: unknown;
  weightSpecs: TF.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

/** model.json on disk → the parts tfjs loads (weights dequantised by tfjs's own loader). */
export function graphModelParts(jsonPath: string): GraphModelParts {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: TF.io.WeightsManifestEntry[] }[];
  const buf = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(path.join(path.dirname(jsonPath), p)))));
  return {
    modelTopology: json.modelTopology,
    weightSpecs: groups.flatMap((g) => g.weights),
    weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer,
  };
}

export async function loadReferenceModel(parts: GraphModelParts): Promise<TF.GraphModel> {
  const tf = await loadTfjs();
  return tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: parts.modelTopology as TF.io.ModelArtifacts['modelTopology'],
    weightSpecs: parts.weightSpecs,
    weightData: parts.weightData,
  }));
}

export interface Tensorish { data: Float32Array; shape: number[] }

/** Runs the reference on one NHWC input and returns the named outputs ("node" or "node:k"). */
export async function runReference(model: TF.GraphModel, input: Tensorish, outputs: string[]): Promise<Tensorish[]> {
  const tf = await loadTfjs();
  const x = tf.tensor(input.data, input.shape);
  const res = model.execute(x, outputs);
  const list = Array.isArray(res) ? res : [res];
  const out = await Promise.all(list.map(async (t) => ({ data: Float32Array.from(await t.data() as Float32Array), shape: t.shape })));
  tf.dispose([x, ...list]);
  return out;
}

export interface ReferenceDetection { box: [number, number, number, number]; score: number; keypoints: { x: number; y: number }[] }

/**
 * Human's own blazeface decoding (src/face/blazeface.ts, getBoxes/decodeBoxes), written with
 * tfjs ops: rows = concat(scores|regressors) in anchor order, centre = anchor + offset, size
 * as given, keypoints = anchor + offset, sigmoid scores, tf.image.nonMaxSuppression.
 */
export async function referenceBlazefaceDecode(
  rows: Tensorish, anchors: [number, number][], keypointCount: number,
  opts: { maxDetections: number; iouThreshold: number; scoreThreshold: number },
): Promise<ReferenceDetection[]> {
  const tf = await loadTfjs();
  return tf.tidy(() => {
    const batch = tf.tensor2d(rows.data, [rows.shape[0], rows.shape[1]]);
    const a = tf.tensor2d(anchors);
    const centers = tf.add(tf.slice(batch, [0, 1], [-1, 2]), a);
    const half = tf.div(tf.slice(batch, [0, 3], [-1, 2]), 2);
    const boxes = tf.concat2d([tf.sub(centers, half) as TF.Tensor2D, tf.add(centers, half) as TF.Tensor2D], 1);
    const scores = tf.squeeze(tf.sigmoid(tf.slice(batch, [0, 0], [-1, 1]))) as TF.Tensor1D;
    const keep = tf.image.nonMaxSuppression(boxes, scores, opts.maxDetections, opts.iouThreshold, opts.scoreThreshold).dataSync();
    const b = boxes.arraySync();
    const s = scores.dataSync();
    const r = batch.arraySync();
    return Array.from(keep).filter((i) => s[i] > opts.scoreThreshold).map((i) => ({
      box: [b[i][0], b[i][1], b[i][2] - b[i][0], b[i][3] - b[i][1]] as [number, number, number, number],
      score: s[i],
      keypoints: Array.from({ length: keypointCount }, (_, k) => ({ x: r[i][5 + 2 * k] + anchors[i][0], y: r[i][6 + 2 * k] + anchors[i][1] })),
    }));
  });
}

/** Binary (P5) 8-bit PGM → grey pixels (sharp's libvips build here has no PGM loader). */
export function readPgm(file: string): { data: Buffer; width: number; height: number } {
  const buf = readFileSync(file);
  if (buf.toString('latin1', 0, 2) !== 'P5') throw new Error(`${file}: not a binary PGM`);
  const fields: number[] = [];
  let i = 2;
  while (fields.length < 3) {
    while (i < buf.length && /\s/.test(String.fromCharCode(buf[i]))) i++;
    if (buf[i] === 0x23) { while (i < buf.length && buf[i] !== 0x0a) i++; continue; } // comment
    const start = i;
    while (i < buf.length && /\d/.test(String.fromCharCode(buf[i]))) i++;
    if (start === i) throw new Error(`${file}: bad PGM header at byte ${i}`);
    fields.push(Number(buf.toString('latin1', start, i)));
  }
  const [width, height, max] = fields;
  if (max > 255) throw new Error(`${file}: 16-bit PGM not supported`);
  const data = buf.subarray(i + 1, i + 1 + width * height);
  if (data.length !== width * height) throw new Error(`${file}: PGM pixel data short`);
  return { data, width, height };
}
