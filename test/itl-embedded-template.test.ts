// A Type-9 that carries a binary ISO/IEC 19794-2 template (base64 in a text field, or raw in 9.999)
// instead of tagged minutiae: decoded through the template codec.
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { extractProbes, findEmbeddedTemplate, itlType9ToFingerMinutiae, parseTransaction, type ItlTaggedRecord } from '../src/ingest/itl/index.ts';
import { parseTemplate, toFingerMinutiae } from '../src/ingest/templates/index.ts';
import { iso2005, tagged, transaction, type1 } from './itl-fixtures.ts';

const MINUTIAE: [number, number, number, number, number][] = [[1, 120, 200, 64, 50], [2, 30, 310, 0, 70], [1, 250, 40, 192, 0]];

describe('ITL Type-9 with an embedded binary template', () => {
  const template = iso2005(MINUTIAE);
  const expected = toFingerMinutiae(parseTemplate(template))[0];

  it('decodes a base64 template held in a user-defined field', () => {
    const rec = tagged('9.001', [['9.002', '01'], ['9.003', '0'], ['9.004', 'U'], ['9.180', Buffer.from(template).toString('base64')]]);
    const t = parseTransaction(transaction(type1([[9, '01']]), rec));
    const r = t.records[1] as ItlTaggedRecord;
    expect(findEmbeddedTemplate(r)?.tag).toBe('9.180');
    const f = itlType9ToFingerMinutiae(r, t, 1);
    expect(f).toEqual(expected);
    expect(f.position).toBe(3);
    expect(f.minutiae).toHaveLength(3);
    expect(f.minutiae[0].x).toBeCloseTo((120 * 500) / (197 * 2.54), 6);
    expect(extractProbes(t).fingers[0].minutiae).toEqual(expected);
  });

  it('decodes a raw template in a binary DATA field', () => {
    const rec = tagged('9.001', [['9.002', '01'], ['9.003', '0'], ['9.004', 'U'], ['9.999', template]]);
    const t = parseTransaction(transaction(type1([[9, '01']]), rec));
    expect(itlType9ToFingerMinutiae(t.records[1] as ItlTaggedRecord)).toEqual(expected);
  });

  it('reports a corrupt embedded template as ITL_MALFORMED naming the field', () => {
    const bad = template.slice(0, template.length - 3);
    const rec = tagged('9.001', [['9.002', '01'], ['9.999', bad]]);
    const t = parseTransaction(transaction(type1([[9, '01']]), rec));
    try {
      itlType9ToFingerMinutiae(t.records[1] as ItlTaggedRecord, t, 1);
      throw new Error('expected a failure');
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('ITL_MALFORMED');
      expect((e as AppError).details).toMatchObject({ record: 1, recordType: 9, field: '9.999' });
    }
  });
});
