// FBI/IAFIS Type-9 minutiae (9.014–9.023) from transactions built from the EBTS Appendix J layout:
// parsed field by field, converted to 500 ppi pixels with y down, and refused with the field named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { extractProbes, itlType9ToFingerMinutiae, parseTransaction, readType9, type ItlTaggedRecord } from '../src/ingest/itl/index.ts';
import { IAFIS_MINUTIAE, iafisTransaction, RS, tagged, transaction, type1, type9Iafis, US } from './itl-fixtures.ts';

function appErrorOf(fn: () => unknown): AppError {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(AppError); return e as AppError; }
  throw new Error('expected an AppError, but the call succeeded');
}
const only9 = (record: Uint8Array) => parseTransaction(transaction(type1([[9, '01']]), record));
const DEG = Math.PI / 180;

describe('ITL Type-9 FBI/IAFIS fields', () => {
  it('reads every field of the block', () => {
    const t = only9(type9Iafis('01'));
    const t9 = readType9(t.records[1] as ItlTaggedRecord, 1);
    expect(t9.iafis).toMatchObject({
      positions: [7], count: 3, characterization: ['AFIS/FBI', 'A'], patternClass: [['WU', '14', '11']], orientationUncertainty: 20,
      cores: [{ x: 762, y: 762, attributes: ['090', '0050'] }], deltas: [{ x: 381, y: 381, attributes: ['090', '135', '270', '0050'] }],
    });
    expect(t9.iafis!.minutiae[0]).toEqual({ index: 1, x: 508, y: 254, theta: 45, quality: 40, type: 'A', ridgeCounts: IAFIS_MINUTIAE[0].slice(4) });
    expect(t9.other.map((f) => f.number)).toEqual([]);
  });

  it('converts 0.01 mm from the lower left into 500 ppi pixels from the top, with the image record of its IDC', () => {
    const t = parseTransaction(iafisTransaction());
    const f = itlType9ToFingerMinutiae(t.records[2] as ItlTaggedRecord, t, 2);
    expect(f.position).toBe(7);
    expect([f.width, f.height]).toEqual([800, 750]);
    const px = 500 / 2540;
    const heightMm100 = (750 / 500) * 2540;
    const [a, b, c] = f.minutiae;
    expect(a.x).toBeCloseTo(508 * px, 9);
    expect(a.y).toBeCloseTo((heightMm100 - 254) * px, 9);
    expect(b.y).toBeCloseTo((heightMm100 - 762) * px, 9);
    // Read as the legacy fields are: ANSI/NIST theta + 180° is the INCITS 378 direction.
    expect(a.angle).toBeCloseTo(225 * DEG, 10);
    expect(b.angle).toBeCloseTo(0, 10);
    expect(c.angle).toBeCloseTo(90 * DEG, 10);
    expect([a.type, b.type, c.type]).toEqual(['ending', 'bifurcation', 'other']);
    expect([a.quality, b.quality, c.quality]).toEqual([Math.round(4000 / 63), 100, 0]);
  });

  it('a transaction whose Type-9 carries only IAFIS minutiae yields a finger probe with them', () => {
    const p = extractProbes(parseTransaction(iafisTransaction()));
    expect(p.fingers).toHaveLength(1);
    expect(p.fingers[0].minutiae.minutiae).toHaveLength(IAFIS_MINUTIAE.length);
    expect(p.fingers[0].position).toBe(7);
  });

  it('uses IAFIS when legacy fields are there without 9.012, and the legacy minutiae when they are', () => {
    const withLegacyHeader = type9Iafis('01', [['9.005', `AFIS${US}A${US}X`], ['9.006', '07'], ['9.010', '0']]);
    const f = itlType9ToFingerMinutiae(only9(withLegacyHeader).records[1] as ItlTaggedRecord);
    expect(f.minutiae).toHaveLength(3);
    const both = type9Iafis('01', [['9.006', '07'], ['9.010', '1'], ['9.012', `1${US}01000100000${US}20${US}A`]]);
    expect(itlType9ToFingerMinutiae(only9(both).records[1] as ItlTaggedRecord).minutiae).toHaveLength(1);
  });

  it('without an image record the y axis flips about the highest minutia', () => {
    const f = itlType9ToFingerMinutiae(only9(type9Iafis('01')).records[1] as ItlTaggedRecord);
    expect(f.minutiae[1].y).toBeCloseTo(0, 9);
    expect(f.minutiae[0].y).toBeCloseTo((762 - 254) * (500 / 2540), 9);
  });

  it('NMN 0 with no MAT is an empty finger, not a refusal', () => {
    const rec = tagged('9.001', [['9.002', '01'], ['9.004', 'U'], ['9.014', '02'], ['9.015', '0']]);
    const f = itlType9ToFingerMinutiae(only9(rec).records[1] as ItlTaggedRecord);
    expect([f.position, f.minutiae.length]).toEqual([2, 0]);
  });

  const refusals: [string, Uint8Array, string][] = [
    ['NMN disagrees with MAT', tagged('9.001', [['9.002', '01'], ['9.015', '4'], ['9.023', IAFIS_MINUTIAE.map((m) => m.join(US)).join(RS)]]), '9.015'],
    ['MAT position not 11 digits', tagged('9.001', [['9.002', '01'], ['9.015', '1'], ['9.023', `001${US}0508025404${US}40${US}A`]]), '9.023'],
    ['MAT angle above 359', tagged('9.001', [['9.002', '01'], ['9.023', `001${US}05080254360${US}40${US}A`]]), '9.023'],
    ['MAT quality above 63', tagged('9.001', [['9.002', '01'], ['9.023', `001${US}05080254045${US}64${US}A`]]), '9.023'],
    ['MAT type not A-D', tagged('9.001', [['9.002', '01'], ['9.023', `001${US}05080254045${US}40${US}E`]]), '9.023'],
    ['MAT too few items', tagged('9.001', [['9.002', '01'], ['9.023', `001${US}05080254045`]]), '9.023'],
    ['NMN without MAT', tagged('9.001', [['9.002', '01'], ['9.015', '2']]), '9.015'],
    ['NMN not a number', tagged('9.001', [['9.002', '01'], ['9.015', 'x']]), '9.015'],
    ['FGN not a number', tagged('9.001', [['9.002', '01'], ['9.014', 'R1']]), '9.014'],
    ['core position not XXXXYYYY', tagged('9.001', [['9.002', '01'], ['9.021', `0762076${US}090`]]), '9.021'],
    ['delta attribute not digits', tagged('9.001', [['9.002', '01'], ['9.022', `03810381${US}9O`]]), '9.022'],
    ['ORN not a number', tagged('9.001', [['9.002', '01'], ['9.020', '-5']]), '9.020'],
  ];

  it.each(refusals)('refuses %s with ITL_MALFORMED naming the field and its offset', (_what, record, field) => {
    const bytes = transaction(type1([[9, '01']]), record);
    const e = appErrorOf(() => extractProbes(parseTransaction(bytes)));
    expect(e.code).toBe('ITL_MALFORMED');
    expect(e.details).toMatchObject({ record: 1, recordType: 9, field });
    const offset = (e.details as { offset: number }).offset;
    const text = new TextDecoder().decode(bytes.subarray(offset, offset + field.length + 1));
    expect(text).toBe(`${field}:`);
  });

  it('fuzz: any text in the IAFIS fields gives minutiae in range or ITL_MALFORMED, nothing else', () => {
    const text = fc.array(fc.constantFrom(...'0123456789ABDE,-'.split(''), US, RS), { maxLength: 120 }).map((a) => a.join(''));
    fc.assert(fc.property(fc.constantFrom(14, 15, 20, 21, 22, 23), text, text, (n, v, mat) => {
      const rec = tagged('9.001', [['9.002', '01'], [`9.0${n}`, v || '0'], ...(n === 23 ? [] : [['9.023', mat || '0'] as [string, string]])]);
      try {
        const f = itlType9ToFingerMinutiae(only9(rec).records[1] as ItlTaggedRecord);
        for (const m of f.minutiae) {
          expect(m.x).toBeGreaterThanOrEqual(0);
          expect(m.angle).toBeGreaterThanOrEqual(0);
          expect(m.angle).toBeLessThan(2 * Math.PI);
          expect(m.quality).toBeLessThanOrEqual(100);
        }
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect(['ITL_MALFORMED', 'ITL_UNSUPPORTED']).toContain((e as AppError).code);
      }
    }), { numRuns: 1500 });
  });
});
