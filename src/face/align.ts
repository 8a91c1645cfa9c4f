// Face alignment and model-input preparation.
//
// Landmark convention (the InsightFace/ArcFace one): five points in IMAGE coordinates, ordered
//   0 image-left eye (the subject's right eye), 1 image-right eye (subject's left eye),
//   2 nose tip, 3 image-left mouth corner, 4 image-right mouth corner.
// "Left" is left as the image is displayed, not the subject's left. Pixel (i, j) has its centre
// at (i, j), as in OpenCV's warpAffine, which the ArcFace template assumes.

import { AppError } from '../errors.js';
import { ALIGN_MAX_SHRINK_BEFORE_PYRAMID, ARCFACE_112_TEMPLATE, type Template5 } from './frontend-config.js';
import { createRgb, extractRgb, halveRgb, sampleBilinear, type Box, type Point, type RgbImage } from './image.js';

export { ARCFACE_112_TEMPLATE, type Template5 };

/** x' = a x - b y + tx, y' = b x + a y + ty (scale sqrt(a²+b²), rotation atan2(b, a)). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

export function invertSimilarity(t: Similarity): Similarity {
  const s2 = t.a * t.a + t.b * t.b;
  const a = t.a / s2;
  const b = -t.b / s2;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/**
 * Least-squares similarity (rotation, uniform scale, translation) taking `src` onto `dst`:
 * Umeyama's solution, which in 2-D is closed form on the centred points. No reflection is
 * possible in this parametrisation. Needs at least two distinct points.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Similarity {
  const n = src.length;
  if (n < 2 || dst.length !== n) throw new AppError('VALIDATION_FAILED', 'alignment needs at least 2 matching landmark pairs');
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    if (![src[i].x, src[i].y, dst[i].x, dst[i].y].every(Number.isFinite)) {
      throw new AppError('VALIDATION_FAILED', `landmark ${i} is not a finite point`);
    }
    sx += src[i].x; sy += src[i].y; dx += dst[i].x; dy += dst[i].y;
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let varS = 0, dot = 0, cross = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i].x - sx, py = src[i].y - sy;
    const qx = dst[i].x - dx, qy = dst[i].y - dy;
    varS += px * px + py * py;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
  }
  if (!(varS > 1e-9)) throw new AppError('VALIDATION_FAILED', 'landmarks coincide: no alignment possible');
  const a = dot / varS;
  const b = cross / varS;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/**
 * Warps `image` so that `transform` (source → output pixel coordinates) lands it in an
 * outW x outH image: bilinear sampling, edge replication. Large shrinks go through a 2x box
 * pyramid first so the result is not aliased.
 */
export function warpSimilarity(image: RgbImage, transform: Similarity, outW: number, outH: number): RgbImage {
  let t = transform;
  let scale = Math.hypot(t.a, t.b);
  // Work on the source region the output covers (plus a margin for the filters), not the frame.
  const inv0 = invertSimilarity(t);
  const corners = [
    [-0.5, -0.5],
    [outW - 0.5, -0.5],
    [-0.5, outH - 0.5],
    [outW - 0.5, outH - 0.5],
  ].map(([u, v]) => applySimilarity(inv0, { x: u, y: v }));
  const margin = 2 + Math.ceil(2 / Math.max(scale, 1e-6));
  const rx0 = clampInt(Math.floor(Math.min(...corners.map((c) => c.x))) - margin, 0, image.width - 1);
  const ry0 = clampInt(Math.floor(Math.min(...corners.map((c) => c.y))) - margin, 0, image.height - 1);
  const rx1 = clampInt(Math.ceil(Math.max(...corners.map((c) => c.x))) + margin + 1, rx0 + 1, image.width);
  const ry1 = clampInt(Math.ceil(Math.max(...corners.map((c) => c.y))) + margin + 1, ry0 + 1, image.height);
  let src = rx0 === 0 && ry0 === 0 && rx1 === image.width && ry1 === image.height ? image : extractRgb(image, rx0, ry0, rx1, ry1);
  t = { ...t, tx: t.tx + t.a * rx0 - t.b * ry0, ty: t.ty + t.b * rx0 + t.a * ry0 };
  while (scale < ALIGN_MAX_SHRINK_BEFORE_PYRAMID && src.width >= 2 && src.height >= 2) {
    src = halveRgb(src);
    // Halving maps x to (x - 0.5) / 2 with centres at integers; compose so output stays put.
    t = { a: t.a * 2, b: t.b * 2, tx: t.tx + t.a * 0.5 - t.b * 0.5, ty: t.ty + t.b * 0.5 + t.a * 0.5 };
    scale *= 2;
  }
  const inv = invertSimilarity(t);
  const out = createRgb(outW, outH);
  const px = new Float32Array(3);
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      const x = inv.a * u - inv.b * v + inv.tx;
      const y = inv.b * u + inv.a * v + inv.ty;
      sampleBilinear(src, x, y, px, 0);
      const o = (v * outW + u) * 3;
      out.data[o] = px[0] + 0.5;
      out.data[o + 1] = px[1] + 0.5;
      out.data[o + 2] = px[2] + 0.5;
    }
  }
  return out;
}

