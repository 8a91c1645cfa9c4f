// ISO/IEC 19794-4:2011 finger image records (built from the standard's tables in test/lib), and JPEG 2000
// and PNG finger images inside a 19794-4 record and an ITL Type-14 record, decoded to the pixels sent.
import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { decodeFingerImage, decodeFingerImages } from '../src/finger/image.ts';
import { parseFingerImageRecord } from '../src/ingest/image-records/finger-image-record.ts';
import { extractProbes, parseTransaction } from '../src/ingest/itl/index.ts';
import { fingerImageRecord2011 } from './lib/finger-image-records.ts';
import { encodeJ2k } from './lib/images.ts';
import { encodeWsq, ridgeImage } from './lib/wsq-encode.ts';
import { tagged, transaction, type1 } from './itl-fixtures.ts';

const raw = (w: number, h: number) => ({ width: w, height: h, data: ridgeImage(w, h) });
const refusal = (b: Uint8Array): AppError => {
  try { parseFingerImageRecord(b); } catch (e) { if (e instanceof AppError) return e; throw e; }
  throw new Error('parsed a record that should be refused');
};
const W = 64, H = 72;
const grey = ridgeImage(W, H);
let png: Uint8Array;
let j2k: Uint8Array;
beforeAll(async () => {
  png = new Uint8Array(await sharp(grey, { raw: { width: W, height: H, channels: 1 } }).png().toBuffer());
  const rgb = new Uint8Array(W * H * 3);
  for (let i = 0; i < grey.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
  j2k = await encodeJ2k({ width: W, height: H, channels: 3, data: rgb });
});
const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

describe('ISO/IEC 19794-4:2011 finger image records', () => {
  it('reads representations with quality and certification blocks and skips extended data', () => {
    const wsq = encodeWsq(ridgeImage(48, 56), 48, 56);
    const rec = parseFingerImageRecord(fingerImageRecord2011([
      { position: 2, ...raw(40, 50), quality: [[77, 0x0101, 1], [255, 0x0102, 2]], extended: Uint8Array.of(0, 1, 0, 6, 9, 9) },
      { position: 7, width: 48, height: 56, data: wsq, compression: 2 },
    ], { certified: true }));
    expect(rec.standard).toBe('ISO/IEC 19794-4:2011');
    expect(rec.views.map((v) => [v.position, v.viewNumber, v.width, v.height, v.ppi, v.compression, v.quality])).toEqual([
      [2, 0, 40, 50, 500, 'raw', 77], [7, 1, 48, 56, 500, 'wsq', 80],
    ]);
    expect(rec.views[0].data.length).toBe(2000);
    expect(Buffer.from(rec.views[1].data).equals(Buffer.from(wsq))).toBe(true);
  });

  it('pixels per cm become pixels per inch; compression 4 and 5 are JPEG 2000, 6 PNG', () => {
    const rec = parseFingerImageRecord(fingerImageRecord2011([
      { position: 1, ...raw(10, 10), compression: 4 }, { position: 1, ...raw(10, 10), compression: 5 }, { position: 1, ...raw(10, 10), compression: 6 },
    ], { ppcm: 394 }));
    expect(rec.views.map((v) => [v.ppi, v.compression])).toEqual([[1001, 'jp2'], [1001, 'jp2'], [1001, 'png']]);
  });

  it('refusals name the field and offset', () => {
    const good = fingerImageRecord2011([{ position: 2, ...raw(40, 50) }]);
    const cut = refusal(good.subarray(0, good.length - 1));
    expect([cut.code, cut.details]).toEqual(['IMAGE_RECORD_TRUNCATED', { field: 'record_length', offset: 8 }]);
    const longer = good.slice(); longer[16 + 3] += 1; // representation length one byte past the record
    expect([refusal(longer).code, refusal(longer).details?.field]).toEqual(['IMAGE_RECORD_TRUNCATED', 'representation[0].representation_length']);
    const dataLen = good.slice(); new DataView(dataLen.buffer).setUint32(16 + 42, 2001);
    expect([refusal(dataLen).code, refusal(dataLen).details]).toEqual(['IMAGE_RECORD_MALFORMED', { field: 'representation[0].image_data_length', offset: 58 }]);
    const size = good.slice(); size[16 + 39] = 41; // width 41: 40x50 bytes do not fit
    expect(refusal(size).details?.field).toBe('representation[0].image_data');
    const comp = fingerImageRecord2011([{ position: 2, ...raw(4, 4), compression: 7 }]);
    expect([refusal(comp).code, refusal(comp).details?.field]).toEqual(['IMAGE_RECORD_MALFORMED', 'representation[0].compression_algorithm']);
    const packed = fingerImageRecord2011([{ position: 2, ...raw(4, 4), compression: 1 }]);
    expect([refusal(packed).status, refusal(packed).details?.field]).toEqual([415, 'representation[0].bit_depth']);
    const slap = fingerImageRecord2011([{ position: 13, ...raw(4, 4) }]);
    expect([refusal(slap).status, refusal(slap).details?.field]).toEqual([415, 'representation[0].finger_position']);
    const count = good.slice(); count[13] = 2;
    expect(refusal(count).details?.field).toMatch(/^representation\[1\]/);
    const flag = good.slice(); flag[14] = 2;
    expect(refusal(flag).details).toEqual({ field: 'certification_flag', offset: 14 });
    const score = fingerImageRecord2011([{ position: 2, ...raw(4, 4), quality: [[101, 1, 1]] }]);
    expect(refusal(score).details?.field).toBe('representation[0].quality_block[0].score');
  });

  it('every truncation is a 4xx naming a field', () => {
    const good = fingerImageRecord2011([{ position: 2, ...raw(6, 5) }, { position: 3, ...raw(5, 6), quality: [] }], { certified: true });
    for (let k = 8; k < good.length; k++) {
      const e = refusal(good.subarray(0, k));
      expect(e.status, `cut at ${k}`).toBe(422);
      expect(typeof e.details?.field).toBe('string');
    }
  });

  it('fuzz: random bytes after the identifier and mutated records give a record or a 4xx naming a field', () => {
    const seed = fingerImageRecord2011([{ position: 2, ...raw(20, 24), extended: Uint8Array.of(0, 3, 0, 4) }, { position: 3, ...raw(21, 20) }], { certified: true });
    const check = (b: Uint8Array) => {
      try {
        for (const v of parseFingerImageRecord(b).views) {
          expect(v.offset + v.data.length).toBeLessThanOrEqual(b.length);
          if (v.compression === 'raw') expect(v.data.length).toBe(v.width * v.height);
        }
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        expect(e.status).toBeGreaterThanOrEqual(400); expect(e.status).toBeLessThan(500);
        expect(typeof e.details?.field).toBe('string');
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => check(Uint8Array.from([0x46, 0x49, 0x52, 0, 0x30, 0x32, 0x30, 0, ...b]))), { numRuns: 1500 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (edits, cut) => {
      const b = seed.slice();
      for (const [p, v] of edits) b[p % b.length] = v;
      check(b.subarray(0, b.length - (cut % 8)));
    }), { numRuns: 2000 });
  });
});

describe('JPEG 2000 and PNG finger images inside records', () => {
  it('a 19794-4:2011 record with a PNG and a JPEG 2000 view decodes to the pixels sent', async () => {
    const rec = fingerImageRecord2011([{ position: 2, width: W, height: H, data: png, compression: 6 }, { position: 3, width: W, height: H, data: j2k, compression: 5 }]);
    const imgs = await decodeFingerImages(rec);
    expect(imgs.map((i) => [i.position, i.format, i.image.width, i.image.height, i.ppi])).toEqual([
      [2, 'iso-19794-4-2011/png', W, H, 500], [3, 'iso-19794-4-2011/j2k', W, H, 500],
    ]);
    expect(meanAbsDiff(imgs[0].image.pixels, grey)).toBe(0);
    expect(meanAbsDiff(imgs[1].image.pixels, grey)).toBeLessThan(2);
  });

  it('a view whose image is not the size its header says is refused', async () => {
    const rec = fingerImageRecord2011([{ position: 2, width: W + 1, height: H, data: png, compression: 6 }]);
    await expect(decodeFingerImages(rec)).rejects.toMatchObject({ code: 'IMAGE_RECORD_MALFORMED' });
  });

  it.each([['PNG', () => png], ['JP2', () => j2k]])('an ITL Type-14 with %s data decodes to the finger sent', async (cga, data) => {
    const t14 = tagged('14.001', [
      ['14.002', '01'], ['14.003', '1'], ['14.004', 'ORIG00001'], ['14.005', '20240131'], ['14.006', String(W)], ['14.007', String(H)],
      ['14.008', '1'], ['14.009', '500'], ['14.010', '500'], ['14.011', cga], ['14.012', '8'], ['14.013', '02'], ['14.999', data()],
    ]);
    const p = extractProbes(parseTransaction(transaction(type1([[14, '01']]), t14)));
    expect(p.fingerImages).toHaveLength(1);
    expect([p.fingerImages[0].format, p.fingerImages[0].ppi, p.fingerImages[0].positions]).toEqual([cga === 'PNG' ? 'png' : 'jp2', 500, [2]]);
    const img = await decodeFingerImage(p.fingerImages[0].image, p.fingerImages[0].ppi);
    expect([img.image.width, img.image.height]).toEqual([W, H]);
    expect(meanAbsDiff(img.image.pixels, grey)).toBeLessThan(2);
  });
});
