// ANSI INCITS 378-2004 record: "FMR\0" " 20\0" (or "020\0", seen in the wild), record length
// (2 bytes, or 0 then 4 bytes), CBEFF product owner and type (2 + 2), capture equipment compliance
// (4 bits) + ID (12 bits), image width, height, x/y resolution (pixels per cm), number of views (1),
// reserved (1); then views laid out as in ISO 2005.
import { ByteReader, ByteWriter } from './bytes.ts';
import { ParseContext } from './fail.ts';
import { fitBits } from './minutiae.ts';
import { checkDeclaredLength, checkViewCount, finishRecord, HEADER_PREFIX_BYTES, writeMagicAndVersion } from './record.ts';
import { TRAITS } from './traits.ts';
import type { ParsedTemplate } from './types.ts';
import { LEGACY_VIEW_MIN_BYTES, readLegacyView, writeLegacyView } from './view-legacy.ts';

const FORMAT = 'ansi-378:2004';
const HEADER_BYTES = 26;
const LONG_LENGTH_EXTRA_BYTES = 4;

export function parseAnsi2004(buf: Uint8Array, version: string, lenient: boolean): ParsedTemplate {
  const ctx = new ParseContext(lenient);
  const r = new ByteReader(buf, HEADER_PREFIX_BYTES);
  const lengthAt = r.pos;
  let declared = r.u16('record length');
  let lengthFieldBytes: 2 | 6 = 2;
  if (declared === 0) {
    declared = r.u32('record length');
    lengthFieldBytes = 6;
  }
  const headerBytes = HEADER_BYTES + (lengthFieldBytes === 6 ? LONG_LENGTH_EXTRA_BYTES : 0);
  checkDeclaredLength(ctx, declared, buf.length, headerBytes, lengthAt);
  const cbeffOwner = r.u16('CBEFF product owner');
  const cbeffType = r.u16('CBEFF product type');
  const equipment = r.u16('capture equipment');
  const header = {
    cbeffOwner, cbeffType,
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
  return finishRecord(ctx, r, declared, lengthAt,
    { format: FORMAT, version, header: { ...header, reserved }, views, lengthFieldBytes, warnings: [] });
}

export function encodeAnsi2004(t: ParsedTemplate): Uint8Array {
  const w = new ByteWriter();
  const h = t.header;
  writeMagicAndVersion(w, t.version);
  // Write the body first: the length field's width depends on the total.
  const body = new ByteWriter();
  body.u16(h.cbeffOwner ?? 0, 'CBEFF product owner');
  body.u16(h.cbeffType ?? 0, 'CBEFF product type');
  body.u16((fitBits(h.equipmentCompliance ?? 0, 4, body, 'capture equipment compliance') << 12)
    | fitBits(h.captureEquipmentId ?? 0, 12, body, 'capture equipment ID'), 'capture equipment');
  body.u16(h.imageWidth ?? 0, 'image width');
  body.u16(h.imageHeight ?? 0, 'image height');
  body.u16(h.resolutionX ?? 0, 'x resolution');
  body.u16(h.resolutionY ?? 0, 'y resolution');
  body.u8(t.views.length, 'number of finger views');
  body.u8(h.reserved ?? 0, 'reserved');
  for (const v of t.views) writeLegacyView(body, v, TRAITS[FORMAT]);
  const shortTotal = HEADER_PREFIX_BYTES + 2 + body.length;
  const long = t.lengthFieldBytes === 6 || shortTotal > 0xffff;
  const total = long ? shortTotal + LONG_LENGTH_EXTRA_BYTES : shortTotal;
  const declared = t.declaredRecordLength ?? total;
  if (long) {
    w.u16(0, 'record length');
    w.u32(declared, 'record length');
  } else {
    w.u16(declared, 'record length');
  }
  w.bytes(body.toBytes());
  return w.toBytes();
}
