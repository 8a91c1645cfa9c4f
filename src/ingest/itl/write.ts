// writeTransaction: records out as traditional-encoding bytes, LEN and CNT computed.
// A field whose value already says what we would compute keeps its original spelling, so a
// transaction read and written again without changes comes out byte for byte as it went in.
import { itlError } from './errors.ts';
import { bytesOf, canonicalTag, fieldText, joinItems, textOf } from './fields.ts';
import { MAX_RECORDS } from './limits.ts';
import { BINARY_RECORD_TYPES, FS, GS } from './separators.ts';
import { contentOf, readContentList } from './type1.ts';
import type { ItlContentEntry, ItlField, ItlRecord, ItlTaggedRecord } from './types.ts';

const TAG_RE = /^(\d{1,3})\.(\d{1,4})$/;

export function writeTransaction(t: { records: readonly ItlRecord[] }): Uint8Array {
  const records = t.records;
  const head = records[0];
  if (!head || head.kind !== 'tagged' || head.type !== 1) throw itlError('ITL_MALFORMED', 'the first record must be a tagged Type-1 record', { record: 0 });
  if (records.length - 1 > MAX_RECORDS) throw itlError('ITL_UNSUPPORTED', `${records.length - 1} records exceed the ${MAX_RECORDS} a transaction may hold`);
  if (!head.fields.some((f) => f.number === 2)) throw itlError('ITL_MALFORMED', 'the Type-1 record needs a VER field (1.002)', { record: 0, recordType: 1, field: '1.002' });
  records.forEach((r, i) => {
    if (i > 0 && r.type === 1) throw itlError('ITL_MALFORMED', 'only the first record may be Type-1', { record: i, recordType: 1 });
    if (!Number.isInteger(r.type) || r.type < 1 || r.type > 99) throw itlError('ITL_MALFORMED', `record type ${r.type} is not 1..99`, { record: i });
    if ((r.kind === 'binary') !== BINARY_RECORD_TYPES.has(r.type)) {
      throw itlError('ITL_MALFORMED', `Type-${r.type} records are ${BINARY_RECORD_TYPES.has(r.type) ? 'binary' : 'tagged'} in the traditional encoding`, { record: i, recordType: r.type });
    }
    if (i > 0 && r.kind === 'tagged') {
      const idc = fieldText(r, 2);
      if (idc === undefined || !/^\d{1,3}$/.test(idc)) throw itlError('ITL_MALFORMED', 'record needs a numeric IDC field (x.002)', { record: i, recordType: r.type, field: canonicalTag(r.type, 2) });
    }
  });
  const parts: Uint8Array[] = [serializeTagged(withContent(head, contentOf(records)), 0)];
  for (let i = 1; i < records.length; i++) {
    const r = records[i];
    parts.push(r.kind === 'binary' ? checkBinary(r, i) : serializeTagged(r, i));
  }
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function sameContent(a: ItlContentEntry[], b: ItlContentEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => e.type === b[i].type && Number(e.idc) === Number(b[i].idc));
}

/** The Type-1 record with a CNT that lists `content` (the existing field kept if it already does). */
function withContent(type1: ItlTaggedRecord, content: ItlContentEntry[]): ItlTaggedRecord {
  let existing: ItlContentEntry[] | undefined;
  try { existing = readContentList(type1); } catch { existing = undefined; }
  if (existing && sameContent(existing, content)) return type1;
  const value = joinItems([['1', String(content.length)], ...content.map((e) => [String(e.type), e.idc])]);
  const cnt: ItlField = { tag: canonicalTag(1, 3), number: 3, value: bytesOf(value) };
  const at = type1.fields.findIndex((f) => f.number === 3);
  const fields = [...type1.fields];
  if (at >= 0) fields[at] = { ...fields[at], value: cnt.value };
  else {
    const after = fields.findIndex((f) => f.number > 3);
    fields.splice(after < 0 ? fields.length : after, 0, cnt);
  }
  return { ...type1, fields };
}

function checkBinary(r: Extract<ItlRecord, { kind: 'binary' }>, index: number): Uint8Array {
  const raw = r.raw;
  const declared = raw.length >= 4 ? ((raw[0] << 24) >>> 0) + (raw[1] << 16) + (raw[2] << 8) + raw[3] : -1;
  if (declared !== raw.length || raw.length < 5 || raw[4] !== r.idc) {
    throw itlError('ITL_MALFORMED', 'binary record bytes do not carry their own length and IDC', { record: index, recordType: r.type });
  }
  return raw;
}

/** LEN text: the smallest width w with digits(base + w) fitting w (zero-padded to at least minWidth). */
function lenText(base: number, minWidth: number): string {
  for (let w = Math.max(1, minWidth); w < 16; w++) {
    const total = base + w;
    if (Math.max(String(total).length, minWidth) === w) return String(total).padStart(w, '0');
  }
  throw itlError('ITL_UNSUPPORTED', 'record too long');
}

function serializeTagged(r: ItlTaggedRecord, index: number): Uint8Array {
  const seen = new Set<number>();
  let lenField: ItlField | undefined;
  const rest: ItlField[] = [];
  r.fields.forEach((f, i) => {
    const m = TAG_RE.exec(f.tag);
    const where = { record: index, recordType: r.type, field: f.tag };
    if (!m || Number(m[1]) !== r.type || Number(m[2]) !== f.number || f.number < 1 || f.number > 999) {
      throw itlError('ITL_MALFORMED', `tag "${f.tag}" does not name field ${f.number} of a Type-${r.type} record`, where);
    }
    if (seen.has(f.number)) throw itlError('ITL_MALFORMED', 'field appears twice', where);
    seen.add(f.number);
    if (f.number === 999 && i !== r.fields.length - 1) throw itlError('ITL_MALFORMED', 'the DATA field (x.999) must be the last field', where);
    if (f.number !== 999 && (f.value.includes(GS) || f.value.includes(FS))) {
      throw itlError('ITL_MALFORMED', 'a text field may not contain the GS or FS separator', where);
    }
    if (f.number === 1) lenField = f; else rest.push(f);
  });
  const lenTag = lenField?.tag ?? canonicalTag(r.type, 1);
  const trailing = r.trailingSeparator === true && rest.at(-1)?.number !== 999;
  // Bytes of everything except the LEN value's digits: tags, colons, values, GS between fields, final FS.
  let base = lenTag.length + 1 + 1;
  for (const f of rest) base += 1 + f.tag.length + 1 + f.value.length;
  if (trailing) base += 1;
  const oldLen = lenField ? textOf(lenField.value) : '';
  const padded = /^0\d+$/.test(oldLen) ? oldLen.length : 0;
  const len = lenText(base, padded);
  const lenValue = oldLen === len ? lenField!.value : bytesOf(len);
  const out = new Uint8Array(Number(len));
  let at = 0;
  const put = (s: string) => { for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i); };
  put(lenTag); put(':'); out.set(lenValue, at); at += lenValue.length;
  for (const f of rest) { out[at++] = GS; put(f.tag); put(':'); out.set(f.value, at); at += f.value.length; }
  if (trailing) out[at++] = GS;
  out[at++] = FS;
  if (at !== out.length) throw itlError('ITL_MALFORMED', 'internal length mismatch while writing', { record: index, recordType: r.type });
  return out;
}
