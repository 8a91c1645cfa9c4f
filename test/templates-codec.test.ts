// Field-by-field records for every format: parse, round trip, and strict rejection of damage
// (truncation at every length, lying lengths and counts, bad positions and types), each with the
// byte offset and field named.
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { detectFormat, encodeTemplate, parseTemplate, type ParsedTemplate } from '../src/ingest/templates/index.ts';
import { layout } from './fixtures/templates/layout.ts';
import {
  ANSI2004_EXAMPLE, ANSI2009_EXAMPLE, ANSI2009AM1_EXAMPLE, EXAMPLES, ISO2005_EXAMPLE, ISO2011_EXAMPLE,
} from './fixtures/templates/examples.ts';

function appError(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(typeof err.details?.offset).toBe('number');
    expect(typeof err.details?.field).toBe('string');
    expect(err.details?.internal).toBeUndefined();
    return err;
  }
  throw new Error('expected an AppError, got a result');
}

const clone = (b: Uint8Array) => Uint8Array.from(b);
const label = (t: ParsedTemplate) => `${t.format} (version "${t.version}"${t.lengthFieldBytes === 6 ? ', 6-byte length' : ''})`;

describe.each(EXAMPLES.map((t) => [label(t), t] as const))('%s built field by field', (_, t) => {
  const bytes = layout(t);

  it('detects the format and parses every field back', () => {
    expect(detectFormat(bytes)).toBe(t.format);
    expect(parseTemplate(bytes)).toEqual(t);
  });

  it('encodes the fields to the same bytes and round-trips byte for byte', () => {
    expect(encodeTemplate(t)).toEqual(bytes);
    expect(encodeTemplate(parseTemplate(bytes))).toEqual(bytes);
  });

  it('rejects the record cut at every length with TEMPLATE_TRUNCATED at the cut', () => {
    for (let n = 0; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      const err = appError(() => parseTemplate(cut));
      expect(err.code, `cut at ${n}`).toBe('TEMPLATE_TRUNCATED');
      expect(err.details?.offset, `cut at ${n}`).toBeLessThanOrEqual(n);
      // The lenient parser must fail cleanly too: the structure says bytes are missing.
      const lenient = appError(() => parseTemplate(cut, { lenient: true }));
      expect(['TEMPLATE_TRUNCATED', 'TEMPLATE_LENGTH_MISMATCH', 'TEMPLATE_UNKNOWN_FORMAT']).toContain(lenient.code);
    }
  });

  it('rejects trailing bytes after the record', () => {
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(appError(() => parseTemplate(longer)).code).toBe('TEMPLATE_LENGTH_MISMATCH');
    expect(appError(() => parseTemplate(longer, { lenient: true })).code).toBe('TEMPLATE_LENGTH_MISMATCH');
  });
});

/** Offset of the record length field and its width, per format. */
function lengthField(t: ParsedTemplate): { at: number; bytes: 2 | 4 } {
  if (t.format === 'ansi-378:2004') return t.lengthFieldBytes === 6 ? { at: 10, bytes: 4 } : { at: 8, bytes: 2 };
  return { at: 8, bytes: 4 };
}

function withLength(bytes: Uint8Array, t: ParsedTemplate, value: number): Uint8Array {
  const out = clone(bytes);
  const { at, bytes: width } = lengthField(t);
  const dv = new DataView(out.buffer);
  if (width === 2) dv.setUint16(at, value); else dv.setUint32(at, value);
  return out;
}

describe('record length field', () => {
  it.each(EXAMPLES.map((t) => [label(t), t] as const))('%s: strict rejects a lying length, lenient keeps it for the round trip', (_, t) => {
    const bytes = layout(t);
    const longer = withLength(bytes, t, bytes.length + 1);
    const shorter = withLength(bytes, t, bytes.length - 1);
    const tooLong = appError(() => parseTemplate(longer));
    expect(tooLong.code).toBe('TEMPLATE_TRUNCATED');
    expect(tooLong.details).toMatchObject({ offset: bytes.length, field: 'record length', declared: bytes.length + 1 });
    const tooShort = appError(() => parseTemplate(shorter));
    expect(tooShort.code).toBe('TEMPLATE_LENGTH_MISMATCH');
    expect(tooShort.details).toMatchObject({ offset: lengthField(t).at - (t.lengthFieldBytes === 6 ? 2 : 0), field: 'record length' });
    // Lenient: a length promising more bytes than arrived is still truncation; one promising
    // fewer is tolerated when the structure ends exactly at the end of the buffer.
    expect(appError(() => parseTemplate(longer, { lenient: true })).code).toBe('TEMPLATE_TRUNCATED');
    const p = parseTemplate(shorter, { lenient: true });
    expect(p.warnings.join()).toMatch(/record length field says/);
    expect(p.declaredRecordLength).toBe(bytes.length - 1);
    expect(encodeTemplate(p)).toEqual(shorter);
  });

  it('rejects a length below the header size as an invalid field', () => {
    const t = ANSI2009AM1_EXAMPLE;
    const err = appError(() => parseTemplate(withLength(layout(t), t, 10)));
    expect(err.code).toBe('TEMPLATE_INVALID_FIELD');
    expect(err.details).toMatchObject({ offset: 8, field: 'record length' });
  });
});

