import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { decodeImage, detectFormat, type DecodedImage } from '../src/ingest/image/decode.ts';
import { readJ2kHeader, unwrapJp2 } from '../src/ingest/image/jpeg2000.ts';
import { AppError } from '../src/errors.js';
import type { RgbImage } from '../src/face/image.js';
import {
  REAL_GROUP_PHOTO,
  encodeJ2k,
  jpegWithFrameSize,
  meanAbsDiff,
  pngWithHeader,
  portraitPng,
  rgbOf,
  rgbToSharp,
  wrapJp2,
} from './lib/images.js';

/** Runs `fn`; the test fails unless it throws an AppError (any code, or the given ones). */
async function expectAppError(fn: () => Promise<unknown>, codes?: string[]): Promise<AppError> {
  try {
    await fn();
  } catch (e) {
    expect(e, `threw ${String(e)}`).toBeInstanceOf(AppError);
    if (codes) expect(codes).toContain((e as AppError).code);
    return e as AppError;
  }
  throw new Error('expected an AppError, but decoding succeeded');
}

let base: RgbImage; // 520x520 real portrait, reference pixels
let small: RgbImage; // 130x130 copy for the many hostile-input runs
const encoded: Record<string, Uint8Array> = {};

beforeAll(async () => {
  const png = await portraitPng();
  base = await rgbOf(sharp(png));
  small = await rgbOf(sharp(png).resize(130));
  const s = () => rgbToSharp(small);
  encoded.jpeg = new Uint8Array(await s().jpeg({ quality: 90 }).toBuffer());
  encoded.png = new Uint8Array(await s().png().toBuffer());
  encoded.webp = new Uint8Array(await s().webp({ lossless: true }).toBuffer());
  encoded.tiff = new Uint8Array(await s().tiff({ compression: 'lzw' }).toBuffer());
  encoded.j2k = await encodeJ2k(small);
  encoded.jp2 = wrapJp2(encoded.j2k, small.width, small.height, 3, 16);
});

