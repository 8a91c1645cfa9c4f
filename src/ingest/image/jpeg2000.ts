// JPEG 2000 (JP2 files and raw J2K codestreams, as ICAO 9303 DG2 chip portraits carry them).
// sharp's prebuilt libvips has no JPEG 2000, so we decode with OpenJPEG compiled to WASM
// (@cornerstonejs/codec-openjpeg), which reads raw codestreams only: JP2 boxes are parsed here,
// the `jp2c` codestream handed over, and the SIZ marker read first so that the pixel limit is
// enforced before any decoding.

import { createRequire } from 'node:module';
import { AppError } from '../../errors.ts';
import type { DecodeLimits } from './limits.ts';
import { createRgb, type RgbImage } from './rgb.ts';

export const JP2_SIGNATURE = Uint8Array.of(0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a);
export const J2K_SOC_SIZ = Uint8Array.of(0xff, 0x4f, 0xff, 0x51);

export function isJp2(b: Uint8Array): boolean {
  return startsWith(b, JP2_SIGNATURE.subarray(0, 8));
}
export function isJ2k(b: Uint8Array): boolean {
  return startsWith(b, J2K_SOC_SIZ);
}

function startsWith(b: Uint8Array, sig: Uint8Array): boolean {
  if (b.length < sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[i] !== sig[i]) return false;
  return true;
}

const undecodable = (msg: string, details?: Record<string, unknown>) =>
  new AppError('IMAGE_UNDECODABLE', `JPEG 2000: ${msg}`, details);

// ---------------------------------------------------------------- codestream header (SIZ)
export interface J2kComponent {
  bits: number;
  signed: boolean;
  dx: number;
  dy: number;
}
export interface J2kHeader {
  width: number;
  height: number;
  components: J2kComponent[];
}

/** Reads the SIZ marker segment that must follow SOC (ISO/IEC 15444-1 A.5.1). */
export function readJ2kHeader(cs: Uint8Array): J2kHeader {
  if (!isJ2k(cs)) throw undecodable('codestream does not start with SOC+SIZ (FF4F FF51)', { offset: 0 });
  if (cs.length < 6 + 38) throw undecodable('codestream truncated inside SIZ', { offset: cs.length });
  const v = new DataView(cs.buffer, cs.byteOffset, cs.byteLength);
  const lsiz = v.getUint16(4);
  const xsiz = v.getUint32(8);
  const ysiz = v.getUint32(12);
  const xo = v.getUint32(16);
  const yo = v.getUint32(20);
  const csiz = v.getUint16(40);
  if (csiz < 1 || csiz > 16384 || lsiz !== 38 + 3 * csiz) {
    throw undecodable(`SIZ length ${lsiz} does not match ${csiz} components`, { offset: 4 });
  }
  if (cs.length < 4 + lsiz) throw undecodable('codestream truncated inside SIZ', { offset: cs.length });
  if (xsiz <= xo || ysiz <= yo) throw undecodable(`SIZ gives an empty image (${xsiz}x${ysiz}, origin ${xo},${yo})`, { offset: 8 });
  const components: J2kComponent[] = [];
  for (let i = 0; i < csiz; i++) {
    const o = 42 + 3 * i;
    const ssiz = cs[o];
    const dx = cs[o + 1];
    const dy = cs[o + 2];
    const bits = (ssiz & 0x7f) + 1;
    if (bits > 38 || dx === 0 || dy === 0) throw undecodable(`SIZ component ${i} is invalid`, { offset: o });
    components.push({ bits, signed: (ssiz & 0x80) !== 0, dx, dy });
  }
  return { width: xsiz - xo, height: ysiz - yo, components };
}

// ---------------------------------------------------------------- JP2 boxes
export type Jp2Colour = 'srgb' | 'grey' | 'sycc' | 'unknown';

