// Reading one Type-9 record's text fields, each failure an ITL_MALFORMED naming the field and its offset.
import { itlError, tagName } from './errors.ts';
import { fieldText, parseUint, splitItems } from './fields.ts';
import { fieldOffset } from './image.ts';
import { MAX_MINUTIAE } from './limits.ts';
import type { ItlTaggedRecord } from './types.ts';

export class FieldReader {
  constructor(readonly record: ItlTaggedRecord, readonly index: number | undefined) {}
  fail(number: number, message: string): never {
    throw itlError('ITL_MALFORMED', message, {
      record: this.index, recordType: 9, field: tagName(9, number), offset: fieldOffset(this.record, number),
    });
  }
  text(n: number): string | undefined { return fieldText(this.record, n); }
  uint(n: number, maxDigits = 6): number | undefined {
    const t = this.text(n);
    if (t === undefined) return undefined;
    const v = parseUint(t, maxDigits);
    if (v === undefined) this.fail(n, `expected a non-negative integer, found "${t.slice(0, 20)}"`);
    return v;
  }
  items(n: number): string[][] | undefined {
    const t = this.text(n);
    return t === undefined ? undefined : splitItems(t);
  }
  num(n: number, item: string, what: string, maxDigits = 6): number {
    const v = parseUint(item, maxDigits);
    if (v === undefined) this.fail(n, `${what} must be a non-negative integer, found "${item.slice(0, 20)}"`);
    return v;
  }
}

/**
 * One minutia as the FBI-derived text layouts write it (legacy 9.012 MRC, IAFIS 9.023 MAT): index,
 * "XXXXYYYYTTT" (0.01 mm from the lower-left corner, degrees), quality, type, then ridge counts.
 */
export interface Mm100Minutia {
  index: number;
  /** 0.01 mm, origin at the lower left of the image. */
  x: number;
  y: number;
  /** Degrees 0..359, counter-clockwise from the horizontal (ANSI/NIST convention). */
  theta: number;
  /** 0..63: 0 manually encoded, 1 no quality available, 2..63 increasing quality. */
  quality: number;
  /** A ridge ending, B bifurcation, C compound, D undetermined. */
  type: string;
  /** Remaining items (ridge counts `neighbour,count`, octant residuals), as written. */
  ridgeCounts: string[];
}

/** Reads "XXXXYYYY" (4+4 digits, 0.01 mm), as the core and delta fields write positions. */
export function xy8(r: FieldReader, n: number, s: string): { x: number; y: number } {
  if (!/^\d{8}$/.test(s)) r.fail(n, `position must be 8 digits XXXXYYYY, found "${s.slice(0, 20)}"`);
  return { x: Number(s.slice(0, 4)), y: Number(s.slice(4, 8)) };
}

/** The minutiae of field `n`, one subfield each, every item checked. */
export function readMm100Minutiae(r: FieldReader, n: number, subfields: string[][]): Mm100Minutia[] {
  if (subfields.length > MAX_MINUTIAE) r.fail(n, `more than ${MAX_MINUTIAE} minutiae`);
  return subfields.map((s) => {
    if (s.length < 4) r.fail(n, 'each minutia needs at least index, XXXXYYYYTTT, quality and type');
    if (!/^\d{11}$/.test(s[1])) r.fail(n, `minutia position must be 11 digits XXXXYYYYTTT, found "${s[1].slice(0, 20)}"`);
    const theta = Number(s[1].slice(8, 11));
    if (theta > 359) r.fail(n, `minutia angle ${theta} exceeds 359 degrees`);
    const quality = r.num(n, s[2], 'minutia quality', 2);
    if (quality > 63) r.fail(n, `minutia quality ${quality} exceeds 63`);
    if (!/^[ABCD]$/.test(s[3])) r.fail(n, `minutia type must be A, B, C or D, found "${s[3].slice(0, 20)}"`);
    return {
      index: r.num(n, s[0], 'minutia index', 4),
      x: Number(s[1].slice(0, 4)), y: Number(s[1].slice(4, 8)), theta, quality, type: s[3], ridgeCounts: s.slice(4),
    };
  });
}