describe('impossible counts and bad fields (ISO 19794-2:2005 layout offsets)', () => {
  const bytes = layout(ISO2005_EXAMPLE);
  const VIEW_COUNT_AT = 22;
  const FIRST_VIEW_AT = 24;
  const FIRST_MINUTIA_AT = FIRST_VIEW_AT + 4;

  it('a minutia count larger than the bytes allow is rejected before any loop', () => {
    const b = clone(bytes);
    b[FIRST_VIEW_AT + 3] = 255;
    const err = appError(() => parseTemplate(b));
    expect(err.code).toBe('TEMPLATE_INVALID_FIELD');
    expect(err.details).toMatchObject({ field: 'number of minutiae', offset: FIRST_VIEW_AT + 3, count: 255 });
  });

  it('a view count larger than the bytes allow is rejected', () => {
    const b = clone(bytes);
    b[VIEW_COUNT_AT] = 200;
    const err = appError(() => parseTemplate(b));
    expect(err.code).toBe('TEMPLATE_INVALID_FIELD');
    expect(err.details).toMatchObject({ field: 'number of finger views', offset: VIEW_COUNT_AT });
  });

  it('a finger position above 10 is rejected, in both modes', () => {
    const b = clone(bytes);
    b[FIRST_VIEW_AT] = 11;
    for (const lenient of [false, true]) {
      const err = appError(() => parseTemplate(b, { lenient }));
      expect(err.code).toBe('TEMPLATE_INVALID_FIELD');
      expect(err.details).toMatchObject({ field: 'finger position', offset: FIRST_VIEW_AT });
    }
  });

  it('the reserved minutia type 3 is rejected with the minutia offset', () => {
    const b = clone(bytes);
    b[FIRST_MINUTIA_AT + 6] |= 0xc0; // second minutia
    const err = appError(() => parseTemplate(b));
    expect(err.code).toBe('TEMPLATE_INVALID_FIELD');
    expect(err.details).toMatchObject({ field: 'minutia type', offset: FIRST_MINUTIA_AT + 6 });
  });

  it('a minutia beyond the image is rejected strictly, kept leniently; x equal to the width is accepted', () => {
    const atWidth = clone(bytes);
    new DataView(atWidth.buffer).setUint16(FIRST_MINUTIA_AT, (1 << 14) | 300); // width is 300
    expect(parseTemplate(atWidth).views[0].minutiae[0]).toMatchObject({ x: 300, type: 'ending' });
    const beyond = clone(bytes);
    new DataView(beyond.buffer).setUint16(FIRST_MINUTIA_AT, (1 << 14) | 301);
    const err = appError(() => parseTemplate(beyond));
    expect(err.code).toBe('TEMPLATE_INVALID_FIELD');
    expect(err.details).toMatchObject({ field: 'minutia x', offset: FIRST_MINUTIA_AT });
    const lenient = parseTemplate(beyond, { lenient: true });
    expect(lenient.warnings).toHaveLength(1);
    expect(encodeTemplate(lenient)).toEqual(beyond);
  });

  it('an extended data length running past the record is truncation', () => {
    const b = clone(bytes);
    const extAt = FIRST_MINUTIA_AT + 12 * 6; // first view has 12 minutiae and no extended data
    new DataView(b.buffer).setUint16(extAt, 0xfff0);
    const err = appError(() => parseTemplate(b));
    expect(err.code).toBe('TEMPLATE_TRUNCATED');
    expect(err.details?.field).toBe('extended data length');
  });

  it('an unknown version or a foreign magic is TEMPLATE_UNKNOWN_FORMAT', () => {
    const v = clone(bytes);
    v[5] = '9'.charCodeAt(0);
    expect(appError(() => detectFormat(v))).toMatchObject({ code: 'TEMPLATE_UNKNOWN_FORMAT', details: { offset: 4, field: 'version' } });
    const m = clone(bytes);
    m[0] = 'X'.charCodeAt(0);
    expect(appError(() => parseTemplate(m))).toMatchObject({ code: 'TEMPLATE_UNKNOWN_FORMAT', details: { offset: 0 } });
    expect(appError(() => parseTemplate(new TextEncoder().encode('GIF89a...')))).toMatchObject({ code: 'TEMPLATE_UNKNOWN_FORMAT' });
  });
});

