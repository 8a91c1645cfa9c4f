import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import {
  binaryField, buildCheckResponseTransaction, fieldText, parseTransaction, RESPONSE_FIELDS, splitItems, textField,
  type1Info, writeTransaction, type ItlTaggedRecord, type ItlTransaction,
} from '../src/ingest/itl/index.ts';
import { fullTransaction, JPEG_BYTES, RS, smallTransaction, tagged, transaction, type1, type2, US } from './itl-fixtures.ts';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const rec = (t: ItlTransaction, i: number) => t.records[i] as ItlTaggedRecord;

function codeOf(fn: () => unknown): string {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(AppError); return (e as AppError).code; }
  throw new Error('expected an AppError');
}

describe('ITL write', () => {
  it('round-trips parsed transactions byte for byte', () => {
    for (const bytes of [fullTransaction(), smallTransaction()]) {
      const out = writeTransaction(parseTransaction(bytes));
      expect(same(out, bytes)).toBe(true);
    }
  });

  it('keeps zero-padded LEN and CNT spellings when they still hold', () => {
    const body: [string, string][] = [['2.002', '0'], ['2.003', 'abc']];
    const len = tagged('2.001', body).length;
    const padded = tagged('2.001', body, { lenOverride: String(len + 2).padStart(6, '0') });
    // LEN is 6 wide instead of its natural width: the record is 2+... bytes longer; rebuild until consistent.
    const bytes = transaction(
      tagged('1.001', [['1.002', '0500'], ['1.003', `1${US}01${RS}2${US}0`]]),
      tagged('2.001', body, { lenOverride: String(padded.length).padStart(6, '0') }),
    );
    const t = parseTransaction(bytes);
    expect(same(writeTransaction(t), bytes)).toBe(true);
  });

  it('recomputes LEN when a value changes, across a digit boundary', () => {
    const t = parseTransaction(transaction(type1([[2, '00']]), tagged('2.001', [['2.002', '00'], ['2.003', 'x'.repeat(70)]])));
    const r2 = rec(t, 1);
    expect(fieldText(r2, 1)).toBe('95');
    r2.fields[2] = textField(2, 3, 'y'.repeat(76));
    const out = writeTransaction(t);
    const back = parseTransaction(out);
    expect(fieldText(rec(back, 1), 1)).toBe('102');
    expect(fieldText(rec(back, 1), 3)).toBe('y'.repeat(76));
  });

  it('recomputes CNT when records are added or removed and inserts missing LEN/CNT', () => {
    const t = parseTransaction(fullTransaction());
    t.records.splice(2, 3); // drop the Type-4 and both Type-9 records
    t.records.push({ kind: 'tagged', type: 2, fields: [textField(2, 2, '09'), textField(2, 3, 'added')] });
    const back = parseTransaction(writeTransaction(t));
    expect(type1Info(back).content).toEqual([
      { type: 2, idc: '00' }, { type: 10, idc: '03' }, { type: 14, idc: '04' }, { type: 13, idc: '07' }, { type: 2, idc: '09' },
    ]);
    expect(fieldText(rec(back, 5), 3)).toBe('added');
  });

  it('writes binary DATA fields containing separators intact', () => {
    const data = new Uint8Array([0xff, 0xd8, 0xff, 0x1c, 0x1d, 0x1e, 0x1f, 0x1c]);
    const t: ItlTransaction = {
      records: [
        { kind: 'tagged', type: 1, fields: [textField(1, 2, '0500')] },
        { kind: 'tagged', type: 10, fields: [textField(10, 2, '01'), textField(10, 3, 'FACE'), textField(10, 11, 'JPEGB'), binaryField(10, 999, data)] },
      ],
      notes: [],
    };
    const back = parseTransaction(writeTransaction(t));
    expect(Array.from(rec(back, 1).fields.at(-1)!.value)).toEqual(Array.from(data));
  });

  it('refuses what it cannot write faithfully', () => {
    const base = () => parseTransaction(smallTransaction());
    let t = base();
    rec(t, 1).fields.push(textField(2, 50, `a${'\x1d'}b`));
    expect(codeOf(() => writeTransaction(t))).toBe('ITL_MALFORMED');
    t = base();
    rec(t, 1).fields.push(textField(2, 3, 'duplicate'));
    rec(t, 1).fields.push(textField(2, 3, 'duplicate'));
    expect(codeOf(() => writeTransaction(t))).toBe('ITL_MALFORMED');
    t = base();
    rec(t, 1).fields.splice(1, 0, binaryField(2, 999, JPEG_BYTES));
    expect(codeOf(() => writeTransaction(t))).toBe('ITL_MALFORMED');
    t = base();
    rec(t, 1).fields.push({ tag: '3.050', number: 50, value: new Uint8Array([0x41]) });
    expect(codeOf(() => writeTransaction(t))).toBe('ITL_MALFORMED');
    t = base();
    t.records.reverse();
    expect(codeOf(() => writeTransaction(t))).toBe('ITL_MALFORMED');
    // Type-4 is binary in the traditional encoding: a tagged Type-4 could not be read back.
    t = base();
    t.records.push({ kind: 'tagged', type: 4, fields: [textField(4, 2, '01')] });
    expect(codeOf(() => writeTransaction(t))).toBe('ITL_MALFORMED');
    t = base();
    rec(t, 0).fields.splice(1, 1); // VER
    expect(codeOf(() => writeTransaction(t))).toBe('ITL_MALFORMED');
  });

  it('round-trips random transactions built through the API (write → parse → write)', () => {
    const text = fc.stringMatching(/^[ -~]{0,40}$/).map((s) => s);
    const items = fc.array(fc.array(text, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 });
    const fieldsArb = fc.uniqueArray(fc.integer({ min: 3, max: 998 }), { maxLength: 8 }).chain((nums) =>
      fc.tuple(...nums.sort((a, b) => a - b).map((n) => items.map((v) => [n, v] as const))));
    const recordArb = fc.record({
      type: fc.constantFrom(2, 9, 17, 99), idc: fc.integer({ min: 0, max: 99 }), fields: fieldsArb,
      data: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(recordArb, { maxLength: 6 }), (specs) => {
      const t: ItlTransaction = {
        records: [
          { kind: 'tagged', type: 1, fields: [textField(1, 2, '0500'), textField(1, 4, 'TST')] },
          ...specs.map((s) => ({
            kind: 'tagged' as const, type: s.type,
            fields: [
              textField(s.type, 2, String(s.idc).padStart(2, '0')),
              // 9.005–9.141 carry structured minutiae that random text would not satisfy.
              ...s.fields.filter(([n]) => s.type !== 9 || (n > 141 && n < 300) || n > 399).map(([n, v]) => textField(s.type, n, v)),
              ...(s.data ? [binaryField(s.type, 999, s.data)] : []),
            ],
          })),
        ],
        notes: [],
      };
      const bytes = writeTransaction(t);
      const back = parseTransaction(bytes);
      expect(back.records).toHaveLength(t.records.length);
      const view = (r: ItlTaggedRecord, i: number) => r.fields
        .filter((f) => f.number !== 1 && (i > 0 || f.number !== 3))
        .map((f) => [f.tag, Buffer.from(f.value).toString('hex')]);
      back.records.forEach((r, i) => {
        expect(view(r as ItlTaggedRecord, i)).toEqual(view(t.records[i] as ItlTaggedRecord, i));
      });
      expect(same(writeTransaction(back), bytes)).toBe(true);
    }), { numRuns: 300 });
  });
});

