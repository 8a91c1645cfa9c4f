// Reads one tagged record (`T.001:LEN<GS>T.002:...<FS>`) with every length and separator checked.
import { FS, GS } from './separators.ts';
import { itlError, tagName } from './errors.ts';
import {
  MAX_BINARY_FIELD_BYTES, MAX_FIELDS_PER_RECORD, MAX_LEN_DIGITS, MAX_TAG_FIELD_DIGITS,
  MAX_TAG_TYPE_DIGITS, MAX_TEXT_FIELD_BYTES,
} from './limits.ts';
import type { ItlField, ItlTaggedRecord } from './types.ts';

const DOT = 0x2e;
const COLON = 0x3a;
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

interface Tag { type: number; number: number; tag: string; valueStart: number }

interface Ctx { index: number; type: number }

/**
 * Reads `digits.digits:` at pos. Running into `limit` is a truncation when the limit is the end of
 * the transaction (we do not yet know the record's length) and malformation inside a known record.
 */
function readTag(buf: Uint8Array, pos: number, limit: number, ctx: Ctx, limitIsEnd: boolean): Tag {
  const where = { record: ctx.index, recordType: ctx.type, offset: pos };
  const cut = () => limitIsEnd
    ? itlError('ITL_TRUNCATED', 'transaction ends inside a field tag', where)
    : itlError('ITL_MALFORMED', 'record ends inside a field tag', where);
  let p = pos;
  let type = 0;
  while (p < limit && isDigit(buf[p]) && p - pos <= MAX_TAG_TYPE_DIGITS) type = type * 10 + (buf[p++] - 0x30);
  const typeDigits = p - pos;
  if (p >= limit) throw cut();
  if (typeDigits === 0 || typeDigits > MAX_TAG_TYPE_DIGITS || buf[p] !== DOT) {
    throw itlError('ITL_MALFORMED', `bad field tag: expected "<record type>.<field number>:" but found ${describe(buf, pos, limit)}`, where);
  }
  const fieldStart = ++p;
  let number = 0;
  while (p < limit && isDigit(buf[p]) && p - fieldStart <= MAX_TAG_FIELD_DIGITS) number = number * 10 + (buf[p++] - 0x30);
  const fieldDigits = p - fieldStart;
  if (p >= limit) throw cut();
  if (fieldDigits === 0 || fieldDigits > MAX_TAG_FIELD_DIGITS || buf[p] !== COLON) {
    throw itlError('ITL_MALFORMED', `bad field tag: expected "<record type>.<field number>:" but found ${describe(buf, pos, limit)}`, where);
  }
  if (number < 1 || number > 999) {
    throw itlError('ITL_MALFORMED', `field number ${number} out of range 1..999`, where);
  }
  let tag = '';
  for (let i = pos; i < p; i++) tag += String.fromCharCode(buf[i]);
  return { type, number, tag, valueStart: p + 1 };
}

