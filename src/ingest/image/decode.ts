// Image bytes → 8-bit RGB. The format is told by magic bytes (never by Content-Type); the size
// limits are enforced on the encoded length and on the header's dimensions before any pixel
// is decoded; every failure is an AppError (413/415/422), never a crash.

import sharp, { type SharpOptions } from 'sharp';
import { AppError, isAppError } from '../../errors.ts';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './limits.ts';
import type { RgbImage } from './rgb.ts';
import { checkPixelLimits, decodeJpeg2000, isJ2k, isJp2 } from './jpeg2000.ts';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'jp2' | 'j2k';

export interface DecodedImage extends RgbImage {
  format: ImageFormat;
  /** True when EXIF orientation asked for a rotation/flip and it was applied. */
  orientationApplied: boolean;
}

const MAGIC: { format: ImageFormat; test: (b: Uint8Array) => boolean }[] = [
  { format: 'jpeg', test: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    format: 'png',
    test: (b) => b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v),
  },
  {
    format: 'webp',
    test: (b) => b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP',
  },
  {
    format: 'tiff',
    test: (b) =>
      b.length >= 4 &&
      ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0x00) ||
        (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0x00 && b[3] === 0x2a)),
  },
  { format: 'jp2', test: isJp2 },
  { format: 'j2k', test: isJ2k },
];

function ascii(b: Uint8Array, start: number, n: number): string {
  return String.fromCharCode(...b.subarray(start, start + n));
}

export function detectFormat(bytes: Uint8Array): ImageFormat | null {
  for (const m of MAGIC) if (m.test(bytes)) return m.format;
  return null;
}

/** Decodes an image to RGB, honouring EXIF orientation; see DecodeLimits for the limits. */
export async function decodeImage(bytes: Uint8Array, limits: Partial<DecodeLimits> = {}): Promise<DecodedImage> {
  const lim: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...limits };
  if (bytes.length > lim.maxBytes) {
    throw new AppError('IMAGE_TOO_LARGE', `image is ${bytes.length} bytes; the limit is ${lim.maxBytes}`, {
      bytes: bytes.length,
      maxBytes: lim.maxBytes,
    });
  }
  if (bytes.length === 0) throw new AppError('IMAGE_UNDECODABLE', 'image is empty');
  const format = detectFormat(bytes);
  if (format === null) {
    throw new AppError(
      'IMAGE_UNSUPPORTED_FORMAT',
      'image format not recognised from its first bytes (accepted: JPEG, PNG, WebP, TIFF, JPEG 2000 JP2/J2K)',
    );
  }
  try {
    if (format === 'jp2' || format === 'j2k') {
      const { image } = await decodeJpeg2000(bytes, lim);
      return { ...image, format, orientationApplied: false };
    }
    return await decodeWithSharp(bytes, format, lim);
  } catch (e) {
    if (isAppError(e)) throw e;
    if (/pixel limit/i.test(shortReason(e))) {
      throw new AppError('IMAGE_TOO_MANY_PIXELS', `image exceeds the limit of ${lim.maxPixels} pixels`);
    }
    throw new AppError('IMAGE_UNDECODABLE', `${format.toUpperCase()} could not be decoded: ${shortReason(e)}`);
  }
}

async function decodeWithSharp(bytes: Uint8Array, format: ImageFormat, lim: DecodeLimits): Promise<DecodedImage> {
  // failOn 'error': truncated or corrupt data is refused rather than half-decoded in grey, while
  // libjpeg's benign warnings (extraneous bytes before a marker: common in camera files) pass.
  const options: SharpOptions = { limitInputPixels: lim.maxPixels, failOn: 'error', sequentialRead: true };
  // Header only; without the pixel limit so that an oversized image is reported with its size.
  const meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  if (!meta.width || !meta.height) throw new AppError('IMAGE_UNDECODABLE', `${format.toUpperCase()} header gives no dimensions`);
  checkPixelLimits(meta.width, meta.height, lim);
  const orientation = meta.orientation ?? 1;

  let pipeline = sharp(bytes, options).rotate(); // applies EXIF orientation, then drops the tag
  if (meta.hasAlpha) pipeline = pipeline.flatten({ background: { r: 255, g: 255, b: 255 } });
  const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  let rgb: Uint8Array = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (info.channels === 1) rgb = expandGrey(rgb);
  else if (info.channels === 4 || info.channels === 2) rgb = dropExtraBands(rgb, info.channels);
  else if (info.channels !== 3) throw new AppError('IMAGE_UNSUPPORTED_FORMAT', `image has ${info.channels} bands`);
  if (rgb.length !== info.width * info.height * 3) throw new AppError('IMAGE_UNDECODABLE', 'decoded size mismatch');
  return {
    width: info.width,
    height: info.height,
    channels: 3,
    data: rgb,
    format,
    orientationApplied: orientation >= 2 && orientation <= 8,
  };
}

function expandGrey(g: Uint8Array): Uint8Array {
  const out = new Uint8Array(g.length * 3);
  for (let i = 0; i < g.length; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = g[i];
  return out;
}

function dropExtraBands(src: Uint8Array, bands: number): Uint8Array {
  const n = src.length / bands;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (bands === 2) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = src[2 * i];
    else for (let k = 0; k < 3; k++) out[3 * i + k] = src[bands * i + k];
  }
  return out;
}

/** libvips messages can carry paths or long dumps: keep the first line, bounded. */
function shortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line = msg.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return line.trim().slice(0, 200);
}