export interface AlignedFace extends RgbImage {
  /** Image → crop transform used (apply it to other image points to place them in the crop). */
  transform: Similarity;
  /** Root-mean-square landmark residual after the fit, in output pixels (a fit-quality cue). */
  residualPx: number;
}

/**
 * Aligns a face to an embedder template. Five landmarks use the full least-squares fit; two
 * (eyes only: image-left, image-right) fall back to the template's two eye points.
 */
export function alignFace(image: RgbImage, landmarks: readonly Point[], template: Template5 = ARCFACE_112_TEMPLATE): AlignedFace {
  if (landmarks.length !== 5 && landmarks.length !== 2) {
    throw new AppError('VALIDATION_FAILED', `alignment takes 5 or 2 landmarks, got ${landmarks.length}`);
  }
  if (template.points.length < landmarks.length) throw new AppError('VALIDATION_FAILED', 'template has too few points');
  const dst = template.points.slice(0, landmarks.length).map(([x, y]) => ({ x, y }));
  const transform = estimateSimilarity(landmarks, dst);
  let sq = 0;
  for (let i = 0; i < landmarks.length; i++) {
    const p = applySimilarity(transform, landmarks[i]);
    sq += (p.x - dst[i].x) ** 2 + (p.y - dst[i].y) ** 2;
  }
  const [w, h] = template.size;
  const warped = warpSimilarity(image, transform, w, h);
  return { ...warped, transform, residualPx: Math.sqrt(sq / landmarks.length) };
}

/** Scales a template (e.g. ArcFace 112 → 150 for dlib-style inputs) about the origin. */
export function scaleTemplate(t: Template5, size: [number, number]): Template5 {
  const sx = size[0] / t.size[0];
  const sy = size[1] / t.size[1];
  return { size, points: t.points.map(([x, y]) => [x * sx, y * sy] as [number, number]) };
}

// ---------------------------------------------------------------- detector / landmark crops
export interface CropOptions {
  /** Grow the box to the output's aspect ratio around its centre (default true: no stretching). */
  keepAspect?: boolean;
  /** Shrink through a 2x box pyramid first (default true). false: plain bilinear, as OpenCV's resize,
   *  for models trained on such crops (aliasing included). */
  antialias?: boolean;
}

export interface CropResult extends RgbImage {
  /** The (padded, aspect-corrected) source region that fills the crop. Boxes use edge
   *  coordinates (the image spans [0, width] x [0, height], as detectors report them); a crop
   *  point p maps to sourceBox.x + p.x * sourceBox.width / crop.width (cropPointToImage). */
  sourceBox: Box;
}

/**
 * Crops `box` grown by `padFraction` of its size on every side and resizes it to outSize
 * (bilinear, edge replicate; box pyramid for big shrinks). Used for detector and landmark
 * inputs: tight crops need padding before detection.
 */
export function cropAndResize(
  image: RgbImage,
  box: Box,
  outSize: [number, number],
  padFraction = 0,
  options: CropOptions = {},
): CropResult {
  const [outW, outH] = outSize;
  if (!(outW >= 1 && outH >= 1) || !Number.isInteger(outW) || !Number.isInteger(outH)) {
    throw new AppError('VALIDATION_FAILED', `crop size must be positive integers, got ${outW}x${outH}`);
  }
  if (![box.x, box.y, box.width, box.height, padFraction].every(Number.isFinite) || box.width <= 0 || box.height <= 0) {
    throw new AppError('VALIDATION_FAILED', 'crop box must be finite with positive size');
  }
  if (!(padFraction > -0.5)) throw new AppError('VALIDATION_FAILED', `padFraction must be above -0.5, got ${padFraction}`);
  let w = box.width * (1 + 2 * padFraction);
  let h = box.height * (1 + 2 * padFraction);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  if (options.keepAspect ?? true) {
    const target = outW / outH;
    if (w / h < target) w = h * target;
    else h = w / target;
  }
  const sourceBox = { x: cx - w / 2, y: cy - h / 2, width: w, height: h };
  return { ...resampleBox(image, sourceBox, outW, outH, options.antialias ?? true), sourceBox };
}

