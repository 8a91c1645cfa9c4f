// The finger view of ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 (identical layouts):
// position (1), view number (4 bits) + impression type (4 bits), finger quality (1),
// minutia count (1), minutiae (6 each), extended data.
import type { ByteReader, ByteWriter } from './bytes.ts';
import { readExtendedData, writeExtendedData } from './extended.ts';
import { type ParseContext, templateError } from './fail.ts';
import { type ImageBounds, readMinutiae, writeMinutiae } from './minutiae.ts';
import { type FormatTraits, validQuality } from './traits.ts';
import type { FingerView } from './types.ts';

/** Header (4) plus the extended data length (2) of a view with no minutiae. */
export const LEGACY_VIEW_MIN_BYTES = 6;
const MINUTIA_BYTES = 6;

export function readLegacyView(r: ByteReader, traits: FormatTraits, ctx: ParseContext, bounds: ImageBounds): FingerView {
  const at = r.pos;
  const position = r.u8('finger position');
  checkPosition(traits, position, at);
  const packed = r.u8('view number and impression type');
  const impressionType = packed & 0x0f;
  if (!traits.impressionTypes.has(impressionType)) ctx.tolerate(`impression type ${impressionType} is not defined`, at + 1, 'impression type');
  const fingerQuality = r.u8('finger quality');
  if (!validQuality(traits, fingerQuality)) ctx.tolerate(`finger quality ${fingerQuality} is not a defined value`, at + 2, 'finger quality');
  const count = r.u8('number of minutiae');
  const minutiae = readMinutiae(r, count, MINUTIA_BYTES, traits, ctx, bounds);
  const extended = readExtendedData(r, traits, ctx, { ...bounds, minutiaCount: count });
  return { position, viewNumber: packed >>> 4, impressionType, fingerQuality, minutiae, extended };
}

export function writeLegacyView(w: ByteWriter, v: FingerView, traits: FormatTraits): void {
  w.u8(v.position, 'finger position');
  if (v.viewNumber > 15 || v.impressionType > 15) {
    throw templateError('TEMPLATE_INVALID_FIELD', 'view number and impression type must each fit 4 bits', w.length, 'view number and impression type');
  }
  w.u8((v.viewNumber << 4) | v.impressionType, 'view number and impression type');
  w.u8(v.fingerQuality ?? 0, 'finger quality');
  w.u8(v.minutiae.length, 'number of minutiae');
  writeMinutiae(w, v.minutiae, MINUTIA_BYTES);
  writeExtendedData(w, v.extended, traits);
}

export function checkPosition(traits: FormatTraits, position: number, at: number): void {
  if (!traits.validPosition(position)) {
    throw templateError('TEMPLATE_INVALID_FIELD', `finger position ${position} is not defined by this format`, at, 'finger position');
  }
}