describe('ITL check response transaction', () => {
  const input = {
    checkId: 'chk_01HXYZ', decision: 'HIT',
    candidates: [
      { handle: 'subj-1', watchlist: 'interpol-red', score: 0.93125, reference: 'A-1234/5-2020', name: 'Émile Zola' },
      { handle: 'subj-2', watchlist: 'national', score: 0.5, name: `bad${'\x1e'}name${'\x1d'}` },
    ],
    originatingAgency: 'BIOCHECK01', destinationAgency: 'EGATE0042', transactionControlNumber: 'R-0001',
    transactionControlReference: 'Q-0001', date: new Date(Date.UTC(2024, 4, 6, 7, 8, 9)),
  };

  it('builds Type-1 + Type-2 with the decision and candidate list', () => {
    const bytes = writeTransaction(buildCheckResponseTransaction(input));
    const t = parseTransaction(bytes);
    const info = type1Info(t);
    expect(info.content).toEqual([{ type: 2, idc: '00' }]);
    expect([info.transactionType, info.date, info.gmt, info.originatingAgency, info.destinationAgency]).toEqual(['SRE', '20240506', '20240506070809Z', 'BIOCHECK01', 'EGATE0042']);
    expect([info.transactionControlNumber, info.transactionControlReference]).toEqual(['R-0001', 'Q-0001']);
    expect(info.characterSets).toEqual([{ index: '3', name: 'UTF-8', version: undefined }]);
    const r2 = rec(t, 1);
    expect(fieldText(r2, RESPONSE_FIELDS.CHECK_ID)).toBe('chk_01HXYZ');
    expect(fieldText(r2, RESPONSE_FIELDS.DECISION)).toBe('HIT');
    expect(fieldText(r2, RESPONSE_FIELDS.CANDIDATE_COUNT)).toBe('2');
    expect(splitItems(fieldText(r2, RESPONSE_FIELDS.CANDIDATES)!)).toEqual([
      ['1', 'subj-1', 'interpol-red', '0.9313', 'A-1234/5-2020', 'Émile Zola'],
      ['2', 'subj-2', 'national', '0.5000', '', 'bad name '],
    ]);
  });

  it('omits the candidate list on a no-hit and needs no DCS for ASCII', () => {
    const t = parseTransaction(writeTransaction(buildCheckResponseTransaction({ ...input, decision: 'NO_HIT', candidates: [] })));
    expect(fieldText(rec(t, 1), RESPONSE_FIELDS.CANDIDATES)).toBeUndefined();
    expect(fieldText(rec(t, 1), RESPONSE_FIELDS.CANDIDATE_COUNT)).toBe('0');
    expect(type1Info(t).characterSets).toBeUndefined();
  });
});
