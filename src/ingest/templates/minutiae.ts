// Minutia records (5 or 6 bytes: 2-bit type + 14-bit x, 2 reserved bits + 14-bit y, angle,
// optional quality), shared by every format.
import type { ByteReader, ByteWriter } from './bytes.ts';
import { type ParseContext, templateError } from './fail.ts';
import { type FormatTraits, maxAngle, validQuality } from './traits.ts';
import type { TemplateMinutia, TemplateMinutiaType } from './types.ts';

const TYPE_BY_CODE: readonly TemplateMinutiaType[] = ['other', 'ending', 'bifurcation'];
const CODE_BY_TYPE: Record<TemplateMinutiaType, number> = { other: 0, ending: 1, bifurcation: 2 };
/** Bytes of the extended-data length field that follows the minutiae of every view. */
const EXT_LENGTH_BYTES = 2;

export interface ImageBounds {
  width: number;
  height: number;
}

/**
 * A coordinate is inside when it is at most the declared size: equal to the size is one past the
 * last pixel, an off-by-one real extractors produce, and harmless to the matcher, so it is accepted
 * in both modes. A size of 0 means "not declared" and disables the check.
 */
export function checkInside(ctx: ParseContext, v: number, size: number, offset: number, field: string): void {
  if (size > 0 && v > size) ctx.tolerate(`${field} ${v} lies outside the declared image (size ${size})`, offset, field);
}

export function readMinutiae(
  r: ByteReader, count: number, recordSize: 5 | 6, traits: FormatTraits, ctx: ParseContext, bounds: ImageBounds,
): TemplateMinutia[] {
  const needed = count * recordSize + EXT_LENGTH_BYTES;
  if (needed > r.remaining) {
    throw templateError('TEMPLATE_INVALID_FIELD',
      `${count} minutiae need ${needed} bytes with the extended data length, but only ${r.remaining} remain`,
      r.pos - 1, 'number of minutiae', { count, needed, available: r.remaining });
  }
  const out: TemplateMinutia[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = r.pos;
    const xw = r.u16('minutia type and x');
    const typeCode = xw >>> 14;
    if (typeCode === 3) {
      throw templateError('TEMPLATE_INVALID_FIELD', `minutia ${i} has the reserved type code 3`, at, 'minutia type');
    }
    const yw = r.u16('minutia y');
    const angle = r.u8('minutia angle');
    const m: TemplateMinutia = { type: TYPE_BY_CODE[typeCode], x: xw & 0x3fff, y: yw & 0x3fff, angle };
    if (yw >>> 14) m.yReserved = yw >>> 14;
    checkInside(ctx, m.x, bounds.width, at, 'minutia x');
    checkInside(ctx, m.y, bounds.height, at + 2, 'minutia y');
    if (angle > maxAngle(traits)) ctx.tolerate(`minutia ${i} angle ${angle} exceeds ${maxAngle(traits)}`, at + 4, 'minutia angle');
    if (recordSize === 6) {
      m.quality = r.u8('minutia quality');
      if (!validQuality(traits, m.quality)) ctx.tolerate(`minutia ${i} quality ${m.quality} is not a defined value`, at + 5, 'minutia quality');
    }
    out[i] = m;
  }
  return out;
}

export function writeMinutiae(w: ByteWriter, minutiae: TemplateMinutia[], recordSize: 5 | 6): void {
  for (const m of minutiae) {
    const code = CODE_BY_TYPE[m.type];
    if (code === undefined) throw templateError('TEMPLATE_INVALID_FIELD', `unknown minutia type ${String(m.type)}`, w.length, 'minutia type');
    w.u16((code << 14) | bits14(m.x, w, 'minutia x'), 'minutia type and x');
    w.u16(((m.yReserved ?? 0) << 14) | bits14(m.y, w, 'minutia y'), 'minutia y');
    w.u8(m.angle, 'minutia angle');
    if (recordSize === 6) w.u8(m.quality ?? 0, 'minutia quality');
  }
}

/** Checks a value fits `bits` bits before it is packed beside other bits. */
export function fitBits(v: number, bits: number, w: ByteWriter, field: string): number {
  const max = 2 ** bits - 1;
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw templateError('TEMPLATE_INVALID_FIELD', `${field} must be an integer 0..${max}, got ${v}`, w.length, field);
  }
  return v;
}

export const bits14 = (v: number, w: ByteWriter, field: string) => fitBits(v, 14, w, field);
