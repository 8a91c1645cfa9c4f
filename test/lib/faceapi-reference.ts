// face-api's own tfjs code as the reference for our ONNX conversions (tests and benchmarks).
// face-api's dist/face-api.node-wasm.js is CommonJS and bundles its own tfjs-core; it is
// loaded through createRequire with @tensorflow/tfjs-backend-wasm (tfjs's ESM build does not
// resolve under Node 20). Also: real face crops from the packages' sample photos and ORL.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';

const require = createRequire(import.meta.url);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const faceApiDir = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
export const faceApiModelDir = path.join(faceApiDir, 'model');
export const sharedData = process.env.BIOCHECK_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');

export type RefNet = 'dlib' | 'landmark68' | 'ssd' | 'tiny';
export type RefBackend = 'wasm' | 'cpu';

/** A batch of NHWC float32 images, values 0..255 (RGB). */
export interface ImageBatch { data: Float32Array; n: number; height: number; width: number }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export class FaceApiReference {
  private constructor(readonly faceapi: Any, readonly tf: Any) {}

  static async load(backend: RefBackend, nets: RefNet[]): Promise<FaceApiReference> {
    require('@tensorflow/tfjs-backend-wasm');
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
    const tf = faceapi.tf;
    if (tf.getBackend() !== backend) {
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend '${backend}' unavailable`);
    }
    await tf.ready();
    const byName: Record<RefNet, Any> = {
      dlib: faceapi.nets.faceRecognitionNet, landmark68: faceapi.nets.faceLandmark68Net,
      ssd: faceapi.nets.ssdMobilenetv1, tiny: faceapi.nets.tinyFaceDetector,
    };
    for (const n of nets) if (!byName[n].isLoaded) await byName[n].loadFromDisk(faceApiModelDir);
    return new FaceApiReference(faceapi, tf);
  }

  get backend(): string { return this.tf.getBackend(); }

  /** One 3-D tensor per image: face-api batches arrays of images. */
  private tensors(b: ImageBatch): Any[] {
    const per = b.height * b.width * 3;
    return Array.from({ length: b.n }, (_, i) => this.tf.tensor3d(b.data.subarray(i * per, (i + 1) * per), [b.height, b.width, 3], 'float32'));
  }

  private async run(b: ImageBatch, fn: (input: Any[]) => Promise<Any>): Promise<Float32Array> {
    const inputs = this.tensors(b);
    try {
      const out = await fn(inputs);
      const data = (await out.data()) as Float32Array;
      out.dispose();
      return Float32Array.from(data);
    } finally {
      for (const t of inputs) t.dispose();
    }
  }

  /** FaceRecognitionNet.forward on 150x150 images: n x 128 descriptors. */
  descriptors(b: ImageBatch): Promise<Float32Array> {
    return this.run(b, (x) => this.faceapi.nets.faceRecognitionNet.forward(x));
  }

  /** FaceLandmark68Net.forward on 112x112 images: n x 136 (x, y interleaved, relative to the input). */
  landmarks(b: ImageBatch): Promise<Float32Array> {
    return this.run(b, (x) => this.faceapi.nets.faceLandmark68Net.forward(x));
  }

  /** SsdMobilenetv1.forward on 512x512 images: decoded boxes (n x 5118 x 4, [ymin,xmin,ymax,xmax]) and scores. */
  async ssd(b: ImageBatch): Promise<{ boxes: Float32Array; scores: Float32Array }> {
    const inputs = this.tensors(b);
    try {
      const { boxes, scores } = await this.faceapi.nets.ssdMobilenetv1.forward(inputs);
      const bx = this.tf.stack(boxes);
      const sc = this.tf.stack(scores);
      const out = { boxes: Float32Array.from(await bx.data()), scores: Float32Array.from(await sc.data()) };
      for (const t of [bx, sc, ...boxes, ...scores]) t.dispose();
      return out;
    } finally {
      for (const t of inputs) t.dispose();
    }
  }

  /** TinyFaceDetector's network output (n x 13 x 13 x 25 at 416), before face-api's JS box decoding. */
  tinyForward(b: ImageBatch): Promise<Float32Array> {
    return this.run(b, (x) => this.faceapi.nets.tinyFaceDetector.forward(x, b.width));
  }

  /** face-api's full TinyFaceDetector detection (NMS included) on one square image: boxes in its pixels. */
  async detectTiny(b: ImageBatch, scoreThreshold = 0.5): Promise<{ score: number; x: number; y: number; width: number; height: number }[]> {
    const [t] = this.tensors({ ...b, n: 1 });
    try {
      const dets = await this.faceapi.nets.tinyFaceDetector.locateFaces(t, { inputSize: b.width, scoreThreshold });
      return dets.map((d: Any) => ({ score: d.score, x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }));
    } finally {
      t.dispose();
    }
  }

  /** face-api's full SSD detection (NMS included) on one image: boxes in the image's pixels. */
  async detectSsd(b: ImageBatch, minConfidence = 0.5): Promise<{ score: number; x: number; y: number; width: number; height: number }[]> {
    const [t] = this.tensors({ ...b, n: 1 });
    try {
      const dets = await this.faceapi.nets.ssdMobilenetv1.locateFaces(t, { minConfidence, maxResults: 100 });
      return dets.map((d: Any) => ({ score: d.score, x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }));
    } finally {
      t.dispose();
    }
  }
}

// ---- real face images -------------------------------------------------------------------

/** A package's folder (human's `exports` hides its package.json, so walk up from its main file). */
function packageRoot(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const humanAssets = path.join(packageRoot('@vladmandic/human'), 'assets');

/**
 * Faces in @vladmandic/human's screenshot-facematch.jpg (a grid of ~60-90 px portraits) and
 * screenshot-facedetect.jpg, as [x, y, width, height] boxes found by face-api's SSD detector.
 */
export const SAMPLE_FACES: { file: string; box: [number, number, number, number] }[] = [
  { file: 'screenshot-facematch.jpg', box: [879, 296, 65, 92] },
  { file: 'screenshot-facematch.jpg', box: [451, 746, 61, 82] },
  { file: 'screenshot-facematch.jpg', box: [1835, 745, 51, 76] },
  { file: 'screenshot-facematch.jpg', box: [14, 732, 71, 94] },
  { file: 'screenshot-facematch.jpg', box: [129, 745, 66, 83] },
  { file: 'screenshot-facematch.jpg', box: [15, 9, 142, 191] },
  { file: 'screenshot-facematch.jpg', box: [1422, 633, 53, 77] },
  { file: 'screenshot-facematch.jpg', box: [1622, 294, 68, 86] },
  { file: 'screenshot-facedetect.jpg', box: [41, 355, 80, 103] },
  { file: 'screenshot-facedetect.jpg', box: [201, 352, 83, 103] },
  { file: 'screenshot-facedetect.jpg', box: [499, 346, 84, 113] },
  { file: 'screenshot-faceid.jpg', box: [48, 150, 74, 103] },
];

/** Whole sample photos with several faces, for the detector. */
export const SAMPLE_PHOTOS = ['samples.jpg', 'screenshot-facedetect.jpg', 'screenshot-faceid.jpg', 'screenshot-facematch.jpg', 'screenshot-vrm.jpg'];

async function rgbFloat(img: Sharp): Promise<Float32Array> {
  const { data } = await img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return Float32Array.from(data);
}

function concat(parts: Float32Array[], size: number): ImageBatch {
  const data = new Float32Array(parts.length * size * size * 3);
  parts.forEach((p, i) => data.set(p, i * size * size * 3));
  return { data, n: parts.length, height: size, width: size };
}

/** Square crops around the sample faces (box enlarged by `margin`), resized to size x size. */
export async function sampleFaceCrops(size: number, count = SAMPLE_FACES.length, margin = 0.2): Promise<ImageBatch> {
  const parts: Float32Array[] = [];
  for (const { file, box } of SAMPLE_FACES.slice(0, count)) {
    const img = sharp(path.join(humanAssets, file));
    const { width = 0, height = 0 } = await img.metadata();
    const side = Math.round(Math.max(box[2], box[3]) * (1 + 2 * margin));
    const cx = box[0] + box[2] / 2; const cy = box[1] + box[3] / 2;
    const left = Math.max(0, Math.min(width - side, Math.round(cx - side / 2)));
    const top = Math.max(0, Math.min(height - side, Math.round(cy - side / 2)));
    parts.push(await rgbFloat(img.extract({ left, top, width: side, height: side }).resize(size, size, { kernel: 'cubic' })));
  }
  return concat(parts, size);
}

/** A whole sample photo letterboxed as face-api's SSD does: padded bottom/right to square, resized. */
export async function samplePhotoSquare(file: string, size: number): Promise<{ batch: ImageBatch; scale: number; width: number; height: number }> {
  const img = sharp(path.join(humanAssets, file));
  const { width = 0, height = 0 } = await img.metadata();
  const side = Math.max(width, height);
  const padded = img.removeAlpha().extend({ right: side - width, bottom: side - height, background: { r: 0, g: 0, b: 0 } });
  const data = await rgbFloat(sharp(await padded.png().toBuffer()).resize(size, size, { kernel: 'cubic' }));
  return { batch: { data, n: 1, height: size, width: size }, scale: size / side, width, height };
}

/** Binary (P5) 8-bit PGM as a sharp image: sharp's libvips build here has no PGM loader. */
function readPgm(file: string): Sharp {
  const buf = readFileSync(file);
  const fields: string[] = [];
  let i = 2;
  if (buf.toString('latin1', 0, 2) !== 'P5') throw new Error(`${file}: not a binary PGM`);
  while (fields.length < 3) {
    while (/\s/.test(String.fromCharCode(buf[i]))) i++;
    if (buf[i] === 0x23) { while (buf[i] !== 0x0a) i++; continue; }
    let tok = '';
    while (!/\s/.test(String.fromCharCode(buf[i]))) tok += String.fromCharCode(buf[i++]);
    fields.push(tok);
  }
  const [width, height, max] = fields.map(Number);
  if (max > 255) throw new Error(`${file}: 16-bit PGM not supported`);
  const pixels = buf.subarray(i + 1, i + 1 + width * height);
  return sharp(pixels, { raw: { width, height, channels: 1 } });
}

/** The ORL folder, or null (with the reason) when the shared data is absent. */
export function orlDir(): string | null {
  const dir = path.join(sharedData, 'faces', 'orl');
  return existsSync(path.join(dir, 's1')) ? dir : null;
}

/** ORL images (92x112 greyscale) padded to square and resized, as RGB: the first `perSubject` of `subjects` people. */
export async function orlCrops(size: number, subjects: number, perSubject: number): Promise<{ batch: ImageBatch; labels: number[] }> {
  const dir = orlDir();
  if (!dir) throw new Error('ORL data absent');
  const parts: Float32Array[] = []; const labels: number[] = [];
  const people = readdirSync(dir).filter((d) => /^s\d+$/.test(d)).sort((a, b) => +a.slice(1) - +b.slice(1)).slice(0, subjects);
  for (const p of people) {
    for (let i = 1; i <= perSubject; i++) {
      const img = readPgm(path.join(dir, p, `${i}.pgm`)).toColourspace('srgb');
      parts.push(await rgbFloat(img.resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0 }, kernel: 'cubic' })));
      labels.push(+p.slice(1));
    }
  }
  return { batch: concat(parts, size), labels };
}
