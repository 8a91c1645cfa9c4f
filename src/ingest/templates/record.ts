// Pieces every record header shares: the "FMR\0" magic and version, the record length check, the
// view count plausibility check, and the end-of-record check.
import type { ByteReader, ByteWriter } from './bytes.ts';
import { type ParseContext, templateError } from './fail.ts';
import type { ParsedTemplate } from './types.ts';

export const MAGIC = [0x46, 0x4d, 0x52, 0x00] as const; // "FMR\0"
export const HEADER_PREFIX_BYTES = 8;

export function writeMagicAndVersion(w: ByteWriter, version: string): void {
  if (version.length !== 3) throw templateError('TEMPLATE_INVALID_FIELD', `version must be 3 characters, got "${version}"`, 4, 'version');
  for (const b of MAGIC) w.u8(b, 'format identifier');
  for (let i = 0; i < 3; i++) w.u8(version.charCodeAt(i), 'version');
  w.u8(0, 'version');
}

/**
 * A record length above the buffer length is truncation in both modes (bytes are missing).
 * Below it: strict → LENGTH_MISMATCH; lenient → the structure decides and finishRecord notes it
 * (two of the standards' printed examples declare 1-2 bytes fewer than they hold).
 */
export function checkDeclaredLength(ctx: ParseContext, declared: number, bufLength: number, minimum: number, at: number): void {
  if (declared < minimum) {
    throw templateError('TEMPLATE_INVALID_FIELD', `record length ${declared} is below the ${minimum}-byte header`, at, 'record length');
  }
  if (declared > bufLength) {
    throw templateError('TEMPLATE_TRUNCATED', `record length field says ${declared} bytes but only ${bufLength} arrived`,
      bufLength, 'record length', { declared, actual: bufLength });
  }
  if (declared < bufLength && !ctx.lenient) {
    throw templateError('TEMPLATE_LENGTH_MISMATCH', `record length field says ${declared} bytes but ${bufLength} arrived`,
      at, 'record length', { declared, actual: bufLength });
  }
}

/** Rejects view counts that cannot fit in the bytes left, before looping over them. */
export function checkViewCount(r: ByteReader, count: number, minViewBytes: number, at: number, field: string): void {
  if (count * minViewBytes > r.remaining) {
    throw templateError('TEMPLATE_INVALID_FIELD',
      `${count} views need at least ${count * minViewBytes} bytes but only ${r.remaining} remain`, at, field,
      { count, available: r.remaining });
  }
}

/** The views must end exactly where the buffer ends; a lenient parse records a lying length field. */
export function finishRecord(ctx: ParseContext, r: ByteReader, declared: number, lengthAt: number, t: ParsedTemplate): ParsedTemplate {
  if (r.remaining > 0) {
    throw templateError('TEMPLATE_LENGTH_MISMATCH', `${r.remaining} byte(s) follow the last finger view`, r.pos, 'record length',
      { declared, structural: r.pos, actual: r.end });
  }
  if (declared !== r.end) {
    ctx.tolerate(`record length field says ${declared} bytes but the record has ${r.end}`, lengthAt, 'record length', 'TEMPLATE_LENGTH_MISMATCH');
    t.declaredRecordLength = declared;
  }
  t.warnings = ctx.warnings;
  return t;
}
