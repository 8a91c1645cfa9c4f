// Finger image records: ISO/IEC 19794-4:2005 (32-byte general header) and ANSI/INCITS 381-2004 (the same
// with a 4-byte CBEFF product identifier: 36 bytes), both "FIR\0" "010\0"; version "020" is the 2011
// edition (iso-2011.ts). Each view is a 14-byte header
// and the image: uncompressed 8-bit grey, WSQ, JPEG, JPEG 2000 or PNG. Every length, dimension and count
// is checked against the record; every failure names the field and its byte offset.
import { AppError } from '../../errors.ts';
import { recordError as fail, recordUnsupported } from './errors.ts';
import { parseIso2011 } from './iso-2011.ts';
import { MAX_SIDE, MAX_VIEWS, type FingerImageRecord, type FingerImageView, type ViewCompression } from './types.ts';

export type { FingerImageRecord, FingerImageView, ViewCompression } from './types.ts';

const COMPRESSION: Record<number, ViewCompression | 'packed'> = { 0: 'raw', 1: 'packed', 2: 'wsq', 3: 'jpeg', 4: 'jp2', 5: 'png' };

export const isFingerImageRecord = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x46 && b[1] === 0x49 && b[2] === 0x52 && b[3] === 0;

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
const u48 = (b: Uint8Array, o: number) => u16(b, o) * 2 ** 32 + u32(b, o + 2);

export function parseFingerImageRecord(b: Uint8Array): FingerImageRecord {
  if (!isFingerImageRecord(b)) throw fail('IMAGE_RECORD_MALFORMED', 'format identifier is not "FIR\\0"', 'format_identifier', 0);
  if (b.length < 8) throw fail('IMAGE_RECORD_TRUNCATED', 'record ends inside the version', 'version', 4);
  const version = String.fromCharCode(b[4], b[5], b[6]);
  if (b[7] === 0 && version === '020') return parseIso2011(b);
  if (b[7] !== 0 || (version !== '010' && version !== ' 10')) throw fail('IMAGE_RECORD_MALFORMED', `version "${version}" is not 010 or 020`, 'version', 4);
  if (b.length < 14) throw fail('IMAGE_RECORD_TRUNCATED', 'record ends inside the record length', 'record_length', 8);
  const length = u48(b, 8);
  if (length > b.length) throw fail('IMAGE_RECORD_TRUNCATED', `record declares ${length} bytes but ${b.length} arrived`, 'record_length', 8);
  if (length < 32 + 14) throw fail('IMAGE_RECORD_MALFORMED', `record length ${length} is shorter than one header and one view header`, 'record_length', 8);
  // ISO's header is 32 bytes, ANSI's 36 (a CBEFF product id after the length): the one whose first view
  // header is consistent with the record is the one the record follows.
  const iso = tryHeader(b, length, 14);
  const ansi = iso ? undefined : tryHeader(b, length, 18);
  const h = iso ?? ansi;
  if (!h) throw fail('IMAGE_RECORD_MALFORMED', 'no header layout (ISO 32 bytes, ANSI 36 bytes) is consistent with the view lengths', 'finger_data_block_length', 32);
  const views: FingerImageView[] = [];
  let o = h.start;
  for (let i = 0; i < h.count; i++) {
    if (o + 14 > length) throw fail('IMAGE_RECORD_TRUNCATED', `view ${i} header runs past the record`, `view[${i}]`, o);
    const blockLen = u32(b, o);
    if (blockLen < 14 || o + blockLen > length) throw fail('IMAGE_RECORD_MALFORMED', `view ${i} declares ${blockLen} bytes; ${length - o} remain`, `view[${i}].finger_data_block_length`, o);
    const width = u16(b, o + 9), height = u16(b, o + 11);
    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) throw fail('IMAGE_RECORD_MALFORMED', `view size ${width}x${height} is outside 1..${MAX_SIDE}`, `view[${i}].horizontal_line_length`, o + 9);
    const position = b[o + 4];
    if (position > 10) {
      throw recordUnsupported(`view ${i} is finger position ${position} (multi-finger or palm): only single-finger views (0-10) are read`, `view[${i}].finger_position`, o + 4);
    }
    const data = b.subarray(o + 14, o + blockLen);
    if (h.compression === 'raw' && data.length !== width * height) {
      throw fail('IMAGE_RECORD_MALFORMED', `uncompressed ${width}x${height} view needs ${width * height} bytes, found ${data.length}`, `view[${i}].image_data`, o + 14);
    }
    views.push({ position, viewNumber: b[o + 6], quality: b[o + 7], impressionType: b[o + 8], width, height, ppi: h.ppi, compression: h.compression, data, offset: o + 14 });
    o += blockLen;
  }
  return { standard: iso ? 'ISO/IEC 19794-4:2005' : 'ANSI/INCITS 381-2004', views };
}

interface Header { start: number; count: number; ppi: number; compression: ViewCompression }

/** Reads the general header with its fixed fields starting at `at` (after the record length); undefined if inconsistent. */
function tryHeader(b: Uint8Array, length: number, at: number): Header | undefined {
  const start = at + 18;
  if (start + 14 > length) return undefined;
  const count = b[at + 4];
  const units = b[at + 5];
  const hres = u16(b, at + 10);
  const depth = b[at + 14], comp = b[at + 15];
  if (count < 1 || count > MAX_VIEWS || (units !== 1 && units !== 2) || hres === 0) return undefined;
  // The views must tile the record exactly.
  let o = start;
  for (let i = 0; i < count; i++) {
    if (o + 14 > length) return undefined;
    const n = u32(b, o);
    if (n < 14) return undefined;
    o += n;
  }
  if (o !== length) return undefined;
  const compression = COMPRESSION[comp];
  if (compression === undefined) throw fail('IMAGE_RECORD_MALFORMED', `compression code ${comp} is not 0-5`, 'image_compression_algorithm', at + 15);
  if (compression === 'packed' || (compression === 'raw' && depth !== 8)) {
    throw recordUnsupported(`uncompressed images at ${depth} bit(s) per pixel${compression === 'packed' ? ', bit-packed,' : ''} are not read; 8-bit grey is`, 'pixel_depth', at + 14);
  }
  return { start, count, ppi: units === 1 ? hres : Math.round(hres * 2.54), compression };
}

/** Wraps uncompressed 8-bit grey pixels as a one-view ISO/IEC 19794-4:2005 record (how raw ITL images travel on). */
export function rawViewRecord(width: number, height: number, pixels: Uint8Array, ppi: number, position: number): Uint8Array {
  if (pixels.length !== width * height) throw new AppError('IMAGE_RECORD_MALFORMED', `uncompressed ${width}x${height} image needs ${width * height} bytes, found ${pixels.length}`, { field: 'image_data', offset: 0 });
  const total = 32 + 14 + pixels.length;
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  b.set([0x46, 0x49, 0x52, 0, 0x30, 0x31, 0x30, 0], 0);
  dv.setUint16(8, Math.floor(total / 2 ** 32)); dv.setUint32(10, total % 2 ** 32);
  b[18] = 1; b[19] = 1;
  for (const o of [20, 22, 24, 26]) dv.setUint16(o, Math.round(ppi));
  b[28] = 8; b[29] = 0;
  dv.setUint32(32, 14 + pixels.length); b[36] = position; b[37] = 1;
  dv.setUint16(41, width); dv.setUint16(43, height);
  b.set(pixels, 46);
  return b;
}