/** Finds the contiguous codestream box (jp2c) and the colour specification of a JP2 file. */
export function unwrapJp2(b: Uint8Array): { codestream: Uint8Array; colour: Jp2Colour } {
  let colour: Jp2Colour = 'unknown';
  let codestream: Uint8Array | null = null;
  const walk = (start: number, end: number, depth: number): void => {
    let o = start;
    while (o + 8 <= end && codestream === null) {
      const v = new DataView(b.buffer, b.byteOffset + o, Math.min(16, end - o));
      let len = v.getUint32(0);
      const type = String.fromCharCode(b[o + 4], b[o + 5], b[o + 6], b[o + 7]);
      let header = 8;
      if (len === 1) {
        if (o + 16 > end) throw undecodable(`box "${type}" truncated`, { offset: o });
        const hi = v.getUint32(8);
        const lo = v.getUint32(12);
        len = hi * 2 ** 32 + lo;
        header = 16;
      } else if (len === 0) {
        len = end - o; // box runs to the end of the file
      }
      if (len < header || o + len > end) {
        // A truncated final codestream box is handed to OpenJPEG as it is (it reports the damage).
        if (type === 'jp2c' && len >= header) len = end - o;
        else throw undecodable(`box "${type}" at offset ${o} has length ${len} beyond the data`, { offset: o });
      }
      const body = o + header;
      if (type === 'jp2h' && depth === 0) walk(body, o + len, 1);
      else if (type === 'colr' && depth === 1 && o + len - body >= 3) {
        const meth = b[body];
        if (meth === 1 && o + len - body >= 7) {
          const enumcs = new DataView(b.buffer, b.byteOffset + body + 3, 4).getUint32(0);
          colour = enumcs === 16 ? 'srgb' : enumcs === 17 ? 'grey' : enumcs === 18 ? 'sycc' : 'unknown';
        }
      } else if (type === 'jp2c' && depth === 0) codestream = b.subarray(body, o + len);
      o += len;
    }
  };
  walk(0, b.length, 0);
  if (codestream === null) throw undecodable('no contiguous codestream box (jp2c) found');
  return { codestream, colour };
}

// ---------------------------------------------------------------- the WASM codec
interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}
interface EmbindObject {
  delete(): void;
}
export interface J2kDecoder extends EmbindObject {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
}
export interface J2kEncoder extends EmbindObject {
  getDecodedBuffer(frame: FrameInfo & { isUsingColorTransform: boolean }): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  setDecompositions(n: number): void;
  setCompressionRatio(layer: number, ratio: number): void;
}
export interface OpenJpegModule {
  J2KDecoder: new () => J2kDecoder;
  J2KEncoder: new () => J2kEncoder;
}

let modulePromise: Promise<OpenJpegModule> | null = null;
let lastCodecMessages: string[] = [];

/** Loads (once) the OpenJPEG WASM module. Its log lines are kept, not printed. */
export function loadOpenJpeg(): Promise<OpenJpegModule> {
  if (!modulePromise) {
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (opts: object) => Promise<OpenJpegModule>;
    const keep = (s: string) => {
      lastCodecMessages.push(String(s));
      if (lastCodecMessages.length > 20) lastCodecMessages.shift();
    };
    modulePromise = factory({ print: keep, printErr: keep });
    modulePromise.catch(() => {
      modulePromise = null;
    });
  }
  return modulePromise;
}

// ---------------------------------------------------------------- decode to RGB
export interface Jp2DecodeResult {
  image: RgbImage;
  header: J2kHeader;
}

