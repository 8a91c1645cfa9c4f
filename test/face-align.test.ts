import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import {
  ARCFACE_112_TEMPLATE,
  alignFace,
  applySimilarity,
  cropAndResize,
  cropPointToImage,
  estimateSimilarity,
  invertSimilarity,
  toTensor,
  writeTensor,
  type Similarity,
} from '../src/face/align.js';
import { AppError } from '../src/errors.js';
import type { Point, RgbImage } from '../src/face/image.js';
import { meanAbsDiff, PORTRAIT_FACE, portraitPng, REAL_FACE, REAL_PHOTO, rgbOf, rgbToSharp } from './lib/images.js';

const simFrom = (scale: number, deg: number, tx: number, ty: number): Similarity => {
  const r = (deg * Math.PI) / 180;
  return { a: scale * Math.cos(r), b: scale * Math.sin(r), tx, ty };
};
const maxErr = (a: Point[], b: Point[]) => Math.max(...a.map((p, i) => Math.hypot(p.x - b[i].x, p.y - b[i].y)));

describe('estimateSimilarity (Umeyama, 2-D)', () => {
  it('recovers known similarity transforms exactly (error < 0.5 px, in fact ~1e-9)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 50; trial++) {
      const truth = simFrom(0.2 + 3 * rand(), -180 + 360 * rand(), -500 + 1000 * rand(), -500 + 1000 * rand());
      const src = Array.from({ length: 5 }, () => ({ x: 1000 * rand(), y: 1000 * rand() }));
      const dst = src.map((p) => applySimilarity(truth, p));
      const est = estimateSimilarity(src, dst);
      expect(maxErr(src.map((p) => applySimilarity(est, p)), dst)).toBeLessThan(1e-6);
      expect(Math.abs(est.a - truth.a) + Math.abs(est.b - truth.b)).toBeLessThan(1e-9);
    }
  });

  it('maps transformed ArcFace landmarks back onto the template within 0.5 px', () => {
    const tpl = ARCFACE_112_TEMPLATE.points.map(([x, y]) => ({ x, y }));
    const t = simFrom(3.7, 23, 410, -55); // template → "image"
    const imagePts = tpl.map((p) => applySimilarity(t, p));
    const est = estimateSimilarity(imagePts, tpl);
    expect(maxErr(imagePts.map((p) => applySimilarity(est, p)), tpl)).toBeLessThan(0.5);
    // and it is the inverse of t
    const inv = invertSimilarity(t);
    expect(Math.abs(est.a - inv.a) + Math.abs(est.b - inv.b) + Math.abs(est.tx - inv.tx) / 100).toBeLessThan(1e-9);
  });

  it('is the least-squares fit under noise, and works from the eyes alone', () => {
    const tpl = ARCFACE_112_TEMPLATE.points.map(([x, y]) => ({ x, y }));
    const t = simFrom(2, -10, 100, 80);
    const noisy = tpl.map((p, i) => applySimilarity(t, { x: p.x + [0.8, -0.6, 0.5, -0.9, 0.3][i], y: p.y + [-0.4, 0.7, -0.8, 0.2, 0.6][i] }));
    const est = estimateSimilarity(tpl, noisy);
    // a perturbed fit is never better (in summed squared error) than the least-squares one
    const sse = (s: Similarity) => tpl.reduce((acc, p, i) => acc + (applySimilarity(s, p).x - noisy[i].x) ** 2 + (applySimilarity(s, p).y - noisy[i].y) ** 2, 0);
    for (const d of [{ a: 0.01 }, { b: 0.01 }, { tx: 0.3 }, { ty: -0.3 }]) expect(sse({ ...est, ...d })).toBeGreaterThan(sse(est));
    const two = estimateSimilarity(tpl.slice(0, 2), noisy.slice(0, 2));
    expect(maxErr(tpl.slice(0, 2).map((p) => applySimilarity(two, p)), noisy.slice(0, 2))).toBeLessThan(1e-9);
  });

  it('rejects degenerate input with AppErrors', () => {
    const p = { x: 1, y: 1 };
    expect(() => estimateSimilarity([p, p], [p, { x: 2, y: 2 }])).toThrow(AppError);
    expect(() => estimateSimilarity([p], [p])).toThrow(AppError);
    expect(() => estimateSimilarity([p, { x: NaN, y: 0 }], [p, p])).toThrow(AppError);
  });
});

