// Test images: a real face (from @vladmandic/face-api's demo photos) with hand-marked
// landmarks, variants made with sharp, hostile headers, JPEG 2000 made with OpenJPEG's encoder,
// and synthetic 5-point geometries of a 3-D mean face at known poses.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import type { RgbImage, Point, Box } from '../../src/face/image.js';
import { loadOpenJpeg } from '../../src/ingest/image/jpeg2000.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Real photos that ship in node_modules (installed with the project). */
export const REAL_PHOTO = path.join(repoRoot, 'node_modules/@vladmandic/face-api/demo/sample3.jpg');
export const REAL_GROUP_PHOTO = path.join(repoRoot, 'node_modules/@vladmandic/human/assets/samples.jpg');

/**
 * The middle woman in sample3.jpg (frontal, smiling, slight roll): landmarks marked by hand on a
 * zoomed grid (about ±3 px), in full-image pixels, ArcFace order (image-left eye first).
 */
export const REAL_FACE = {
  landmarks: [
    { x: 1119, y: 319 },
    { x: 1221, y: 341 },
    { x: 1152, y: 397 },
    { x: 1105, y: 425 },
    { x: 1195, y: 442 },
  ] as Point[],
  box: { x: 1080, y: 230, width: 220, height: 290 } as Box,
};

/** The region of sample3.jpg cut out as the "portrait" the tests work on (keeps tests fast). */
export const PORTRAIT_REGION = { left: 930, top: 130, width: 520, height: 520 };

export function shiftPoints(points: Point[], dx: number, dy: number): Point[] {
  return points.map((p) => ({ x: p.x + dx, y: p.y + dy }));
}

/** The portrait crop as encoded PNG bytes (lossless base for every variant). */
export async function portraitPng(): Promise<Buffer> {
  return sharp(REAL_PHOTO).extract(PORTRAIT_REGION).png().toBuffer();
}

/** Landmarks/box of the real face in portrait coordinates. */
export const PORTRAIT_FACE = {
  landmarks: shiftPoints(REAL_FACE.landmarks, -PORTRAIT_REGION.left, -PORTRAIT_REGION.top),
  box: { ...REAL_FACE.box, x: REAL_FACE.box.x - PORTRAIT_REGION.left, y: REAL_FACE.box.y - PORTRAIT_REGION.top },
};

/** Raw RGB from any sharp pipeline (grey expanded, alpha dropped). */
export async function rgbOf(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const n = info.width * info.height;
  const rgb = new Uint8Array(n * 3);
  if (info.channels === 1) for (let i = 0; i < n; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = data[i];
  else if (info.channels === 3) rgb.set(data);
  else throw new Error(`expected 1 or 3 channels, got ${info.channels}`);
  return { width: info.width, height: info.height, channels: 3, data: rgb };
}

export function rgbToSharp(img: RgbImage): Sharp {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 3 },
  });
}

// ---------------------------------------------------------------- hostile headers
/** A valid-looking PNG whose IHDR claims width x height (with correct CRCs) and a tiny IDAT. */
export function pngWithHeader(width: number, height: number): Uint8Array {
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type, 'latin1'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(tb) >>> 0);
    return Buffer.concat([len, tb, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const idat = zlib.deflateSync(Buffer.alloc(1024)); // the first scanlines of zeros: a classic bomb start
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', idat),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

/** Rewrites the frame size in a baseline/progressive JPEG's SOF marker. */
export function jpegWithFrameSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const b = Buffer.from(jpeg);
  let o = 2;
  while (o + 4 < b.length) {
    if (b[o] !== 0xff) throw new Error(`no marker at ${o}`);
    const m = b[o + 1];
    const len = b.readUInt16BE(o + 2);
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      b.writeUInt16BE(height, o + 5);
      b.writeUInt16BE(width, o + 7);
      return new Uint8Array(b);
    }
    o += 2 + len;
  }
  throw new Error('no SOF marker');
}

// ---------------------------------------------------------------- JPEG 2000
/** Encodes RGB (or its luminance, components 1) to a raw J2K codestream with OpenJPEG (lossless). */
export async function encodeJ2k(img: RgbImage, opts: { components?: 1 | 3; bits?: 8 | 16 } = {}): Promise<Uint8Array> {
  const components = opts.components ?? 3;
  const bits = opts.bits ?? 8;
  const codec = await loadOpenJpeg();
  const enc = new codec.J2KEncoder();
  try {
    const frame = { width: img.width, height: img.height, bitsPerSample: bits, componentCount: components, isSigned: false, isUsingColorTransform: components === 3 };
    const buf = enc.getDecodedBuffer(frame);
    const n = img.width * img.height;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < components; c++) {
        const v =
          components === 3
            ? img.data[3 * i + c]
            : Math.round(0.299 * img.data[3 * i] + 0.587 * img.data[3 * i + 1] + 0.114 * img.data[3 * i + 2]);
        const idx = i * components + c;
        if (bits === 16) dv.setUint16(2 * idx, v * 257, true);
        else buf[idx] = v;
      }
    }
    enc.encode();
    return new Uint8Array(enc.getEncodedBuffer()).slice();
  } finally {
    enc.delete();
  }
}

