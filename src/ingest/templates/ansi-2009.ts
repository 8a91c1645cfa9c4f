// ANSI INCITS 378-2009 ("030\0" as printed in the standard, " 30\0" accepted) and 378-2009/AM1
// ("035\0"): record length (4), CBEFF product owner and type (2 + 2), capture device certification
// (1), capture device type ID (2), number of views (1), reserved (1) = 21 bytes. Each view carries
// its own image size, resolution and quality vendor/algorithm:
// position, view number, impression type, finger quality (1 each), quality vendor ID, quality
// algorithm ID, width, height, x/y resolution (2 each), minutia count (1), minutiae, extended data.
import { ByteReader, ByteWriter } from './bytes.ts';
import { readExtendedData, writeExtendedData } from './extended.ts';
import { ParseContext } from './fail.ts';
import { readMinutiae, writeMinutiae } from './minutiae.ts';
import { checkDeclaredLength, checkViewCount, finishRecord, HEADER_PREFIX_BYTES, writeMagicAndVersion } from './record.ts';
import { type FormatTraits, TRAITS, validQuality } from './traits.ts';
import type { FingerView, ParsedTemplate } from './types.ts';
import { checkPosition } from './view-legacy.ts';

type Ansi2009Format = 'ansi-378:2009' | 'ansi-378:2009am1';
const HEADER_BYTES = 21;
/** View header (17) plus the extended data length (2). */
const VIEW_MIN_BYTES = 19;
const MINUTIA_BYTES = 6;
const MAX_VIEW_NUMBER = 15;

export function parseAnsi2009(buf: Uint8Array, format: Ansi2009Format, version: string, lenient: boolean): ParsedTemplate {
  const ctx = new ParseContext(lenient);
  const traits = TRAITS[format];
  const r = new ByteReader(buf, HEADER_PREFIX_BYTES);
  const lengthAt = r.pos;
  const declared = r.u32('record length');
  checkDeclaredLength(ctx, declared, buf.length, HEADER_BYTES, lengthAt);
  const header = {
    cbeffOwner: r.u16('CBEFF product owner'),
    cbeffType: r.u16('CBEFF product type'),
    equipmentCompliance: r.u8('capture device certification'),
    captureEquipmentId: r.u16('capture device type ID'),
  };
  const countAt = r.pos;
  const count = r.u8('number of finger views');
  const reserved = r.u8('reserved');
  checkViewCount(r, count, VIEW_MIN_BYTES, countAt, 'number of finger views');
  const views = Array.from({ length: count }, () => readView(r, traits, ctx));
  return finishRecord(ctx, r, declared, lengthAt, { format, version, header: { ...header, reserved }, views, warnings: [] });
}

function readView(r: ByteReader, traits: FormatTraits, ctx: ParseContext): FingerView {
  const at = r.pos;
  const position = r.u8('finger position');
  checkPosition(traits, position, at);
  const viewNumber = r.u8('view number');
  if (viewNumber > MAX_VIEW_NUMBER) ctx.tolerate(`view number ${viewNumber} exceeds ${MAX_VIEW_NUMBER}`, at + 1, 'view number');
  const impressionType = r.u8('impression type');
  if (!traits.impressionTypes.has(impressionType)) ctx.tolerate(`impression type ${impressionType} is not defined`, at + 2, 'impression type');
  const fingerQuality = r.u8('finger quality');
  if (!validQuality(traits, fingerQuality)) ctx.tolerate(`finger quality ${fingerQuality} is not a defined value`, at + 3, 'finger quality');
  const v = {
    position, viewNumber, impressionType, fingerQuality,
    qualityVendorId: r.u16('quality vendor ID'),
    qualityAlgorithmId: r.u16('quality algorithm ID'),
    imageWidth: r.u16('image width'),
    imageHeight: r.u16('image height'),
    resolutionX: r.u16('x resolution'),
    resolutionY: r.u16('y resolution'),
  };
  const count = r.u8('number of minutiae');
  const bounds = { width: v.imageWidth, height: v.imageHeight };
  const minutiae = readMinutiae(r, count, MINUTIA_BYTES, traits, ctx, bounds);
  const extended = readExtendedData(r, traits, ctx, { ...bounds, minutiaCount: count });
  return { ...v, minutiae, extended };
}

export function encodeAnsi2009(t: ParsedTemplate): Uint8Array {
  const traits = TRAITS[t.format];
  const w = new ByteWriter();
  const h = t.header;
  writeMagicAndVersion(w, t.version);
  w.u32(0, 'record length');
  w.u16(h.cbeffOwner ?? 0, 'CBEFF product owner');
  w.u16(h.cbeffType ?? 0, 'CBEFF product type');
  w.u8(h.equipmentCompliance ?? 0, 'capture device certification');
  w.u16(h.captureEquipmentId ?? 0, 'capture device type ID');
  w.u8(t.views.length, 'number of finger views');
  w.u8(h.reserved ?? 0, 'reserved');
  for (const v of t.views) {
    w.u8(v.position, 'finger position');
    w.u8(v.viewNumber, 'view number');
    w.u8(v.impressionType, 'impression type');
    w.u8(v.fingerQuality ?? 254, 'finger quality');
    w.u16(v.qualityVendorId ?? 0, 'quality vendor ID');
    w.u16(v.qualityAlgorithmId ?? 0, 'quality algorithm ID');
    w.u16(v.imageWidth ?? 0, 'image width');
    w.u16(v.imageHeight ?? 0, 'image height');
    w.u16(v.resolutionX ?? 0, 'x resolution');
    w.u16(v.resolutionY ?? 0, 'y resolution');
    w.u8(v.minutiae.length, 'number of minutiae');
    writeMinutiae(w, v.minutiae, MINUTIA_BYTES);
    writeExtendedData(w, v.extended, traits);
  }
  w.patchU32(HEADER_PREFIX_BYTES, t.declaredRecordLength ?? w.length, 'record length');
  return w.toBytes();
}
