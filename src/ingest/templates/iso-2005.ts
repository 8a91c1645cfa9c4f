// ISO/IEC 19794-2:2005 record: "FMR\0" " 20\0", record length (4), capture equipment compliance
// (4 bits) + ID (12 bits), image width, height, x/y resolution (pixels per cm, 2 each),
// number of views (1), reserved (1) = 24 bytes; then the views.
import { ByteReader, ByteWriter } from './bytes.ts';
import { ParseContext } from './fail.ts';
import { fitBits } from './minutiae.ts';
import { checkDeclaredLength, checkViewCount, finishRecord, HEADER_PREFIX_BYTES, writeMagicAndVersion } from './record.ts';
import { TRAITS } from './traits.ts';
import type { ParsedTemplate } from './types.ts';
import { LEGACY_VIEW_MIN_BYTES, readLegacyView, writeLegacyView } from './view-legacy.ts';

const FORMAT = 'iso-19794-2:2005';
const HEADER_BYTES = 24;

export function parseIso2005(buf: Uint8Array, version: string, lenient: boolean): ParsedTemplate {
  const ctx = new ParseContext(lenient);
  const r = new ByteReader(buf, HEADER_PREFIX_BYTES);
  const lengthAt = r.pos;
  const declared = r.u32('record length');
  checkDeclaredLength(ctx, declared, buf.length, HEADER_BYTES, lengthAt);
  const equipment = r.u16('capture equipment');
  const header = {
    equipmentCompliance: equipment >>> 12,
    captureEquipmentId: equipment & 0x0fff,
    imageWidth: r.u16('image width'),
    imageHeight: r.u16('image height'),
    resolutionX: r.u16('x resolution'),
    resolutionY: r.u16('y resolution'),
  };
  const countAt = r.pos;
  const count = r.u8('number of finger views');
  const reserved = r.u8('reserved');
  checkViewCount(r, count, LEGACY_VIEW_MIN_BYTES, countAt, 'number of finger views');
  const bounds = { width: header.imageWidth, height: header.imageHeight };
  const views = Array.from({ length: count }, () => readLegacyView(r, TRAITS[FORMAT], ctx, bounds));
  return finishRecord(ctx, r, declared, lengthAt, { format: FORMAT, version, header: { ...header, reserved }, views, warnings: [] });
}

export function encodeIso2005(t: ParsedTemplate): Uint8Array {
  const w = new ByteWriter();
  const h = t.header;
  writeMagicAndVersion(w, t.version);
  w.u32(0, 'record length');
  w.u16((fitBits(h.equipmentCompliance ?? 0, 4, w, 'capture equipment compliance') << 12)
    | fitBits(h.captureEquipmentId ?? 0, 12, w, 'capture equipment ID'), 'capture equipment');
  w.u16(h.imageWidth ?? 0, 'image width');
  w.u16(h.imageHeight ?? 0, 'image height');
  w.u16(h.resolutionX ?? 0, 'x resolution');
  w.u16(h.resolutionY ?? 0, 'y resolution');
  w.u8(t.views.length, 'number of finger views');
  w.u8(h.reserved ?? 0, 'reserved');
  for (const v of t.views) writeLegacyView(w, v, TRAITS[FORMAT]);
  w.patchU32(HEADER_PREFIX_BYTES, t.declaredRecordLength ?? w.length, 'record length');
  return w.toBytes();
}