/** Wraps a codestream in the minimal JP2 box structure (signature, ftyp, jp2h{ihdr,colr}, jp2c). */
export function wrapJp2(codestream: Uint8Array, width: number, height: number, components: number, enumcs: 16 | 17 | 18): Uint8Array {
  const box = (type: string, body: Buffer) => {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(8 + body.length);
    h.write(type, 4, 'latin1');
    return Buffer.concat([h, body]);
  };
  const ihdr = Buffer.alloc(14);
  ihdr.writeUInt32BE(height, 0);
  ihdr.writeUInt32BE(width, 4);
  ihdr.writeUInt16BE(components, 8);
  ihdr[10] = 7; // 8 bits, unsigned
  ihdr[11] = 7; // compression type: JPEG 2000
  const colr = Buffer.alloc(7);
  colr[0] = 1; // enumerated colour space
  colr.writeUInt32BE(enumcs, 3);
  const ftyp = Buffer.concat([Buffer.from('jp2 '), Buffer.alloc(4), Buffer.from('jp2 ')]);
  return new Uint8Array(
    Buffer.concat([
      box('jP  ', Buffer.from([0x0d, 0x0a, 0x87, 0x0a])),
      box('ftyp', ftyp),
      box('jp2h', Buffer.concat([box('ihdr', ihdr), box('colr', colr)])),
      box('jp2c', Buffer.from(codestream)),
    ]),
  );
}

// ---------------------------------------------------------------- image comparisons
export function meanAbsDiff(a: RgbImage, b: RgbImage, margin = 0): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('size mismatch');
  let s = 0, n = 0;
  for (let y = margin; y < a.height - margin; y++) {
    for (let x = margin; x < a.width - margin; x++) {
      const o = 3 * (y * a.width + x);
      for (let k = 0; k < 3; k++) s += Math.abs(a.data[o + k] - b.data[o + k]);
      n += 3;
    }
  }
  return s / n;
}

// ---------------------------------------------------------------- synthetic pose geometry
/**
 * A 3-D mean face in inter-eye units (x right on screen, y down, z towards the camera):
 * proportions of the ArcFace template for the frontal view, the nose tip 0.5 in front of the
 * eye/mouth plane. Independent of the estimator's constants.
 */
const FACE_3D = {
  eyeL: [-0.5, 0, 0],
  eyeR: [0.5, 0, 0],
  nose: [0, 0.57, 0.55],
  mouthL: [-0.41, 1.16, 0.02],
  mouthR: [0.41, 1.16, 0.02],
} as const;

/**
 * Projects the mean face (weak perspective) at yaw (about y, > 0 nose to image-right), pitch
 * (about x, > 0 looking up) and roll (in-plane, > 0 clockwise on screen), scaled to `ied` px
 * between the eyes and centred at (cx, cy). Returns landmarks in ArcFace order.
 */
export function syntheticLandmarks(yawDeg: number, pitchDeg: number, rollDeg: number, ied = 60, cx = 200, cy = 200): Point[] {
  const r = Math.PI / 180;
  const [cyw, syw] = [Math.cos(yawDeg * r), Math.sin(yawDeg * r)];
  const [cp, sp] = [Math.cos(pitchDeg * r), Math.sin(pitchDeg * r)];
  const [cr, sr] = [Math.cos(rollDeg * r), Math.sin(rollDeg * r)];
  const pts = [FACE_3D.eyeL, FACE_3D.eyeR, FACE_3D.nose, FACE_3D.mouthL, FACE_3D.mouthR];
  return pts.map(([x0, y0, z0]) => {
    // yaw: a point in front (z > 0) moves to +x
    const x1 = x0 * cyw + z0 * syw;
    const z1 = -x0 * syw + z0 * cyw;
    // pitch (looking up): a point in front moves up (-y)
    const y2 = y0 * cp - z1 * sp;
    // roll: clockwise on screen with y down
    const x3 = x1 * cr - y2 * sr;
    const y3 = x1 * sr + y2 * cr;
    return { x: cx + ied * x3, y: cy + ied * y3 };
  });
}