describe('format detection', () => {
  it('tells every format by its magic bytes', () => {
    for (const [fmt, bytes] of Object.entries(encoded)) expect(detectFormat(bytes)).toBe(fmt);
    expect(detectFormat(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(detectFormat(new Uint8Array([0xff, 0xd8]))).toBeNull();
  });
});

describe('decodeImage: formats', () => {
  it('decodes JPEG, PNG, WebP, TIFF, J2K and JP2 to the same RGB pixels', async () => {
    for (const [fmt, bytes] of Object.entries(encoded)) {
      const img = await decodeImage(bytes);
      expect(img.format).toBe(fmt);
      expect([img.width, img.height, img.channels, img.data.length]).toEqual([130, 130, 3, 130 * 130 * 3]);
      // lossless formats are exact; JPEG q90 is close
      expect(meanAbsDiff(img, small), fmt).toBeLessThan(fmt === 'jpeg' ? 4 : 0.01);
      expect(img.orientationApplied).toBe(false);
    }
  });

  it('expands grey input to three equal channels (JPEG and 16-bit J2K)', async () => {
    const grey = new Uint8Array(await rgbToSharp(small).greyscale().jpeg().toBuffer());
    const g = await decodeImage(grey);
    expect(g.channels).toBe(3);
    for (let i = 0; i < g.data.length; i += 3 * 97) {
      expect(g.data[i]).toBe(g.data[i + 1]);
      expect(g.data[i]).toBe(g.data[i + 2]);
    }
    const j = await decodeImage(await encodeJ2k(small, { components: 1, bits: 16 }));
    const lum = (img: RgbImage, i: number) => 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
    let err = 0;
    for (let i = 0; i < j.data.length; i += 3) err = Math.max(err, Math.abs(j.data[i] - lum(small, i)), Math.abs(j.data[i] - j.data[i + 2]));
    expect(err).toBeLessThanOrEqual(1);
  });

  it('handles 16-bit and alpha PNGs (alpha flattened onto white)', async () => {
    const png16 = new Uint8Array(await rgbToSharp(small).toColourspace('rgb16').png().toBuffer());
    expect(meanAbsDiff(await decodeImage(png16), small)).toBeLessThan(0.6);
    // a half-transparent red square
    const rgba = Buffer.alloc(8 * 8 * 4);
    for (let i = 0; i < 64; i++) rgba.set([255, 0, 0, 128], 4 * i);
    const png = new Uint8Array(await sharp(rgba, { raw: { width: 8, height: 8, channels: 4 } }).png().toBuffer());
    const img = await decodeImage(png);
    expect([img.data[0], img.data[1], img.data[2]].map((v) => Math.round(v / 8))).toEqual([32, 16, 16]); // (255, 127, 127)
  });

  it.each([
    [3, 180],
    [6, 90],
    [8, 270],
  ])('honours EXIF orientation %i (rotate %i° clockwise)', async (orientation, degrees) => {
    const wide = await rgbOf(rgbToSharp(small).extract({ left: 0, top: 20, width: 130, height: 80 }));
    const tagged = new Uint8Array(await rgbToSharp(wide).jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer());
    const img: DecodedImage = await decodeImage(tagged);
    expect(img.orientationApplied).toBe(true);
    expect([img.width, img.height]).toEqual(degrees === 180 ? [130, 80] : [80, 130]);
    const rotated = await rgbOf(rgbToSharp(wide).rotate(degrees));
    expect(meanAbsDiff(img, rotated)).toBeLessThan(3);
  });

  it('decodes the real photos shipped with the face packages', async () => {
    const bytes = new Uint8Array(await readFile(REAL_GROUP_PHOTO));
    const img = await decodeImage(bytes);
    expect([img.format, img.width, img.height]).toEqual(['jpeg', 1280, 1158]);
    await expectAppError(() => decodeImage(bytes, { maxPixels: 1_000_000 }), ['IMAGE_TOO_MANY_PIXELS']);
  });

  it('decodes a JP2 whose colour box says sYCC (converts to RGB)', async () => {
    // Build YCbCr components by hand, encode without the codestream colour transform.
    const ycc: RgbImage = { ...small, data: new Uint8Array(small.data.length) };
    for (let i = 0; i < small.data.length; i += 3) {
      const [r, g, b] = [small.data[i], small.data[i + 1], small.data[i + 2]];
      const y = 0.299 * r + 0.587 * g + 0.114 * b;
      ycc.data[i] = Math.round(y);
      ycc.data[i + 1] = Math.max(0, Math.min(255, Math.round(128 + (b - y) / 1.772)));
      ycc.data[i + 2] = Math.max(0, Math.min(255, Math.round(128 + (r - y) / 1.402)));
    }
    const jp2 = wrapJp2(await encodeJ2k(ycc), 130, 130, 3, 18);
    expect(unwrapJp2(jp2).colour).toBe('sycc');
    expect(meanAbsDiff(await decodeImage(jp2), small)).toBeLessThan(1.5);
  });
});

describe('decodeImage: limits', () => {
  it('refuses inputs over maxBytes before looking at them (413)', async () => {
    const e = await expectAppError(() => decodeImage(encoded.png, { maxBytes: 1000 }), ['IMAGE_TOO_LARGE']);
    expect(e.status).toBe(413);
  });

  it('refuses a PNG header claiming 100000x100000 without decoding it', async () => {
    const bomb = pngWithHeader(100_000, 100_000);
    expect(bomb.length).toBeLessThan(200);
    const e = await expectAppError(() => decodeImage(bomb), ['IMAGE_TOO_MANY_PIXELS']);
    expect(e.status).toBe(413);
  });

  it('refuses a JPEG whose frame header claims 60000x60000, and a long thin strip', async () => {
    await expectAppError(() => decodeImage(jpegWithFrameSize(encoded.jpeg, 60_000, 60_000)), ['IMAGE_TOO_MANY_PIXELS']);
    await expectAppError(() => decodeImage(pngWithHeader(50_000, 2)), ['IMAGE_TOO_MANY_PIXELS']);
  });

  it('applies maxPixels to every format, J2K from its SIZ marker', async () => {
    for (const [fmt, bytes] of Object.entries(encoded)) {
      const e = await expectAppError(() => decodeImage(bytes, { maxPixels: 100 * 100 }), ['IMAGE_TOO_MANY_PIXELS']);
      expect(e.details, fmt).toMatchObject({ width: 130, height: 130 });
    }
    // a J2K codestream whose SIZ claims 50000x50000 is refused before OpenJPEG sees it
    const big = encoded.j2k.slice();
    const v = new DataView(big.buffer);
    v.setUint32(8, 50_000);
    v.setUint32(12, 50_000);
    expect(readJ2kHeader(big)).toMatchObject({ width: 50_000, height: 50_000 });
    await expectAppError(() => decodeImage(big), ['IMAGE_TOO_MANY_PIXELS']);
  });

  it('answers 415 for unknown formats and 422 for empty input', async () => {
    const gif = new TextEncoder().encode('GIF89a\x01\x00\x01\x00');
    expect((await expectAppError(() => decodeImage(gif), ['IMAGE_UNSUPPORTED_FORMAT'])).status).toBe(415);
    expect((await expectAppError(() => decodeImage(new Uint8Array(0)), ['IMAGE_UNDECODABLE'])).status).toBe(422);
  });
});

describe('decodeImage: hostile bytes never crash', () => {
  // A deterministic generator so failures reproduce.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

  it.each(['jpeg', 'png', 'webp', 'tiff', 'j2k', 'jp2'])('%s: truncations and bit flips give AppErrors or images', async (fmt) => {
    const bytes = encoded[fmt];
    const cuts = [1, 2, 4, 8, 12, 16, 30, 50, 100, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2), bytes.length - 1];
    for (const cut of cuts) {
      // Truncated files are refused with a client error. Only a cut after the last pixel byte
      // (e.g. into PNG's IEND checksum) may decode, and then to the complete image.
      const truncated = bytes.subarray(0, cut);
      if (cut < bytes.length / 2) {
        await expectAppError(() => decodeImage(truncated), ['IMAGE_UNDECODABLE', 'IMAGE_UNSUPPORTED_FORMAT']);
        continue;
      }
      try {
        const img = await decodeImage(truncated);
        expect(meanAbsDiff(img, small), `${fmt} cut at ${cut}`).toBeLessThan(fmt === 'jpeg' ? 4 : 0.01);
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect(['IMAGE_UNDECODABLE', 'IMAGE_UNSUPPORTED_FORMAT']).toContain((e as AppError).code);
      }
    }
    for (let trial = 0; trial < 25; trial++) {
      const bad = bytes.slice();
      const flips = 1 + Math.floor(rand() * 8);
      for (let f = 0; f < flips; f++) {
        const pos = Math.floor(rand() * bad.length);
        bad[pos] ^= 1 << Math.floor(rand() * 8);
      }
      try {
        const img = await decodeImage(bad);
        expect(img.data.length).toBe(img.width * img.height * 3); // a flip in pixel data may still decode
      } catch (e) {
        expect(e, `${fmt} trial ${trial} threw ${String(e)}`).toBeInstanceOf(AppError);
        expect(['IMAGE_UNDECODABLE', 'IMAGE_UNSUPPORTED_FORMAT', 'IMAGE_TOO_MANY_PIXELS']).toContain((e as AppError).code);
      }
    }
  });

  it('still decodes J2K after the codec saw garbage', async () => {
    const garbage = encoded.j2k.slice();
    for (let i = 60; i < garbage.length; i += 7) garbage[i] ^= 0x5a;
    await decodeImage(garbage).catch((e) => expect(e).toBeInstanceOf(AppError));
    expect(meanAbsDiff(await decodeImage(encoded.j2k), small)).toBeLessThan(0.01);
  });

  it('accepts a JPEG with junk bytes before a marker (a libjpeg warning, not an error)', async () => {
    const j = Buffer.from(encoded.jpeg);
    let o = 2;
    while (j[o + 1] !== 0xda) o += 2 + j.readUInt16BE(o + 2); // walk the segments to SOS
    const junk = new Uint8Array(Buffer.concat([j.subarray(0, o), Buffer.from([1, 2, 3]), j.subarray(o)]));
    expect(meanAbsDiff(await decodeImage(junk), small)).toBeLessThan(4);
  });

  it('decodes the full-size portrait identically from PNG', async () => {
    const img = await decodeImage(await portraitPng());
    expect(meanAbsDiff(img, base)).toBe(0);
  });
});
