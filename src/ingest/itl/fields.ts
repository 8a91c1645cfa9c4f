// Reading and building field values: text, subfields (RS) and information items (US).
import { RS_CHAR, US_CHAR } from './separators.ts';
import { MAX_SUBFIELDS } from './limits.ts';
import type { ItlField, ItlRecord, ItlTaggedRecord } from './types.ts';

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

export const textOf = (value: Uint8Array): string => utf8.decode(value);
export const bytesOf = (text: string): Uint8Array => encoder.encode(text);

/** The field with this number, or undefined. */
export function findField(record: ItlTaggedRecord, number: number): ItlField | undefined {
  for (const f of record.fields) if (f.number === number) return f;
  return undefined;
}

/** The field's text, or undefined when the field is absent. */
export function fieldText(record: ItlTaggedRecord, number: number): string | undefined {
  const f = findField(record, number);
  return f ? textOf(f.value) : undefined;
}

/** Splits a field's text into subfields of information items (capped at MAX_SUBFIELDS subfields). */
export function splitItems(text: string): string[][] {
  const subfields = text.split(RS_CHAR, MAX_SUBFIELDS + 1);
  return subfields.map((s) => s.split(US_CHAR));
}

export function joinItems(subfields: readonly (readonly string[])[]): string {
  return subfields.map((items) => items.join(US_CHAR)).join(RS_CHAR);
}

/** Canonical tag spelling: `2.005`, `10.999`. */
export const canonicalTag = (type: number, number: number): string => `${type}.${String(number).padStart(3, '0')}`;

/** A new text field with the canonical tag. */
export function textField(type: number, number: number, value: string | readonly (readonly string[])[]): ItlField {
  const text = typeof value === 'string' ? value : joinItems(value);
  return { tag: canonicalTag(type, number), number, value: bytesOf(text) };
}

/** A new binary field (x.999 DATA). */
export function binaryField(type: number, number: number, value: Uint8Array): ItlField {
  return { tag: canonicalTag(type, number), number, value };
}

/** IDC of a record as a number, or undefined when absent/not a number (Type-1 has none). */
export function recordIdc(record: ItlRecord): number | undefined {
  if (record.kind === 'binary') return record.idc;
  if (record.type === 1) return undefined;
  const t = fieldText(record, 2);
  if (t === undefined || !/^\d{1,3}$/.test(t)) return undefined;
  return Number(t);
}

/** Integer from a decimal text (no sign), or undefined. */
export function parseUint(text: string | undefined, maxDigits = 9): number | undefined {
  if (text === undefined || text.length === 0 || text.length > maxDigits || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}
