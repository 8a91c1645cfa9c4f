// Image records (Type-10 face/SMT, Type-13 latent, Type-14 fingerprint): fields plus DATA in x.999.
// We return the bytes and their declared compression and check that the bytes are what CGA declares.
import { itlError } from './errors.ts';
import { fieldText, findField, parseUint, splitItems } from './fields.ts';
import type { ItlTaggedRecord } from './types.ts';

export type ImageFormat = 'jpeg' | 'jp2' | 'png' | 'wsq' | 'raw';

/** CGA (compression algorithm) values of ANSI/NIST-ITL 1-2011 Table 15, and the legacy `WSQ`. */
const CGA_FORMATS: Record<string, ImageFormat> = {
  NONE: 'raw', JPEGB: 'jpeg', JPEGL: 'jpeg', JP2: 'jp2', JP2L: 'jp2', PNG: 'png', WSQ20: 'wsq', WSQ: 'wsq',
};

/** Field numbers shared by Types 10, 13 and 14. */
const F = { IMT: 3, HLL: 6, VLL: 7, SLC: 8, THPS: 9, TVPS: 10, CGA: 11, CSP_OR_BPX: 12, FGP: 13, POS: 20, DATA: 999 } as const;

const startsWith = (d: Uint8Array, sig: readonly number[]): boolean => d.length >= sig.length && sig.every((b, i) => d[i] === b);
const JPEG_SOI = [0xff, 0xd8, 0xff];
const JP2_BOX = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const J2K_SOC = [0xff, 0x4f, 0xff, 0x51];
const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const WSQ_SOI = [0xff, 0xa0, 0xff];

/** Does the data carry the signature of its declared format? (raw cannot be told from its bytes.) */
export function matchesFormat(data: Uint8Array, format: ImageFormat): boolean {
  switch (format) {
    case 'jpeg': return startsWith(data, JPEG_SOI);
    case 'jp2': return startsWith(data, JP2_BOX) || startsWith(data, J2K_SOC);
    case 'png': return startsWith(data, PNG_SIG);
    case 'wsq': return startsWith(data, WSQ_SOI);
    case 'raw': return true;
  }
}

export interface ItlImage {
  recordType: number;
  idc: number | undefined;
  /** 10.003 IMT: FACE, SMT, … (Type-10 only). */
  imageType?: string;
  /** CGA as written: JPEGB, JP2L, NONE… */
  compression?: string;
  /** What the compression means for a decoder; undefined when CGA is unknown. */
  format?: ImageFormat;
  width?: number;
  height?: number;
  /** Pixels per inch from SLC/THPS (undefined when SLC = 0, i.e. aspect ratio only). */
  ppi?: number;
  /** 10.020 POS: F (frontal), R, L, A (angled), D (determined by 10.025). */
  pose?: string;
  /** Friction ridge positions (x.013 FGP, Types 13/14). */
  positions?: number[];
  /** The image bytes (x.999), or undefined when the record has none. */
  data?: Uint8Array;
}

/** Pixels per inch from SLC (1 = px/inch, 2 = px/cm) and a pixel scale. */
export function ppiFrom(slc: number | undefined, scale: number | undefined): number | undefined {
  if (scale === undefined || scale <= 0) return undefined;
  if (slc === 1) return scale;
  if (slc === 2) return scale * 2.54;
  return undefined;
}

export function readImageRecord(record: ItlTaggedRecord): ItlImage {
  const cga = fieldText(record, F.CGA);
  const slc = parseUint(fieldText(record, F.SLC));
  const fgp = record.type === 10 ? undefined : fieldText(record, F.FGP);
  return {
    recordType: record.type,
    idc: parseUint(fieldText(record, 2), 3),
    imageType: record.type === 10 ? fieldText(record, F.IMT) : undefined,
    compression: cga,
    format: cga !== undefined ? CGA_FORMATS[cga.toUpperCase()] : undefined,
    width: parseUint(fieldText(record, F.HLL), 6),
    height: parseUint(fieldText(record, F.VLL), 6),
    ppi: ppiFrom(slc, parseUint(fieldText(record, F.THPS), 6)),
    pose: record.type === 10 ? fieldText(record, F.POS) : undefined,
    positions: fgp !== undefined
      ? splitItems(fgp).map((s) => parseUint(s[0], 3)).filter((n): n is number => n !== undefined)
      : undefined,
    data: findField(record, F.DATA)?.value,
  };
}

/** Byte offset of a field inside the transaction the record was read from (undefined for built records). */
export function fieldOffset(record: ItlTaggedRecord, number: number): number | undefined {
  if (record.offset === undefined) return undefined;
  let off = record.offset;
  for (const f of record.fields) {
    if (f.number === number) return off;
    off += f.tag.length + 1 + f.value.length + 1;
  }
  return undefined;
}

/** Bytes per pixel of uncompressed data, when the record says. */
function bytesPerPixel(record: ItlTaggedRecord): number | undefined {
  const v = fieldText(record, F.CSP_OR_BPX);
  if (v === undefined) return record.type === 10 ? undefined : 1;
  if (record.type === 10) {
    const csp = v.toUpperCase();
    if (csp === 'GRAY') return 1;
    if (csp === 'RGB' || csp === 'SRGB' || csp === 'YCC' || csp === 'SYCC') return 3;
    return undefined;
  }
  const bpx = parseUint(v, 2);
  return bpx !== undefined && bpx % 8 === 0 && bpx > 0 ? bpx / 8 : undefined;
}

/** Checks an image record's DATA against its CGA. Throws ITL_MALFORMED on a mismatch; notes what it cannot check. */
export function validateImageRecord(record: ItlTaggedRecord, index: number, notes: string[]): void {
  const img = readImageRecord(record);
  const tag = `${record.type}.999`;
  if (!img.data) { notes.push(`record ${index}: Type-${record.type} record has no image data (${tag})`); return; }
  if (img.compression === undefined) { notes.push(`record ${index}: Type-${record.type} record has no compression field (${record.type}.011)`); return; }
  if (img.format === undefined) { notes.push(`record ${index}: Type-${record.type} compression "${img.compression}" is not one this codec checks`); return; }
  const where = { record: index, recordType: record.type, field: tag, offset: fieldOffset(record, 999) };
  if (!matchesFormat(img.data, img.format)) {
    throw itlError('ITL_MALFORMED', `image data does not start with the ${img.format.toUpperCase()} signature that CGA "${img.compression}" declares`, where);
  }
  if (img.format === 'raw') {
    const bpp = bytesPerPixel(record);
    if (bpp !== undefined && img.width !== undefined && img.height !== undefined && img.width * img.height * bpp !== img.data.length) {
      throw itlError('ITL_MALFORMED', `uncompressed image of ${img.width}x${img.height} at ${bpp} byte(s)/pixel needs ${img.width * img.height * bpp} bytes, found ${img.data.length}`, where);
    }
  }
}
