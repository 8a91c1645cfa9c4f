// ISO/IEC 19794-2:2011 record: "FMR\0" "030\0", record length (4), number of finger
// representations (2), certification flag (1) = 15 bytes. Each representation:
// length (4), capture date/time (9), device technology (1), device vendor ID (2), device type ID (2),
// quality record count (1) + records (score 1, vendor 2, algorithm 2), [certification count (1) +
// records (authority 2, scheme 1) when the flag is set], finger position (1), representation number (1),
// x/y resolution (2 each, pixels per cm), impression type (1), width, height (2 each),
// minutia record size (4 bits: 5 or 6) + ridge ending type (4 bits), minutia count (1), minutiae,
// extended data.
import { ByteReader, ByteWriter } from './bytes.ts';
import { readExtendedData, writeExtendedData } from './extended.ts';
import { ParseContext, templateError } from './fail.ts';
import { fitBits, readMinutiae, writeMinutiae } from './minutiae.ts';
import { checkDeclaredLength, checkViewCount, finishRecord, HEADER_PREFIX_BYTES, writeMagicAndVersion } from './record.ts';
import { type FormatTraits, TRAITS, validQuality } from './traits.ts';
import type { CaptureDateTime, FingerView, ParsedTemplate, RepresentationCapture } from './types.ts';
import { checkPosition } from './view-legacy.ts';

const FORMAT = 'iso-19794-2:2011';
const HEADER_BYTES = 15;
/** Smallest representation: 32 header bytes (no quality or certification records) + extended length (2). */
export const ISO2011_MIN_REPRESENTATION_BYTES = 34;
const MAX_DEVICE_TECHNOLOGY = 20;
const MAX_ENDING_TYPE = 1;

export function parseIso2011(buf: Uint8Array, version: string, lenient: boolean): ParsedTemplate {
  const ctx = new ParseContext(lenient);
  const r = new ByteReader(buf, HEADER_PREFIX_BYTES);
  const lengthAt = r.pos;
  const declared = r.u32('record length');
  checkDeclaredLength(ctx, declared, buf.length, HEADER_BYTES, lengthAt);
  const countAt = r.pos;
  const count = r.u16('number of finger representations');
  const flagAt = r.pos;
  const certificationFlag = r.u8('certification flag');
  if (certificationFlag > 1) {
    throw templateError('TEMPLATE_INVALID_FIELD', `certification flag ${certificationFlag} is neither 0 nor 1`, flagAt, 'certification flag');
  }
  checkViewCount(r, count, ISO2011_MIN_REPRESENTATION_BYTES, countAt, 'number of finger representations');
  const views = Array.from({ length: count }, () => readRepresentation(r, TRAITS[FORMAT], ctx, certificationFlag === 1));
  return finishRecord(ctx, r, declared, lengthAt, { format: FORMAT, version, header: { certificationFlag }, views, warnings: [] });
}

function readRepresentation(outer: ByteReader, traits: FormatTraits, ctx: ParseContext, certified: boolean): FingerView {
  const start = outer.pos;
  const length = outer.u32('representation length');
  if (length < ISO2011_MIN_REPRESENTATION_BYTES) {
    throw templateError('TEMPLATE_INVALID_FIELD', `representation length ${length} is below the ${ISO2011_MIN_REPRESENTATION_BYTES}-byte minimum`, start, 'representation length');
  }
  if (length > outer.end - start) {
    throw templateError('TEMPLATE_TRUNCATED', `representation length ${length} runs past the end of the record (byte ${outer.end})`,
      outer.end, 'representation length', { declared: length, available: outer.end - start });
  }
  // Reads inside are bounded by the representation's own length.
  const r = new ByteReader(outer.buf, outer.pos, start + length);
  const dateTime: CaptureDateTime = {
    year: r.u16('capture year'), month: r.u8('capture month'), day: r.u8('capture day'), hour: r.u8('capture hour'),
    minute: r.u8('capture minute'), second: r.u8('capture second'), millisecond: r.u16('capture millisecond'),
  };
  const techAt = r.pos;
  const capture: RepresentationCapture = {
    dateTime,
    deviceTechnology: r.u8('capture device technology'),
    deviceVendorId: r.u16('capture device vendor ID'),
    deviceTypeId: r.u16('capture device type ID'),
    qualityRecords: [],
  };
  if (capture.deviceTechnology > MAX_DEVICE_TECHNOLOGY) ctx.tolerate(`capture device technology ${capture.deviceTechnology} is not defined`, techAt, 'capture device technology');
  const qualityCount = r.u8('number of quality records');
  for (let i = 0; i < qualityCount; i++) {
    const at = r.pos;
    const q = { score: r.u8('quality score'), vendorId: r.u16('quality vendor ID'), algorithmId: r.u16('quality algorithm ID') };
    if (!validQuality(traits, q.score)) ctx.tolerate(`quality score ${q.score} is not a defined value`, at, 'quality score');
    capture.qualityRecords.push(q);
  }
  if (certified) {
    const n = r.u8('number of certification records');
    capture.certifications = Array.from({ length: n }, () => ({ authorityId: r.u16('certification authority ID'), schemeId: r.u8('certification scheme ID') }));
  }
  const posAt = r.pos;
  const position = r.u8('finger position');
  checkPosition(traits, position, posAt);
  const viewNumber = r.u8('representation number');
  const resolutionX = r.u16('x resolution');
  const resolutionY = r.u16('y resolution');
  const impAt = r.pos;
  const impressionType = r.u8('impression type');
  if (!traits.impressionTypes.has(impressionType)) ctx.tolerate(`impression type ${impressionType} is not defined`, impAt, 'impression type');
  const imageWidth = r.u16('image width');
  const imageHeight = r.u16('image height');
  const sizeAt = r.pos;
  const packed = r.u8('minutia record size and ridge ending type');
  const recordSize = packed >>> 4;
  if (recordSize !== 5 && recordSize !== 6) {
    throw templateError('TEMPLATE_INVALID_FIELD', `minutia record size ${recordSize} is neither 5 nor 6`, sizeAt, 'minutia record size');
  }
  const ridgeEndingType = packed & 0x0f;
  if (ridgeEndingType > MAX_ENDING_TYPE) ctx.tolerate(`ridge ending type ${ridgeEndingType} is not defined`, sizeAt, 'ridge ending type');
  const count = r.u8('number of minutiae');
  const bounds = { width: imageWidth, height: imageHeight };
  const minutiae = readMinutiae(r, count, recordSize, traits, ctx, bounds);
  const extended = readExtendedData(r, traits, ctx, { ...bounds, minutiaCount: count });
  if (r.remaining > 0) {
    throw templateError('TEMPLATE_LENGTH_MISMATCH', `representation length ${length} leaves ${r.remaining} byte(s) after the extended data`,
      r.pos, 'representation length', { declared: length, structural: r.pos - start });
  }
  outer.pos = r.pos;
  return {
    position, viewNumber, impressionType, imageWidth, imageHeight, resolutionX, resolutionY,
    capture, minutiaRecordSize: recordSize, ridgeEndingType, minutiae, extended,
  };
}

