// ISO/IEC 19794-4:2005 and ANSI/INCITS 381-2004 finger image records (2011: finger-image-record-2011.test.ts): views, resolution, compression,
// and refusals naming the field and offset; random and mutated records never end in anything but a 4xx.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { parseFingerImageRecord } from '../src/ingest/image-records/finger-image-record.ts';
import { fingerImageRecord } from './lib/finger-image-records.ts';
import { encodeWsq, ridgeImage } from './lib/wsq-encode.ts';

const raw = (w: number, h: number) => ({ width: w, height: h, data: ridgeImage(w, h) });
const refusal = (b: Uint8Array): AppError => {
  try { parseFingerImageRecord(b); } catch (e) { if (e instanceof AppError) return e; throw e; }
  throw new Error('parsed a record that should be refused');
};

describe('finger image records', () => {
  it('ISO 2005: two uncompressed views with positions, sizes and resolution', () => {
    const rec = parseFingerImageRecord(fingerImageRecord([{ position: 2, ...raw(40, 50) }, { position: 7, ...raw(33, 41) }], { ppi: 1000 }));
    expect(rec.standard).toBe('ISO/IEC 19794-4:2005');
    expect(rec.views.map((v) => [v.position, v.width, v.height, v.ppi, v.compression, v.data.length])).toEqual([[2, 40, 50, 1000, 'raw', 2000], [7, 33, 41, 1000, 'raw', 1353]]);
  });

  it('ANSI 381: the 36-byte header, a WSQ view', () => {
    const wsq = encodeWsq(ridgeImage(64, 80), 64, 80);
    const rec = parseFingerImageRecord(fingerImageRecord([{ position: 1, width: 64, height: 80, data: wsq }], { ansi: true, compression: 2 }));
    expect(rec.standard).toBe('ANSI/INCITS 381-2004');
    expect(rec.views[0]).toMatchObject({ position: 1, compression: 'wsq', width: 64, height: 80 });
    expect(Buffer.from(rec.views[0].data).equals(Buffer.from(wsq))).toBe(true);
  });

  it('refusals name the field and offset', () => {
    const good = fingerImageRecord([{ position: 2, ...raw(40, 50) }]);
    const cut = refusal(good.subarray(0, good.length - 1));
    expect([cut.code, cut.status, cut.details]).toEqual(['IMAGE_RECORD_TRUNCATED', 422, { field: 'record_length', offset: 8 }]);
    const badSize = good.slice(); badSize[32 + 10] = 41; // width 41 but 40x50 bytes
    expect(refusal(badSize).code).toBe('IMAGE_RECORD_MALFORMED');
    const slap = fingerImageRecord([{ position: 13, ...raw(40, 50) }]);
    expect([refusal(slap).code, refusal(slap).details?.field]).toEqual(['IMAGE_UNSUPPORTED_FORMAT', 'view[0].finger_position']);
    // Version 020 is read as the 2011 layout, which a 2005 body does not follow.
    const v2011 = good.slice(); v2011.set([0x30, 0x32, 0x30], 4);
    expect(refusal(v2011).status).toBe(422);
    const comp = fingerImageRecord([{ position: 2, ...raw(40, 50) }], { compression: 9 });
    expect([refusal(comp).code, refusal(comp).details?.field]).toEqual(['IMAGE_RECORD_MALFORMED', 'image_compression_algorithm']);
  });

  it('fuzz: random bytes after the identifier and mutated records give a record or a 4xx', () => {
    const seed = fingerImageRecord([{ position: 2, ...raw(20, 24) }, { position: 3, ...raw(21, 20) }]);
    const check = (b: Uint8Array) => {
      try { parseFingerImageRecord(b); } catch (e) {
        if (!(e instanceof AppError)) throw e;
        expect(e.status).toBeGreaterThanOrEqual(400); expect(e.status).toBeLessThan(500);
        expect(typeof e.details?.field).toBe('string');
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => check(Uint8Array.from([0x46, 0x49, 0x52, 0, 0x30, 0x31, 0x30, 0, ...b]))), { numRuns: 1500 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (edits, cut) => {
      const b = seed.slice();
      for (const [p, v] of edits) b[p % b.length] = v;
      check(b.subarray(0, b.length - (cut % 8)));
    }), { numRuns: 1500 });
  });
});