describe('alignFace on a real portrait', () => {
  let portrait: RgbImage;
  let reference: RgbImage;
  beforeAll(async () => {
    portrait = await rgbOf(sharp(await portraitPng()));
    reference = alignFace(portrait, PORTRAIT_FACE.landmarks);
  });

  it('puts the landmarks on the template (residual = face shape vs mean, a few px)', () => {
    expect([reference.width, reference.height]).toEqual([112, 112]);
    const placed = PORTRAIT_FACE.landmarks.map((p) => applySimilarity((reference as ReturnType<typeof alignFace>).transform, p));
    const tpl = ARCFACE_112_TEMPLATE.points.map(([x, y]) => ({ x, y }));
    expect(maxErr(placed, tpl)).toBeLessThan(8);
  });

  it('aligns a rotated and scaled copy to (nearly) the same crop', async () => {
    // Rotate the portrait by 25° and scale by 0.6 with sharp, move the landmarks the same way.
    const angle = 25;
    const scale = 0.6;
    const w = Math.round(portrait.width * scale);
    const small = await rgbOf(rgbToSharp(portrait).resize(w, w));
    const rotatedSharp = rgbToSharp(small).rotate(angle, { background: '#808080' });
    const rotated = await rgbOf(rotatedSharp);
    // sharp rotates clockwise about the centre and grows the canvas to fit
    const r = (angle * Math.PI) / 180;
    const map = (p: Point): Point => {
      const sx = (p.x + 0.5) * (w / portrait.width) - 0.5 - (w - 1) / 2;
      const sy = (p.y + 0.5) * (w / portrait.width) - 0.5 - (w - 1) / 2;
      return { x: Math.cos(r) * sx - Math.sin(r) * sy + (rotated.width - 1) / 2, y: Math.sin(r) * sx + Math.cos(r) * sy + (rotated.height - 1) / 2 };
    };
    const aligned = alignFace(rotated, PORTRAIT_FACE.landmarks.map(map));
    const diff = meanAbsDiff(aligned, reference, 4);
    // Measured 1.2 grey levels (resampling twice); a 6 px landmark error gives ~14.
    expect(diff).toBeLessThan(3);
    const shifted = alignFace(rotated, PORTRAIT_FACE.landmarks.map(map).map((p) => ({ x: p.x + 6, y: p.y })));
    expect(meanAbsDiff(shifted, reference, 4)).toBeGreaterThan(3 * diff);
  });

  it('gives the same crop from the full camera frame as from the portrait cut out of it', async () => {
    const frame = await rgbOf(sharp(REAL_PHOTO));
    const fromFrame = alignFace(frame, REAL_FACE.landmarks);
    // only the 2x pyramid's pixel grid may differ (the region origin's parity)
    expect(meanAbsDiff(fromFrame, reference)).toBeLessThan(1.5);
    const crop = cropAndResize(frame, REAL_FACE.box, [64, 64], 0.2);
    const same = cropAndResize(portrait, PORTRAIT_FACE.box, [64, 64], 0.2);
    expect(meanAbsDiff(crop, same)).toBeLessThan(1.5);
  });

  it('falls back to the eyes alone and lands close to the 5-point crop', () => {
    const eyesOnly = alignFace(portrait, PORTRAIT_FACE.landmarks.slice(0, 2));
    expect(meanAbsDiff(eyesOnly, reference, 4)).toBeLessThan(15);
    expect(() => alignFace(portrait, PORTRAIT_FACE.landmarks.slice(0, 3))).toThrow(AppError);
  });
});

