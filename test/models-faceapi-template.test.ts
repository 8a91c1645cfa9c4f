// Checks the 5-point template we publish for faceapi-dlib-resnet (derived from dlib's mean
// face shape) against face-api's own 68-landmark net: align real faces to the template by a
// similarity transform, re-detect the landmarks on the aligned chip, and measure how far the
// five points land from the template.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { buildLandmark68 } from '../models/convert/faceapi/landmark68.ts';
import { DLIB_CHIP_SIZE, DLIB_FIVE_POINT_TEMPLATE } from '../models/convert/faceapi/dlib-template.ts';
import { faceApiDir, sampleFaceCrops, type ImageBatch } from './lib/faceapi-reference.ts';

type Pt = [number, number];
const LM = 112;

/** Bilinear resample of an HWC float image through `map` (output pixel → source pixel), zeros outside. */
function warp(src: Float32Array, size: number, out: number, map: (x: number, y: number) => Pt): Float32Array {
  const dst = new Float32Array(out * out * 3);
  for (let y = 0; y < out; y++) for (let x = 0; x < out; x++) {
    const [sx, sy] = map(x, y);
    const x0 = Math.floor(sx); const y0 = Math.floor(sy); const fx = sx - x0; const fy = sy - y0;
    for (let c = 0; c < 3; c++) {
      const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= size || yy >= size ? 0 : src[(yy * size + xx) * 3 + c]);
      dst[(y * out + x) * 3 + c] = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
    }
  }
  return dst;
}

/** Least-squares similarity (scale, rotation, translation) taking `from` onto `to`: returns [a, b, tx, ty] with x' = a x - b y + tx, y' = b x + a y + ty. */
function similarity(from: Pt[], to: Pt[]): [number, number, number, number] {
  const n = from.length;
  const mf = [from.reduce((s, p) => s + p[0], 0) / n, from.reduce((s, p) => s + p[1], 0) / n];
  const mt = [to.reduce((s, p) => s + p[0], 0) / n, to.reduce((s, p) => s + p[1], 0) / n];
  let sxx = 0; let sab = 0; let sba = 0;
  for (let i = 0; i < n; i++) {
    const fx = from[i][0] - mf[0]; const fy = from[i][1] - mf[1]; const tx = to[i][0] - mt[0]; const ty = to[i][1] - mt[1];
    sxx += fx * fx + fy * fy; sab += fx * tx + fy * ty; sba += fx * ty - fy * tx;
  }
  const a = sab / sxx; const b = sba / sxx;
  return [a, b, mt[0] - (a * mf[0] - b * mf[1]), mt[1] - (b * mf[0] + a * mf[1])];
}

/** The five template points from 68 landmarks (relative), in pixels of a `size` image. */
function fivePoints(lm: Float32Array, size: number): Pt[] {
  const mean = (ids: number[]): Pt => [ids.reduce((s, k) => s + lm[2 * k], 0) / ids.length * size, ids.reduce((s, k) => s + lm[2 * k + 1], 0) / ids.length * size];
  return [mean([36, 37, 38, 39, 40, 41]), mean([42, 43, 44, 45, 46, 47]), mean([30]), mean([48]), mean([54])];
}

describe('faceapi-dlib-resnet 5-point template', () => {
  let landmarks: ort.InferenceSession;
  beforeAll(async () => { landmarks = await ort.InferenceSession.create(buildLandmark68(faceApiDir)); });

  /** 68 landmarks of each S x S image, scaled to 112 for the net (sample = pixel centres at integers). */
  async function detect(images: Float32Array[], size: number): Promise<Float32Array[]> {
    const k = size / LM;
    const data = new Float32Array(images.length * LM * LM * 3);
    images.forEach((img, i) => data.set(warp(img, size, LM, (x, y) => [(x + 0.5) * k - 0.5, (y + 0.5) * k - 0.5]), i * LM * LM * 3));
    const out = (await landmarks.run({ input: new ort.Tensor('float32', data, [images.length, LM, LM, 3]) })).landmarks.data as Float32Array;
    return images.map((_, i) => out.subarray(i * 136, (i + 1) * 136));
  }

  it('agrees with face-api\'s 68-landmark net on faces aligned to it', async () => {
    const S = DLIB_CHIP_SIZE;
    const crops: ImageBatch = await sampleFaceCrops(S);
    const per = S * S * 3;
    const images = Array.from({ length: crops.n }, (_, i) => crops.data.subarray(i * per, (i + 1) * per));
    const before = await detect(images, S);
    const chips = images.map((img, i) => {
      const [a, b, tx, ty] = similarity(fivePoints(before[i], S), DLIB_FIVE_POINT_TEMPLATE);
      // Inverse similarity: chip pixel → crop pixel.
      const d = a * a + b * b;
      return warp(img, S, S, (x, y) => [(a * (x - tx) + b * (y - ty)) / d, (-b * (x - tx) + a * (y - ty)) / d]);
    });
    const after = await detect(chips, S);
    const errors = after.map((lm) => {
      const p = fivePoints(lm, S);
      return p.reduce((s, q, k) => s + Math.hypot(q[0] - DLIB_FIVE_POINT_TEMPLATE[k][0], q[1] - DLIB_FIVE_POINT_TEMPLATE[k][1]), 0) / 5;
    });
    const meanError = errors.reduce((s, e) => s + e, 0) / errors.length;
    const bias = DLIB_FIVE_POINT_TEMPLATE.map((t, k) => after.map((lm) => fivePoints(lm, S)[k]).reduce((s, q) => [s[0] + (q[0] - t[0]) / after.length, s[1] + (q[1] - t[1]) / after.length], [0, 0]));
    console.log(`[template] mean offset per point (x, y): ${bias.map((b) => `(${b[0].toFixed(1)}, ${b[1].toFixed(1)})`).join(' ')}`);
    console.log(`[template] mean 5-point error after alignment: ${meanError.toFixed(2)} px of ${S} (per face: ${errors.map((e) => e.toFixed(1)).join(', ')})`);
    // Measured 4.5 px (nose ~4 px lower and mouth corners ~3 px higher than dlib's mean shape):
    // under 10 % of the template's 53 px inter-ocular distance. A template off by the kind of
    // error that matters (e.g. ArcFace's 112 template scaled to 150: eyes 22 px lower) fails this.
    expect(meanError).toBeLessThan(6);
  });
});
