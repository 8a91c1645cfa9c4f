// What ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 records share after their record length (and ANSI's CBEFF
// product ids): capture equipment compliance (4 bits) + ID (12 bits), image width, height, x/y resolution (pixels
// per cm, 2 each), number of views (1), reserved (1), then the views (view-legacy.ts).
import type { ByteReader, ByteWriter } from './bytes.ts';
import type { ParseContext } from './fail.ts';
import { fitBits } from './minutiae.ts';
import { checkViewCount } from './record.ts';
import type { FormatTraits } from './traits.ts';
import type { FingerView, ParsedTemplate } from './types.ts';
import { LEGACY_VIEW_MIN_BYTES, readLegacyView, writeLegacyView } from './view-legacy.ts';

export function readLegacyBody(r: ByteReader, traits: FormatTraits, ctx: ParseContext) {
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
  const views: FingerView[] = Array.from({ length: count }, () => readLegacyView(r, traits, ctx, bounds));
  return { header: { ...header, reserved }, views };
}

export function writeLegacyBody(w: ByteWriter, t: ParsedTemplate, traits: FormatTraits): void {
  const h = t.header;
  w.u16((fitBits(h.equipmentCompliance ?? 0, 4, w, 'capture equipment compliance') << 12)
    | fitBits(h.captureEquipmentId ?? 0, 12, w, 'capture equipment ID'), 'capture equipment');
  w.u16(h.imageWidth ?? 0, 'image width');
  w.u16(h.imageHeight ?? 0, 'image height');
  w.u16(h.resolutionX ?? 0, 'x resolution');
  w.u16(h.resolutionY ?? 0, 'y resolution');
  w.u8(t.views.length, 'number of finger views');
  w.u8(h.reserved ?? 0, 'reserved');
  for (const v of t.views) writeLegacyView(w, v, traits);
}
