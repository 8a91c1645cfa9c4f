// A small in-memory image type for the face front end, and the pixel helpers the decoder,
// aligner and quality measures share. Coordinates: x right, y down, pixel (i, j) has its
// centre at (i, j) (the OpenCV convention, which the ArcFace template assumes).

export { createRgb, type RgbImage } from '../ingest/image/rgb.ts';
import { createRgb, type RgbImage } from '../ingest/image/rgb.ts';

/** One float channel per pixel, row-major (luminance 0..255 unless said otherwise). */
export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** ITU-R BT.601 luma weights (what JPEG and most quality tools use). */
const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;

export function toGrey(img: RgbImage): GreyImage {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    out[i] = LUMA_R * d[p] + LUMA_G * d[p + 1] + LUMA_B * d[p + 2];
  }
  return { width: img.width, height: img.height, data: out };
}

/** Halves an image with a 2x2 box filter (the last odd row/column is folded in by clamping). */
export function halveRgb(img: RgbImage): RgbImage {
  const w = Math.max(1, img.width >> 1);
  const h = Math.max(1, img.height >> 1);
  const out = createRgb(w, h);
  const sw = img.width;
  const d = img.data;
  for (let y = 0; y < h; y++) {
    const y0 = Math.min(2 * y, img.height - 1);
    const y1 = Math.min(2 * y + 1, img.height - 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.min(2 * x, sw - 1);
      const x1 = Math.min(2 * x + 1, sw - 1);
      const a = (y0 * sw + x0) * 3;
      const b = (y0 * sw + x1) * 3;
      const c = (y1 * sw + x0) * 3;
      const e = (y1 * sw + x1) * 3;
      const o = (y * w + x) * 3;
      for (let k = 0; k < 3; k++) out.data[o + k] = (d[a + k] + d[b + k] + d[c + k] + d[e + k] + 2) >> 2;
    }
  }
  return out;
}

/**
 * Bilinear sample of all three channels at (x, y) with edge replication, written to out[o..o+2]
 * as floats (no rounding: callers decide).
 */
export function sampleBilinear(img: RgbImage, x: number, y: number, out: Float32Array, o: number): void {
  const w = img.width;
  const h = img.height;
  const cx = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  const cy = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = x0 + 1 < w ? x0 + 1 : x0;
  const y1 = y0 + 1 < h ? y0 + 1 : y0;
  const fx = cx - x0;
  const fy = cy - y0;
  const d = img.data;
  const p00 = (y0 * w + x0) * 3;
  const p01 = (y0 * w + x1) * 3;
  const p10 = (y1 * w + x0) * 3;
  const p11 = (y1 * w + x1) * 3;
  for (let k = 0; k < 3; k++) {
    const top = d[p00 + k] + (d[p01 + k] - d[p00 + k]) * fx;
    const bottom = d[p10 + k] + (d[p11 + k] - d[p10 + k]) * fx;
    out[o + k] = top + (bottom - top) * fy;
  }
}

/** Copies the pixel rectangle [x0, x1) x [y0, y1) (already clipped to the image). */
export function extractRgb(img: RgbImage, x0: number, y0: number, x1: number, y1: number): RgbImage {
  const out = createRgb(x1 - x0, y1 - y0);
  const rowBytes = (x1 - x0) * 3;
  for (let y = y0; y < y1; y++) {
    const from = (y * img.width + x0) * 3;
    out.data.set(img.data.subarray(from, from + rowBytes), (y - y0) * rowBytes);
  }
  return out;
}

/** Integer-clamped box intersection with the image; null when empty. */
export function clipBox(box: Box, width: number, height: number): { x0: number; y0: number; x1: number; y1: number } | null {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(width, Math.ceil(box.x + box.width));
  const y1 = Math.min(height, Math.ceil(box.y + box.height));
  if (!(x1 > x0 && y1 > y0)) return null;
  return { x0, y0, x1, y1 };
}

/** The image mirrored left-right (a flipped copy for test-time augmentation). */
export function mirrorRgb(img: RgbImage): RgbImage {
  const out = new Uint8Array(img.data.length);
  const { width: w, height: h } = img;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = 3 * (y * w + x);
      const d = 3 * (y * w + (w - 1 - x));
      out[d] = img.data[s]; out[d + 1] = img.data[s + 1]; out[d + 2] = img.data[s + 2];
    }
  }
  return { ...img, data: out };
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(b.x - a.x, b.y - a.y);
}
