import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import {
  extractProbes, fieldText, itlType9ToFingerMinutiae, parseTransaction, readImageRecord, readType9, type1Info,
  writeTransaction, type ItlTaggedRecord,
} from '../src/ingest/itl/index.ts';
import {
  fullTransaction, GS, JP2_BYTES, JPEG_BYTES, M1_MINUTIAE, PNG_BYTES, RS, smallTransaction, tagged, transaction,
  type1, type10Face, type14, type2, type4, type9Legacy, type9M1, US,
} from './itl-fixtures.ts';

const enc = new TextEncoder();

/** Runs fn and returns the AppError it throws (fails the test if it returns or throws anything else). */
function appErrorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected an AppError, but the call succeeded');
}

const tagged0 = (t: ReturnType<typeof parseTransaction>, i: number) => t.records[i] as ItlTaggedRecord;

describe('ITL parse: a transaction with every handled record type', () => {
  const bytes = fullTransaction();
  const t = parseTransaction(bytes);

  it('reads the records in CNT order with their types', () => {
    expect(t.records.map((r) => `${r.kind}:${r.type}`)).toEqual([
      'tagged:1', 'tagged:2', 'binary:4', 'tagged:9', 'tagged:9', 'tagged:10', 'tagged:14', 'tagged:13',
    ]);
  });

  it('gives typed access to the Type-1 fields and the content list', () => {
    const info = type1Info(t);
    expect(info.version).toBe('0500');
    expect(info.transactionType).toBe('CHK');
    expect(info.date).toBe('20240131');
    expect(info.priority).toBe('4');
    expect(info.destinationAgency).toBe('DEST00001');
    expect(info.originatingAgency).toBe('ORIG00001');
    expect(info.transactionControlNumber).toBe('TCN-0001');
    expect(info.nativeScanningResolution).toBe('19.69');
    expect(info.domain).toEqual({ name: 'BIOCHECK', version: '1.0' });
    expect(info.gmt).toBe('20240131120000Z');
    expect(info.content).toEqual([
      { type: 2, idc: '00' }, { type: 4, idc: '01' }, { type: 9, idc: '01' }, { type: 9, idc: '02' },
      { type: 10, idc: '03' }, { type: 14, idc: '04' }, { type: 13, idc: '07' },
    ]);
  });

  it('notes the skipped Type-4 binary record by index', () => {
    expect(t.notes).toContain('record 2: Type-4 binary record skipped');
    const r = t.records[2];
    expect(r.kind === 'binary' && r.idc).toBe(1);
    expect(r.kind === 'binary' && r.raw.length).toBe(18 + 6);
  });

  it('keeps every Type-2 field in order', () => {
    const r = tagged0(t, 1);
    expect(r.fields.map((f) => f.tag)).toEqual(['2.001', '2.002', '2.018', '2.022', '2.005']);
    expect(fieldText(r, 18)).toBe('DOE, JOHN');
  });

  it('returns Type-10 image bytes and their declared compression', () => {
    const img = readImageRecord(tagged0(t, 5));
    expect(img.imageType).toBe('FACE');
    expect(img.compression).toBe('JPEGB');
    expect(img.format).toBe('jpeg');
    expect(img.pose).toBe('F');
    expect([img.width, img.height, img.ppi]).toEqual([480, 600, 300]);
    // The DATA field is binary and contains separator bytes: it must come back whole.
    expect(Array.from(img.data!)).toEqual(Array.from(JPEG_BYTES));
  });

  it('keeps Type-13 as tagged with binary DATA and Type-14 images with positions', () => {
    const latent = readImageRecord(tagged0(t, 7));
    expect(Array.from(latent.data!)).toEqual([1, 2, 3, 0x1c, 0x1d, 6]);
    const print = readImageRecord(tagged0(t, 6));
    expect(print.format).toBe('wsq');
    expect(print.positions).toEqual([13]);
  });

  it('extracts probes: two fingers, one face, three finger images (Type-4, -14, -13), Type-2 text', () => {
    const p = extractProbes(t);
    expect(p.fingers.map((f) => [f.record, f.position])).toEqual([[3, 2], [4, 2]]);
    expect(p.faces).toHaveLength(1);
    expect(p.faces[0].format).toBe('jpeg');
    expect(p.fingerImages.map((f) => [f.record, f.format, f.positions, f.ppi])).toEqual([
      [2, 'wsq', [2], 500], [6, 'wsq', [13], 500], [7, 'raw', [0], 1000],
    ]);
    expect(p.text).toEqual({ '2.018': 'DOE, JOHN', '2.022': '19800101', '2.005': 'N' });
  });

  it('writes the transaction back byte for byte', () => {
    expect(Buffer.from(writeTransaction(t)).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('ITL parse: tag spellings and separators', () => {
  it('accepts 1.001, 1.01 and 1.1 for the same field and keeps the spelling', () => {
    for (const lenTag of ['1.001', '1.01', '1.1']) {
      const bytes = transaction(type1([[2, '00']], [], lenTag), type2('00'));
      const t = parseTransaction(bytes);
      expect(tagged0(t, 0).fields[0].tag).toBe(lenTag);
      expect(tagged0(t, 0).fields[0].number).toBe(1);
      expect(Buffer.from(writeTransaction(t)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('keeps a trailing GS before FS and writes it back', () => {
    const bytes = transaction(type1([[2, '00']]), tagged('2.001', [['2.002', '00'], ['2.003', 'x']], { trailingGs: true }));
    const t = parseTransaction(bytes);
    expect(tagged0(t, 1).trailingSeparator).toBe(true);
    expect(Buffer.from(writeTransaction(t)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('notes unknown tagged record types and keeps them raw', () => {
    const bytes = transaction(type1([[17, '05']]), tagged('17.001', [['17.002', '05'], ['17.003', '1']]));
    const t = parseTransaction(bytes);
    expect(t.notes).toContain('record 1: Type-17 record kept raw (not interpreted)');
    expect(Buffer.from(writeTransaction(t)).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('ITL parse: Type-9 minutiae', () => {
  it('reads the INCITS 378 block and converts it to 500 ppi, radians CCW', () => {
    const t = parseTransaction(transaction(type1([[9, '01']]), type9M1('01', { ppi: 1000, position: 7 })));
    const r = tagged0(t, 1);
    const t9 = readType9(r, 1);
    expect(t9.m1?.count).toBe(3);
    expect(t9.m1?.cbeff).toEqual({ formatOwner: '27', formatType: '513', productId: '0' });
    expect(t9.m1?.cores).toEqual([{ x: 200, y: 250, angle: 90 }]);
    expect(t9.m1?.deltas).toEqual([{ x: 150, y: 400, angles: [10] }]);
    const f = itlType9ToFingerMinutiae(r);
    expect(f.position).toBe(7);
    expect([f.width, f.height]).toEqual([200, 250]);
    expect(f.minutiae).toHaveLength(M1_MINUTIAE.length);
    const [m0, m1, m2] = f.minutiae;
    expect([m0.x, m0.y, m0.type, m0.quality]).toEqual([50, 100, 'ending', 80]);
    expect(m0.angle).toBeCloseTo(Math.PI / 2, 10);
    expect(m1.type).toBe('bifurcation');
    expect(m1.angle).toBe(0);
    expect(m2.type).toBe('other');
    expect(m2.angle).toBeCloseTo((358 * Math.PI) / 180, 10);
  });

  it('converts legacy 9.012 with the Type-4 image height (y flipped, +180°)', () => {
    const t = parseTransaction(fullTransaction());
    const f = itlType9ToFingerMinutiae(tagged0(t, 3), t, 3);
    const ppi = 19.69 * 25.4;
    const heightMm100 = (600 / ppi) * 2540;
    expect(f.position).toBe(2);
    expect(f.minutiae[0].x).toBeCloseTo(100, 6);
    expect(f.minutiae[0].y).toBeCloseTo(((heightMm100 - 508) * 500) / 2540, 6);
    expect(f.minutiae[0].angle).toBeCloseTo((270 * Math.PI) / 180, 10);
    expect(f.minutiae[0].quality).toBe(Math.round((40 * 100) / 63));
    expect(f.minutiae[1].quality).toBe(0);
    expect(f.minutiae[1].type).toBe('bifurcation');
    expect(f.height).toBeCloseTo((600 * 500) / ppi, 9);
    expect(f.width).toBeCloseTo((500 * 500) / ppi, 9);
  });

  it('rejects NOM that disagrees with FMD, naming field 9.136', () => {
    const bad = tagged('9.001', [['9.002', '01'], ['9.003', '0'], ['9.004', 'U'], ['9.136', '4'], ['9.137', `1${US}1${US}1${US}1${US}1${US}1`]]);
    const e = appErrorOf(() => parseTransaction(transaction(type1([[9, '01']]), bad)));
    expect(e.code).toBe('ITL_MALFORMED');
    expect(e.details).toMatchObject({ record: 1, recordType: 9, field: '9.136' });
  });

  it('rejects an FMD angle above 179 and a legacy position that is not 11 digits', () => {
    const bad = tagged('9.001', [['9.002', '01'], ['9.136', '1'], ['9.137', `1${US}1${US}1${US}180${US}1${US}1`]]);
    expect(appErrorOf(() => parseTransaction(transaction(type1([[9, '01']]), bad))).details).toMatchObject({ field: '9.137' });
    const legacy = tagged('9.001', [['9.002', '01'], ['9.004', 'S'], ['9.012', `1${US}0508050809${US}1${US}A`]]);
    expect(appErrorOf(() => parseTransaction(transaction(type1([[9, '01']]), legacy))).details).toMatchObject({ field: '9.012' });
  });

  it('skips a Type-9 with only EFS features, with a note', () => {
    const efs = tagged('9.001', [['9.002', '01'], ['9.003', '4'], ['9.004', 'U'], ['9.300', `800${US}800`], ['9.331', `10${US}20${US}90${US}E`]]);
    const t = parseTransaction(transaction(type1([[9, '01']]), efs));
    expect(t.notes).toContain('record 1: Type-9 EFS fields (9.300+) kept raw');
    const p = extractProbes(t);
    expect(p.fingers).toHaveLength(0);
    expect(p.notes.some((n) => n.startsWith('record 1: Type-9 skipped'))).toBe(true);
  });
});

describe('ITL parse: image checks', () => {
  it('accepts JPEG, JP2 and PNG data when CGA says so', () => {
    for (const [cga, data] of [['JPEGB', JPEG_BYTES], ['JP2', JP2_BYTES], ['JP2L', new Uint8Array([0xff, 0x4f, 0xff, 0x51, 0])], ['PNG', PNG_BYTES]] as const) {
      const t = parseTransaction(transaction(type1([[10, '01']]), type10Face('01', data, cga)));
      expect(extractProbes(t).faces[0].compression).toBe(cga);
    }
  });

  it('rejects data that is not what CGA declares, naming 10.999 and its offset', () => {
    const head = type1([[10, '01']]);
    const rec = type10Face('01', PNG_BYTES, 'JPEGB');
    const e = appErrorOf(() => parseTransaction(transaction(head, rec)));
    expect(e.code).toBe('ITL_MALFORMED');
    const dataTag = Buffer.from(rec).indexOf('10.999:');
    expect(e.details).toMatchObject({ record: 1, recordType: 10, field: '10.999', offset: head.length + dataTag });
  });

  it('checks the length of uncompressed (NONE) data against HLL x VLL', () => {
    const rec = (n: number) => tagged('14.001', [['14.002', '01'], ['14.006', '3'], ['14.007', '2'], ['14.011', 'NONE'], ['14.012', '8'], ['14.013', '1'], ['14.999', new Uint8Array(n)]]);
    expect(parseTransaction(transaction(type1([[14, '01']]), rec(6))).records).toHaveLength(2);
    expect(appErrorOf(() => parseTransaction(transaction(type1([[14, '01']]), rec(5)))).code).toBe('ITL_MALFORMED');
  });

  it('rejects a Type-14 whose WSQ20 data lacks the WSQ marker', () => {
    expect(appErrorOf(() => parseTransaction(transaction(type1([[14, '01']]), type14('01', JPEG_BYTES)))).details).toMatchObject({ field: '14.999' });
  });
});

describe('ITL parse: malformed transactions', () => {
  const good = smallTransaction();

  it('rejects every truncation of a small transaction as ITL_TRUNCATED', () => {
    for (let k = 0; k < good.length; k++) {
      const e = appErrorOf(() => parseTransaction(good.subarray(0, k)));
      expect(e.code, `cut at ${k}`).toBe('ITL_TRUNCATED');
    }
  });

  it('rejects CNT mismatches: count, listed types, order and IDC', () => {
    const cntCount = transaction(tagged('1.001', [['1.002', '0500'], ['1.003', `1${US}3${RS}2${US}00${RS}9${US}01`]]), type2('00'), type9M1('01'));
    expect(appErrorOf(() => parseTransaction(cntCount)).details).toMatchObject({ record: 0, field: '1.003' });
    // CNT lists fewer records than present: bytes left over.
    const fewer = transaction(type1([[2, '00']]), type2('00'), type9M1('01'));
    const e1 = appErrorOf(() => parseTransaction(fewer));
    expect(e1.code).toBe('ITL_MALFORMED');
    expect(e1.details).toMatchObject({ record: 2, offset: fewer.length - type9M1('01').length });
    // CNT lists more records than present.
    expect(appErrorOf(() => parseTransaction(transaction(type1([[2, '00'], [9, '01'], [10, '02']]), type2('00'), type9M1('01')))).code).toBe('ITL_TRUNCATED');
    // Wrong order / wrong type.
    const swapped = appErrorOf(() => parseTransaction(transaction(type1([[9, '01'], [2, '00']]), type2('00'), type9M1('01'))));
    expect(swapped.code).toBe('ITL_MALFORMED');
    expect(swapped.details).toMatchObject({ record: 1, recordType: 9 });
    // IDC differs.
    expect(appErrorOf(() => parseTransaction(transaction(type1([[2, '00'], [9, '05']]), type2('00'), type9M1('01')))).details).toMatchObject({ record: 2, field: '9.002' });
    // Binary record IDC differs.
    expect(appErrorOf(() => parseTransaction(transaction(type1([[4, '02']]), type4(1, 2, 2, new Uint8Array(4))))).details).toMatchObject({ record: 1, recordType: 4 });
  });

  it('rejects corrupted LEN fields', () => {
    const head = type1([[2, '00']]);
    const rec2 = (len: string) => tagged('2.001', [['2.002', '00'], ['2.003', 'abc']], { lenOverride: len });
    const real = tagged('2.001', [['2.002', '00'], ['2.003', 'abc']]).length;
    for (const [len, code] of [
      [String(real + 1), 'ITL_TRUNCATED'], [String(real - 1), 'ITL_MALFORMED'], ['1', 'ITL_MALFORMED'],
      ['99999999', 'ITL_TRUNCATED'], ['9999999999', 'ITL_TRUNCATED'], ['12a', 'ITL_MALFORMED'], ['', 'ITL_MALFORMED'],
      ['99999999999999999999', 'ITL_MALFORMED'],
    ] as const) {
      const e = appErrorOf(() => parseTransaction(transaction(head, rec2(len))));
      expect(e.code, `LEN "${len}"`).toBe(code);
      expect(e.details, `LEN "${len}"`).toMatchObject({ record: 1, recordType: 2, field: '2.001' });
    }
    // LEN too large but landing on the next record's FS: the inner FS betrays it.
    const two = transaction(type1([[2, '00'], [2, '01']]), rec2(String(real + type2('01').length)), type2('01'));
    expect(appErrorOf(() => parseTransaction(two)).code).toBe('ITL_MALFORMED');
  });

  it('rejects a missing FS, naming the offset where it should be', () => {
    const head = type1([[2, '00']]);
    // LEN counts the FS, but the byte where the FS belongs is something else.
    const padded = transaction(head, tagged('2.001', [['2.002', '00'], ['2.003', 'abc']]));
    padded[padded.length - 1] = 0x58;
    const e = appErrorOf(() => parseTransaction(padded));
    expect(e.code).toBe('ITL_MALFORMED');
    expect(e.details).toMatchObject({ record: 1, offset: padded.length - 1 });
    // A record that stops without any FS runs into the end of the transaction.
    const cut = transaction(head, tagged('2.001', [['2.002', '00'], ['2.003', 'abc']], { noFs: true }));
    expect(appErrorOf(() => parseTransaction(cut)).code).toBe('ITL_MALFORMED');
  });

  it('rejects bad tags', () => {
    const head = type1([[2, '00']]);
    for (const tag of ['2.0a3', 'X.003', '2003', '2.', '.003', '2.00003', '2.000', '3.003']) {
      const bytes = transaction(head, tagged('2.001', [['2.002', '00'], [tag, 'v']]));
      const e = appErrorOf(() => parseTransaction(bytes));
      expect(e.code, tag).toBe('ITL_MALFORMED');
      expect(e.details, tag).toMatchObject({ record: 1, recordType: 2 });
    }
    expect(appErrorOf(() => parseTransaction(transaction(head, tagged('2.001', [['2.002', '00'], ['2.002', '00']])))).message).toMatch(/twice/);
    expect(appErrorOf(() => parseTransaction(enc.encode(`2.001:10${GS}\x1c`))).code).toBe('ITL_MALFORMED');
  });

  it('rejects huge declared lengths', () => {
    const huge = type4(1, 2, 2, new Uint8Array(4));
    huge.set([0xff, 0xff, 0xff, 0xff], 0);
    const e = appErrorOf(() => parseTransaction(transaction(type1([[4, '01']]), huge)));
    expect(['ITL_UNSUPPORTED', 'ITL_TRUNCATED']).toContain(e.code);
    const cnt = tagged('1.001', [['1.002', '0500'], ['1.003', `1${US}5000`]]);
    expect(appErrorOf(() => parseTransaction(cnt)).code).toBe('ITL_UNSUPPORTED');
  });

  it('rejects a Type-1 without VER or CNT', () => {
    expect(appErrorOf(() => parseTransaction(tagged('1.001', [['1.003', `1${US}0`]]))).details).toMatchObject({ field: '1.002' });
    expect(appErrorOf(() => parseTransaction(tagged('1.001', [['1.002', '0500']]))).details).toMatchObject({ field: '1.003' });
  });

  it('notes missing mandatory Type-1 fields but still parses', () => {
    const t = parseTransaction(tagged('1.001', [['1.002', '0500'], ['1.003', `1${US}0`]]));
    expect(t.notes).toContain('record 0: mandatory Type-1 field 1.004 TOT is missing');
  });
});
