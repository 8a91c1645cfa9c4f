// Legacy binary records (Types 3–8): a 4-byte big-endian length, the IDC byte, fixed fields, image.
// We do not decode their images; we check the length, keep the bytes and note the skip.
import { itlError } from './errors.ts';
import { MAX_BINARY_FIELD_BYTES } from './limits.ts';
import type { ItlBinaryRecord } from './types.ts';

/** Smallest valid length of each binary record type: its fixed header. */
const HEADER_BYTES: Record<number, number> = { 3: 18, 4: 18, 5: 11, 6: 11, 7: 5, 8: 12 };

export interface BinaryReadResult { record: ItlBinaryRecord; end: number }

export function readBinaryRecord(buf: Uint8Array, start: number, type: number, index: number): BinaryReadResult {
  const where = { record: index, recordType: type, offset: start };
  if (start + 4 > buf.length) throw itlError('ITL_TRUNCATED', 'transaction ends inside the binary record length', where);
  const len = ((buf[start] << 24) >>> 0) + (buf[start + 1] << 16) + (buf[start + 2] << 8) + buf[start + 3];
  const header = HEADER_BYTES[type] ?? 5;
  if (len < header) throw itlError('ITL_MALFORMED', `binary record length ${len} is shorter than its ${header}-byte header`, where);
  if (len > MAX_BINARY_FIELD_BYTES) throw itlError('ITL_UNSUPPORTED', `binary record of ${len} bytes exceeds the ${MAX_BINARY_FIELD_BYTES}-byte limit`, where);
  if (start + len > buf.length) throw itlError('ITL_TRUNCATED', `binary record declares ${len} bytes but only ${buf.length - start} remain`, where);
  const raw = buf.subarray(start, start + len);
  return { record: { kind: 'binary', type, idc: raw[4], raw, offset: start }, end: start + len };
}

/** The fixed header of a Type-4 record (ANSI/NIST-ITL 1-2011 Table 7): what we need to size a legacy Type-9. */
export interface Type4Header {
  idc: number;
  impressionType: number;
  /** Finger positions: up to six, 255 = unused. */
  positions: number[];
  /** Image scanning resolution: 0 = minimum scanning resolution (19.69 px/mm), 1 = native. */
  isr: number;
  width: number;
  height: number;
  /** Compression algorithm code: 0 none, 1 WSQ, … */
  compression: number;
}

export function readType4Header(record: ItlBinaryRecord): Type4Header | undefined {
  const r = record.raw;
  if (record.type !== 4 || r.length < 18) return undefined;
  return {
    idc: r[4], impressionType: r[5],
    positions: Array.from(r.subarray(6, 12)).filter((p) => p !== 255),
    isr: r[12], width: (r[13] << 8) | r[14], height: (r[15] << 8) | r[16], compression: r[17],
  };
}