/** Maps a point in crop coordinates back to image coordinates (see CropResult.sourceBox). */
export function cropPointToImage(crop: CropResult, p: Point): Point {
  return {
    x: crop.sourceBox.x + (p.x * crop.sourceBox.width) / crop.width,
    y: crop.sourceBox.y + (p.y * crop.sourceBox.height) / crop.height,
  };
}

/** Resamples an (edge-coordinate) box to outW x outH; 2x box pyramid first for big shrinks. */
function resampleBox(image: RgbImage, box: Box, outW: number, outH: number, antialias: boolean): RgbImage {
  // Work on the covered region (plus a filter margin) only.
  const margin = 2 + Math.ceil(2 * Math.max(box.width / outW, box.height / outH));
  const rx0 = clampInt(Math.floor(box.x) - margin, 0, image.width - 1);
  const ry0 = clampInt(Math.floor(box.y) - margin, 0, image.height - 1);
  const rx1 = clampInt(Math.ceil(box.x + box.width) + margin, rx0 + 1, image.width);
  const ry1 = clampInt(Math.ceil(box.y + box.height) + margin, ry0 + 1, image.height);
  let src = rx0 === 0 && ry0 === 0 && rx1 === image.width && ry1 === image.height ? image : extractRgb(image, rx0, ry0, rx1, ry1);
  let b = { ...box, x: box.x - rx0, y: box.y - ry0 };
  const shrinks = () => outW / b.width < ALIGN_MAX_SHRINK_BEFORE_PYRAMID && outH / b.height < ALIGN_MAX_SHRINK_BEFORE_PYRAMID;
  while (antialias && shrinks() && src.width >= 2 && src.height >= 2) {
    src = halveRgb(src);
    b = { x: b.x / 2, y: b.y / 2, width: b.width / 2, height: b.height / 2 }; // edge coordinates halve
  }
  const out = createRgb(outW, outH);
  const px = new Float32Array(3);
  const kx = b.width / outW;
  const ky = b.height / outH;
  for (let v = 0; v < outH; v++) {
    const y = b.y + (v + 0.5) * ky - 0.5;
    for (let u = 0; u < outW; u++) {
      sampleBilinear(src, b.x + (u + 0.5) * kx - 0.5, y, px, 0);
      const o = (v * outW + u) * 3;
      out.data[o] = px[0] + 0.5;
      out.data[o + 1] = px[1] + 0.5;
      out.data[o + 2] = px[2] + 0.5;
    }
  }
  return out;
}

const clampInt = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

// ---------------------------------------------------------------- model input tensors
export interface TensorSpec {
  layout: 'NHWC' | 'NCHW';
  colour: 'RGB' | 'BGR' | 'GREY';
  /** Per channel (in the output channel order) or one value for all; value = (p - mean) / std. */
  mean: number | readonly number[];
  std: number | readonly number[];
}

export function tensorLength(crop: { width: number; height: number }, spec: TensorSpec): number {
  return crop.width * crop.height * (spec.colour === 'GREY' ? 1 : 3);
}

/** One image as a model input (batch of 1): Float32Array of tensorLength(crop, spec). */
export function toTensor(crop: RgbImage, spec: TensorSpec): Float32Array {
  const out = new Float32Array(tensorLength(crop, spec));
  writeTensor(crop, spec, out, 0);
  return out;
}

/** Writes one image into a batch tensor at element offset `offset` (for dynamic batching). */
export function writeTensor(crop: RgbImage, spec: TensorSpec, out: Float32Array, offset: number): void {
  const c = spec.colour === 'GREY' ? 1 : 3;
  const mean = perChannel(spec.mean, c, 'mean');
  const std = perChannel(spec.std, c, 'std');
  const inv = std.map((s) => 1 / s);
  const n = crop.width * crop.height;
  if (offset < 0 || offset + n * c > out.length) throw new AppError('INTERNAL', 'tensor buffer too small');
  const d = crop.data;
  const order = spec.colour === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let i = 0; i < n; i++) {
    const p = 3 * i;
    if (c === 1) {
      const g = 0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2];
      out[offset + i] = (g - mean[0]) * inv[0];
      continue;
    }
    for (let k = 0; k < 3; k++) {
      const value = (d[p + order[k]] - mean[k]) * inv[k];
      out[spec.layout === 'NHWC' ? offset + p + k : offset + k * n + i] = value;
    }
  }
}

function perChannel(v: number | readonly number[], c: number, name: string): number[] {
  const arr = typeof v === 'number' ? new Array<number>(c).fill(v) : [...v];
  if (arr.length !== c || arr.some((x) => !Number.isFinite(x)) || (name === 'std' && arr.some((x) => x === 0))) {
    throw new AppError('INTERNAL', `tensor ${name} must be ${c} finite value(s)${name === 'std' ? ', non-zero' : ''}`);
  }
  return arr;
}