/** A short printable excerpt for messages. */
function describe(buf: Uint8Array, pos: number, limit: number): string {
  let s = '';
  for (let i = pos; i < Math.min(limit, pos + 12); i++) {
    const b = buf[i];
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `"${s}"`;
}

export interface TaggedReadResult { record: ItlTaggedRecord; end: number }

/** Reads the tagged record of the expected type starting at `start`; `end` is the offset after its FS. */
export function readTaggedRecord(buf: Uint8Array, start: number, expectedType: number, index: number): TaggedReadResult {
  const ctx: Ctx = { index, type: expectedType };
  if (start >= buf.length) throw itlError('ITL_TRUNCATED', 'transaction ends before the record starts', { record: index, recordType: expectedType, offset: start });

  // Field x.001 (LEN) first: it tells where the record ends.
  const lenTag = readTag(buf, start, buf.length, ctx, true);
  if (lenTag.type !== expectedType) {
    throw itlError('ITL_MALFORMED', `record starts with tag ${lenTag.tag} but the CNT field says Type-${expectedType}`, { record: index, recordType: expectedType, offset: start });
  }
  const lenField = tagName(expectedType, 1);
  if (lenTag.number !== 1) {
    throw itlError('ITL_MALFORMED', `record must start with field ${lenField} (LEN), found ${lenTag.tag}`, { record: index, recordType: expectedType, field: lenTag.tag, offset: start });
  }
  let p = lenTag.valueStart;
  let len = 0;
  while (p < buf.length && buf[p] !== GS && buf[p] !== FS) {
    if (!isDigit(buf[p]) || p - lenTag.valueStart >= MAX_LEN_DIGITS) {
      throw itlError('ITL_MALFORMED', 'LEN must be a decimal byte count', { record: index, recordType: expectedType, field: lenField, offset: p });
    }
    len = len * 10 + (buf[p++] - 0x30);
  }
  if (p >= buf.length) throw itlError('ITL_TRUNCATED', 'transaction ends inside the LEN field', { record: index, recordType: expectedType, field: lenField, offset: p });
  if (p === lenTag.valueStart) throw itlError('ITL_MALFORMED', 'LEN is empty', { record: index, recordType: expectedType, field: lenField, offset: p });
  const minimum = p - start + 1;
  if (len < minimum) {
    throw itlError('ITL_MALFORMED', `LEN ${len} is shorter than the record's own LEN field (${minimum} bytes)`, { record: index, recordType: expectedType, field: lenField, offset: lenTag.valueStart });
  }
  const end = start + len;
  if (end > buf.length) {
    throw itlError('ITL_TRUNCATED', `LEN declares ${len} bytes but only ${buf.length - start} remain`, { record: index, recordType: expectedType, field: lenField, offset: lenTag.valueStart });
  }
  const last = end - 1;
  if (buf[last] !== FS) {
    throw itlError('ITL_MALFORMED', `no FS at the end declared by LEN ${len}`, { record: index, recordType: expectedType, field: lenField, offset: last });
  }

  const fields: ItlField[] = [];
  const seen = new Set<number>();
  const record: ItlTaggedRecord = { kind: 'tagged', type: expectedType, fields, offset: start };
  let pos = start;
  for (;;) {
    if (fields.length >= MAX_FIELDS_PER_RECORD) {
      throw itlError('ITL_UNSUPPORTED', `more than ${MAX_FIELDS_PER_RECORD} fields in one record`, { record: index, recordType: expectedType, offset: pos });
    }
    const tag = readTag(buf, pos, last, ctx, false);
    const where = { record: index, recordType: expectedType, field: tag.tag, offset: pos };
    if (tag.type !== expectedType) throw itlError('ITL_MALFORMED', `tag of a Type-${tag.type} field inside a Type-${expectedType} record`, where);
    if (fields.length === 0 && tag.number !== 1) throw itlError('ITL_MALFORMED', 'first field must be LEN (x.001)', where);
    if (seen.has(tag.number)) throw itlError('ITL_MALFORMED', `field ${tagName(expectedType, tag.number)} appears twice`, where);
    seen.add(tag.number);
    if (tag.number === 999) {
      // DATA: binary, always the last field, runs to the FS that LEN points at.
      const size = last - tag.valueStart;
      if (size > MAX_BINARY_FIELD_BYTES) throw itlError('ITL_UNSUPPORTED', `binary field of ${size} bytes exceeds the ${MAX_BINARY_FIELD_BYTES}-byte limit`, where);
      fields.push({ tag: tag.tag, number: 999, value: buf.subarray(tag.valueStart, last) });
      break;
    }
    let q = tag.valueStart;
    while (q < last && buf[q] !== GS && buf[q] !== FS) q++;
    if (q < last && buf[q] === FS) {
      throw itlError('ITL_MALFORMED', 'FS inside the record before the end its LEN declares', { ...where, offset: q });
    }
    if (q - tag.valueStart > MAX_TEXT_FIELD_BYTES) {
      throw itlError('ITL_UNSUPPORTED', `text field of ${q - tag.valueStart} bytes exceeds the ${MAX_TEXT_FIELD_BYTES}-byte limit`, where);
    }
    fields.push({ tag: tag.tag, number: tag.number, value: buf.subarray(tag.valueStart, q) });
    if (q === last) break;
    pos = q + 1;
    if (pos === last) { record.trailingSeparator = true; break; }
  }
  return { record, end };
}