describe('cropAndResize', () => {
  const ramp = (w: number, h: number): RgbImage => {
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x % 256, y % 256, (x + y) % 256], 3 * (y * w + x));
    return { width: w, height: h, channels: 3, data };
  };

  it('is the identity for the full image at its own size, and maps points back', () => {
    const img = ramp(64, 48);
    const crop = cropAndResize(img, { x: 0, y: 0, width: 64, height: 48 }, [64, 48]);
    expect(meanAbsDiff(crop, img)).toBe(0);
    expect(cropPointToImage(crop, { x: 10, y: 20 })).toEqual({ x: 10, y: 20 });
  });

  it('pads, keeps the aspect ratio, and replicates edges outside the image', () => {
    const img = ramp(100, 100);
    const crop = cropAndResize(img, { x: 40, y: 30, width: 20, height: 40 }, [32, 32], 0.25);
    // padded to 30x60, then widened to 60x60 around the centre (50, 50)
    expect(crop.sourceBox).toEqual({ x: 20, y: 20, width: 60, height: 60 });
    const p = cropPointToImage(crop, { x: 16, y: 16 });
    expect(p).toEqual({ x: 50, y: 50 });
    const far = cropAndResize(img, { x: -50, y: -50, width: 20, height: 20 }, [16, 16]);
    expect([far.data[0], far.data[1], far.data[2]]).toEqual([0, 0, 0]); // replicated top-left pixel
  });

  it('averages when shrinking a lot (no aliasing on a fine checkerboard)', () => {
    const w = 256;
    const data = new Uint8Array(w * w * 3);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.fill((x + y) % 2 ? 255 : 0, 3 * (y * w + x), 3 * (y * w + x) + 3);
    const crop = cropAndResize({ width: w, height: w, channels: 3, data }, { x: 0, y: 0, width: w, height: w }, [16, 16]);
    for (let i = 0; i < crop.data.length; i++) expect(Math.abs(crop.data[i] - 128)).toBeLessThanOrEqual(2);
  });
});

describe('toTensor', () => {
  const img: RgbImage = { width: 2, height: 1, channels: 3, data: Uint8Array.of(10, 20, 30, 40, 50, 60) };

  it('lays out NHWC and NCHW, RGB and BGR, with (p - mean) / std', () => {
    expect(Array.from(toTensor(img, { layout: 'NHWC', colour: 'RGB', mean: 0, std: 1 }))).toEqual([10, 20, 30, 40, 50, 60]);
    expect(Array.from(toTensor(img, { layout: 'NCHW', colour: 'RGB', mean: 0, std: 1 }))).toEqual([10, 40, 20, 50, 30, 60]);
    expect(Array.from(toTensor(img, { layout: 'NHWC', colour: 'BGR', mean: 0, std: 1 }))).toEqual([30, 20, 10, 60, 50, 40]);
    const t = toTensor(img, { layout: 'NCHW', colour: 'RGB', mean: [10, 20, 30], std: [2, 4, 5] });
    expect(Array.from(t)).toEqual([0, 15, 0, 7.5, 0, 6]);
    const arc = toTensor(img, { layout: 'NCHW', colour: 'RGB', mean: 127.5, std: 127.5 });
    expect(arc[0]).toBeCloseTo((10 - 127.5) / 127.5, 6);
  });

  it('converts to grey and writes into a batch at an offset', () => {
    const g = toTensor(img, { layout: 'NCHW', colour: 'GREY', mean: 0, std: 1 });
    expect(g.length).toBe(2);
    expect(g[0]).toBeCloseTo(0.299 * 10 + 0.587 * 20 + 0.114 * 30, 4);
    const batch = new Float32Array(12).fill(-1);
    writeTensor(img, { layout: 'NHWC', colour: 'RGB', mean: 0, std: 1 }, batch, 6);
    expect(Array.from(batch)).toEqual([-1, -1, -1, -1, -1, -1, 10, 20, 30, 40, 50, 60]);
    expect(() => toTensor(img, { layout: 'NHWC', colour: 'RGB', mean: 0, std: [1, 0, 1] })).toThrow(AppError);
  });
});