export function encodeIso2011(t: ParsedTemplate): Uint8Array {
  const traits = TRAITS[FORMAT];
  const certified = (t.header.certificationFlag ?? 0) === 1;
  const w = new ByteWriter();
  writeMagicAndVersion(w, t.version);
  w.u32(0, 'record length');
  w.u16(t.views.length, 'number of finger representations');
  w.u8(t.header.certificationFlag ?? 0, 'certification flag');
  for (const v of t.views) {
    const start = w.length;
    w.u32(0, 'representation length');
    const c = v.capture ?? { dateTime: UNKNOWN_DATE, deviceTechnology: 0, deviceVendorId: 0, deviceTypeId: 0, qualityRecords: [] };
    const d = c.dateTime;
    w.u16(d.year, 'capture year'); w.u8(d.month, 'capture month'); w.u8(d.day, 'capture day');
    w.u8(d.hour, 'capture hour'); w.u8(d.minute, 'capture minute'); w.u8(d.second, 'capture second');
    w.u16(d.millisecond, 'capture millisecond');
    w.u8(c.deviceTechnology, 'capture device technology');
    w.u16(c.deviceVendorId, 'capture device vendor ID');
    w.u16(c.deviceTypeId, 'capture device type ID');
    w.u8(c.qualityRecords.length, 'number of quality records');
    for (const q of c.qualityRecords) {
      w.u8(q.score, 'quality score'); w.u16(q.vendorId, 'quality vendor ID'); w.u16(q.algorithmId, 'quality algorithm ID');
    }
    if (certified) {
      const certs = c.certifications ?? [];
      w.u8(certs.length, 'number of certification records');
      for (const cr of certs) { w.u16(cr.authorityId, 'certification authority ID'); w.u8(cr.schemeId, 'certification scheme ID'); }
    } else if (c.certifications?.length) {
      throw templateError('TEMPLATE_INVALID_FIELD', 'certification records need the header certification flag set', w.length, 'certification flag');
    }
    w.u8(v.position, 'finger position');
    w.u8(v.viewNumber, 'representation number');
    w.u16(v.resolutionX ?? 0, 'x resolution');
    w.u16(v.resolutionY ?? 0, 'y resolution');
    w.u8(v.impressionType, 'impression type');
    w.u16(v.imageWidth ?? 0, 'image width');
    w.u16(v.imageHeight ?? 0, 'image height');
    const recordSize = v.minutiaRecordSize ?? 6;
    if (recordSize !== 5 && recordSize !== 6) throw templateError('TEMPLATE_INVALID_FIELD', `minutia record size ${String(recordSize)} is neither 5 nor 6`, w.length, 'minutia record size');
    w.u8((recordSize << 4) | fitBits(v.ridgeEndingType ?? 0, 4, w, 'ridge ending type'), 'minutia record size and ridge ending type');
    w.u8(v.minutiae.length, 'number of minutiae');
    writeMinutiae(w, v.minutiae, recordSize);
    writeExtendedData(w, v.extended, traits);
    w.patchU32(start, w.length - start, 'representation length');
  }
  w.patchU32(HEADER_PREFIX_BYTES, t.declaredRecordLength ?? w.length, 'record length');
  return w.toBytes();
}

/** ISO/IEC 19794-1:2011 "not given" date and time. */
const UNKNOWN_DATE: CaptureDateTime = { year: 0xffff, month: 0xff, day: 0xff, hour: 0xff, minute: 0xff, second: 0xff, millisecond: 0xffff };