describe('format-specific damage', () => {
  it('ISO 2011: finger position outside the 2011 table (12) is rejected; 47 is accepted', () => {
    const bytes = layout(ISO2011_EXAMPLE);
    const repStart = 15;
    // length 4, date 9, tech 1, vendor 2, type 2, quality count 1 + 2*5, cert count 1 + 3 = 33
    const posAt = repStart + 33;
    expect(bytes[posAt]).toBe(7);
    const b = clone(bytes);
    b[posAt] = 12;
    expect(appError(() => parseTemplate(b))).toMatchObject({ code: 'TEMPLATE_INVALID_FIELD', details: { offset: posAt, field: 'finger position' } });
    expect(parseTemplate(bytes).views[1].position).toBe(47);
  });

  it('ISO 2011: a representation length that disagrees with its content is rejected', () => {
    const bytes = layout(ISO2011_EXAMPLE);
    const b = clone(bytes);
    const dv = new DataView(b.buffer);
    dv.setUint32(15, dv.getUint32(15) + 1);
    const err = appError(() => parseTemplate(b));
    expect(['TEMPLATE_LENGTH_MISMATCH', 'TEMPLATE_TRUNCATED']).toContain(err.code);
    expect(String(err.details?.field)).toMatch(/representation length|extended data/);
  });

  it('ISO 2011: a minutia record size other than 5 or 6 is rejected', () => {
    const bytes = layout(ISO2011_EXAMPLE);
    const sizeAt = 15 + 33 + 1 + 1 + 2 + 2 + 1 + 2 + 2;
    expect(bytes[sizeAt] >> 4).toBe(6);
    const b = clone(bytes);
    b[sizeAt] = 0x40;
    expect(appError(() => parseTemplate(b))).toMatchObject({ code: 'TEMPLATE_INVALID_FIELD', details: { offset: sizeAt, field: 'minutia record size' } });
  });

  it('ANSI 2004: angles above 179 are rejected strictly and kept leniently', () => {
    const bytes = layout(ANSI2004_EXAMPLE);
    const angleAt = 26 + 4 + 4;
    const b = clone(bytes);
    b[angleAt] = 200;
    expect(appError(() => parseTemplate(b))).toMatchObject({ code: 'TEMPLATE_INVALID_FIELD', details: { offset: angleAt, field: 'minutia angle' } });
    const p = parseTemplate(b, { lenient: true });
    expect(p.views[0].minutiae[0].angle).toBe(200);
    expect(encodeTemplate(p)).toEqual(b);
  });

  it('ANSI 2009: finger positions of the 2009/AM1 table are rejected in 2009', () => {
    const b = clone(layout(ANSI2009_EXAMPLE));
    b[21] = 13;
    expect(appError(() => parseTemplate(b))).toMatchObject({ code: 'TEMPLATE_INVALID_FIELD', details: { offset: 21, field: 'finger position' } });
  });

  it('ridge counts with a misaligned tail are rejected strictly and kept byte for byte leniently', () => {
    const t: ParsedTemplate = {
      ...ANSI2009_EXAMPLE,
      views: [{ ...ANSI2009_EXAMPLE.views[1], extended: [{ kind: 'ridge-counts', method: 1, edges: [{ from: 1, to: 2, count: 3 }], trailing: Uint8Array.from([9, 9]) }] }],
    };
    const bytes = layout(t);
    const err = appError(() => parseTemplate(bytes));
    expect(err.details?.field).toBe('ridge count data');
    const p = parseTemplate(bytes, { lenient: true });
    expect(p.views[0].extended).toEqual(t.views[0].extended);
    expect(encodeTemplate(p)).toEqual(bytes);
  });

  it('the encoder refuses values that do not fit their field', () => {
    const bad: ParsedTemplate = { ...ISO2005_EXAMPLE, views: [{ ...ISO2005_EXAMPLE.views[0], minutiae: [{ type: 'ending', x: 20000, y: 1, angle: 0, quality: 0 }] }] };
    expect(appError(() => encodeTemplate(bad))).toMatchObject({ code: 'TEMPLATE_INVALID_FIELD', details: { field: 'minutia x' } });
    const tooMany: ParsedTemplate = { ...ISO2005_EXAMPLE, views: [{ ...ISO2005_EXAMPLE.views[0], minutiae: Array(256).fill(ISO2005_EXAMPLE.views[0].minutiae[0]) }] };
    expect(appError(() => encodeTemplate(tooMany))).toMatchObject({ details: { field: 'number of minutiae' } });
  });
});
