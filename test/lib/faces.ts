// Real faces for end-to-end tests, from the sample photos face-api ships (group photos of several
// people): single-face crops around boxes BlazeFace found in them, plus probe variations.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
const demo = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

/** [photo, x, y, side] of a square face box in face-api's demo/sample<photo>.jpg, as BlazeFace found it;
 *  faces far from frontal or dim are left out (these are casual group photos, not portraits). */
export const FACE_BOXES: [number, number, number, number][] = [
  [1, 418, 409, 190], [2, 1449, 179, 218], [3, 1068, 263, 247], [3, 579, 370, 235], [3, 1482, 338, 222],
  [4, 643, 129, 189], [5, 1110, 244, 173], [5, 786, 159, 147], [6, 241, 538, 225], [6, 1463, 314, 249],
  [6, 660, 386, 226], [6, 1158, 351, 225],
];

export const faceFixture = (i: number, margin?: number) => {
  const [photo, x, y, w] = FACE_BOXES[i];
  return faceCrop(photo, { x, y, w }, margin);
};

/** A whole demo photo (several people). */
export const groupPhoto = (photo: number) => readFileSync(path.join(demo, `sample${photo}.jpg`));

export async function faceCrop(photo: number, box: { x: number; y: number; w: number }, margin = 0.6): Promise<Buffer> {
  const bytes = readFileSync(path.join(demo, `sample${photo}.jpg`));
  const img = sharp(bytes);
  const { width = 0, height = 0 } = await img.metadata();
  const m = box.w * margin;
  const left = Math.max(0, Math.round(box.x - m));
  const top = Math.max(0, Math.round(box.y - m));
  const w = Math.min(width - left, Math.round(box.w + 2 * m));
  const h = Math.min(height - top, Math.round(box.w + 2 * m));
  return img.extract({ left, top, width: w, height: h }).jpeg({ quality: 92 }).toBuffer();
}

/** A probe made from an enrolled capture: rescaled, slightly rotated, re-compressed hard, a little blurred. */
export async function probeVariant(jpeg: Buffer, o: { scale?: number; rotate?: number; quality?: number; blur?: number } = {}): Promise<Buffer> {
  let img = sharp(jpeg);
  const { width = 0 } = await img.metadata();
  if (o.rotate) img = sharp(await img.rotate(o.rotate, { background: { r: 128, g: 128, b: 128 } }).toBuffer());
  if (o.scale) img = img.resize(Math.round(width * o.scale));
  if (o.blur) img = img.blur(o.blur);
  return img.jpeg({ quality: o.quality ?? 60 }).toBuffer();
}