/** Decodes a JP2 file or a J2K codestream to 8-bit RGB, enforcing the pixel limits first. */
export async function decodeJpeg2000(bytes: Uint8Array, limits: DecodeLimits): Promise<Jp2DecodeResult> {
  let codestream = bytes;
  let colour: Jp2Colour = 'unknown';
  if (isJp2(bytes)) ({ codestream, colour } = unwrapJp2(bytes));
  const header = readJ2kHeader(codestream);
  checkPixelLimits(header.width, header.height, limits);
  const first = header.components[0];
  if (header.components.some((c) => c.dx !== 1 || c.dy !== 1)) {
    throw new AppError('IMAGE_UNSUPPORTED_FORMAT', 'JPEG 2000 with subsampled components is not supported');
  }
  if (header.components.some((c) => c.bits > 16 || c.bits !== first.bits || c.signed !== first.signed)) {
    throw new AppError('IMAGE_UNSUPPORTED_FORMAT', 'JPEG 2000 components must share one depth of at most 16 bits');
  }

  const codec = await loadOpenJpeg();
  lastCodecMessages = [];
  let decoder: J2kDecoder | null = null;
  let samples: Uint8Array;
  let frame: FrameInfo;
  try {
    decoder = new codec.J2KDecoder();
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    frame = decoder.getFrameInfo();
    samples = decoder.getDecodedBuffer().slice(); // copy out of the WASM heap before delete()
  } catch (e) {
    // An abort inside WASM may leave the module unusable: start a fresh one next time.
    if (e instanceof Error && e.name === 'RuntimeError') modulePromise = null;
    throw undecodable(`OpenJPEG failed (${codecReason()})`);
  } finally {
    try {
      decoder?.delete();
    } catch {
      modulePromise = null;
    }
  }
  const bytesPer = frame.bitsPerSample > 8 ? 2 : 1;
  if (
    frame.width !== header.width ||
    frame.height !== header.height ||
    frame.componentCount !== header.components.length ||
    samples.length !== frame.width * frame.height * frame.componentCount * bytesPer
  ) {
    throw undecodable(`OpenJPEG could not decode the codestream (${codecReason()})`);
  }
  return { image: samplesToRgb(samples, frame, colour), header };
}

function codecReason(): string {
  const errors = lastCodecMessages.filter((m) => m.includes('[ERROR]'));
  return (errors.length ? errors : lastCodecMessages).slice(-2).join('; ').replace(/\s+/g, ' ').trim() || 'no detail';
}

export function checkPixelLimits(width: number, height: number, limits: DecodeLimits): void {
  if (width * height > limits.maxPixels || width > limits.maxSide || height > limits.maxSide) {
    throw new AppError(
      'IMAGE_TOO_MANY_PIXELS',
      `image is ${width}x${height} pixels; the limit is ${limits.maxPixels} pixels and ${limits.maxSide} per side`,
      { width, height, maxPixels: limits.maxPixels, maxSide: limits.maxSide },
    );
  }
}

/** Interleaved decoded samples (little-endian 16-bit above 8 bits) to 8-bit RGB. */
function samplesToRgb(samples: Uint8Array, f: FrameInfo, colour: Jp2Colour): RgbImage {
  const { width, height, componentCount: nc, bitsPerSample: bits } = f;
  const n = width * height;
  const maxIn = 2 ** bits - 1;
  const offset = f.isSigned ? 2 ** (bits - 1) : 0;
  const wide = bits > 8;
  const v16 = wide ? new DataView(samples.buffer, samples.byteOffset, samples.byteLength) : null;
  const read = (i: number): number => {
    // Signed samples come two's complement at the container width; shift them to unsigned.
    const s = f.isSigned
      ? (wide ? v16!.getInt16(2 * i, true) : (samples[i] << 24) >> 24) + offset
      : wide
        ? v16!.getUint16(2 * i, true)
        : samples[i];
    const scaled = (s * 255) / maxIn;
    return scaled < 0 ? 0 : scaled > 255 ? 255 : scaled;
  };
  const out = createRgb(width, height);
  const d = out.data;
  const colourComponents = nc >= 3 && colour !== 'grey';
  for (let i = 0; i < n; i++) {
    const o = 3 * i;
    if (!colourComponents) {
      const g = Math.round(read(i * nc));
      d[o] = d[o + 1] = d[o + 2] = g;
      continue;
    }
    const a = read(i * nc);
    const b = read(i * nc + 1);
    const c = read(i * nc + 2);
    if (colour === 'sycc') {
      // sYCC (IEC 61966-2-1 Amd 1): full-range YCbCr, chroma centred on 128.
      d[o] = clamp255(a + 1.402 * (c - 128));
      d[o + 1] = clamp255(a - 0.344136 * (b - 128) - 0.714136 * (c - 128));
      d[o + 2] = clamp255(a + 1.772 * (b - 128));
    } else {
      d[o] = Math.round(a);
      d[o + 1] = Math.round(b);
      d[o + 2] = Math.round(c);
    }
  }
  return out;
}

const clamp255 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
