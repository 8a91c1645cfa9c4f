// BMP decoding to grey, from files built here from the format's layout (file header, DIB header,
// palette or masks, rows padded to 4 bytes): every pixel format a scanner SDK writes, and refusals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { decodeFingerImage } from '../src/finger/image.ts';
import { decodeBmpGrey } from '../src/ingest/image/bmp.ts';
import { bmp, greyRamp } from './lib/bmp.ts';

const value = (x: number, y: number) => (x * 37 + y * 11) % 256;
const errorOf = (b: Uint8Array): AppError => { try { decodeBmpGrey(b); } catch (e) { if (e instanceof AppError) return e; throw e; } throw new Error('decoded'); };

describe('BMP to grey', () => {
  it('8-bit grey palette, bottom-up, odd width (row padding)', () => {
    const g = decodeBmpGrey(bmp({ width: 13, height: 7, bpp: 8, palette: greyRamp, pixel: value }));
    expect([g.width, g.height]).toEqual([13, 7]);
    for (let y = 0; y < 7; y++) for (let x = 0; x < 13; x++) expect(g.pixels[y * 13 + x]).toBe(value(x, y));
  });

  it('24-bit top-down colour becomes BT.601 luma; 32-bit with bit-field masks; 16-bit 5-5-5', () => {
    const rgb = (x: number, y: number) => ((value(x, y) << 16) | (value(y, x) << 8) | ((x * 5) & 0xff)) >>> 0;
    const luma = (v: number) => (((v >> 16) & 255) * 77 + ((v >> 8) & 255) * 150 + (v & 255) * 29) >> 8;
    const g24 = decodeBmpGrey(bmp({ width: 5, height: 4, bpp: 24, topDown: true, pixel: rgb }));
    expect(Array.from(g24.pixels)).toEqual(Array.from({ length: 20 }, (_, i) => luma(rgb(i % 5, Math.floor(i / 5)))));
    const g32 = decodeBmpGrey(bmp({ width: 5, height: 4, bpp: 32, compression: 3, masks: [0xff0000, 0xff00, 0xff], pixel: rgb }));
    expect(Array.from(g32.pixels)).toEqual(Array.from(g24.pixels));
    const g16 = decodeBmpGrey(bmp({ width: 3, height: 2, bpp: 16, pixel: () => 0x7fff }));
    expect(Array.from(g16.pixels)).toEqual([255, 255, 255, 255, 255, 255]);
  });

  it('1-bit and 4-bit palettes, and the OS/2 core header', () => {
    const g1 = decodeBmpGrey(bmp({ width: 10, height: 3, bpp: 1, palette: [[0, 0, 0], [255, 255, 255]], pixel: (x, y) => (x + y) & 1 }));
    expect(Array.from(g1.pixels.subarray(0, 10))).toEqual([0, 255, 0, 255, 0, 255, 0, 255, 0, 255]);
    const g4 = decodeBmpGrey(bmp({ width: 3, height: 2, bpp: 4, palette: greyRamp.slice(0, 16).map(([v]) => [v * 16, v * 16, v * 16]), pixel: (x) => x + 1 }));
    expect(Array.from(g4.pixels)).toEqual([16, 32, 48, 16, 32, 48]);
    const core = decodeBmpGrey(bmp({ width: 4, height: 2, bpp: 8, core: true, palette: greyRamp, pixel: value }));
    expect(core.pixels[5]).toBe(value(1, 1));
  });

  it('a finger image as BMP goes through the finger decoder', async () => {
    const f = await decodeFingerImage(bmp({ width: 20, height: 30, bpp: 8, palette: greyRamp, pixel: value }), 1000);
    expect([f.format, f.ppi, f.image.width, f.image.height]).toEqual(['bmp', 1000, 20, 30]);
  });

  it('refuses RLE (415), oversize (413), bad headers and short pixel data (422), naming the field', () => {
    const rle = bmp({ width: 4, height: 4, bpp: 8, compression: 1, palette: greyRamp, pixel: value });
    expect([errorOf(rle).status, errorOf(rle).details?.field]).toEqual([415, 'compression']);
    const huge = bmp({ width: 4, height: 4, bpp: 8, palette: greyRamp, pixel: value });
    new DataView(huge.buffer).setInt32(18, 30_000, true);
    expect(errorOf(huge).status).toBe(413);
    const good = bmp({ width: 9, height: 9, bpp: 24, pixel: value });
    expect(errorOf(good.subarray(0, good.length - 1)).details).toMatchObject({ field: 'pixel_data' });
    const depth = good.slice(); depth[28] = 7;
    expect(errorOf(depth).details).toMatchObject({ field: 'bits_per_pixel', offset: 28 });
    const dib = good.slice(); dib[14] = 41;
    expect(errorOf(dib).details).toMatchObject({ field: 'dib_header_size', offset: 14 });
  });

  it('fuzz: truncations and byte edits give grey pixels or a 4xx, nothing else', () => {
    const seeds = [bmp({ width: 7, height: 5, bpp: 8, palette: greyRamp.slice(0, 40), pixel: (x, y) => (x + y) % 40 }), bmp({ width: 6, height: 3, bpp: 32, compression: 3, masks: [0xff0000, 0xff00, 0xff], pixel: value })];
    const check = (b: Uint8Array) => {
      try { const g = decodeBmpGrey(b); expect(g.pixels.length).toBe(g.width * g.height); } catch (e) {
        if (!(e instanceof AppError)) throw e;
        expect(e.status).toBeGreaterThanOrEqual(400); expect(e.status).toBeLessThan(500);
      }
    };
    for (const s of seeds) for (let k = 0; k < s.length; k++) check(s.subarray(0, k));
    fc.assert(fc.property(fc.integer({ min: 0, max: 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (i, edits) => {
      const b = seeds[i].slice();
      for (const [p, v] of edits) b[p % b.length] = v;
      check(b);
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => check(Uint8Array.from([0x42, 0x4d, ...b]))), { numRuns: 2000 });
  });
});
