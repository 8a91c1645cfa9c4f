// ISO/IEC 19794-2:2005 record: "FMR\0" " 20\0", record length (4), then the body it shares with ANSI 2004
// (body-legacy.ts): capture equipment, image size, resolution, number of views, reserved = 24 bytes; the views.
import { ByteReader, ByteWriter } from './bytes.ts';
import { ParseContext } from './fail.ts';
import { readLegacyBody, writeLegacyBody } from './body-legacy.ts';
import { checkDeclaredLength, finishRecord, HEADER_PREFIX_BYTES, writeMagicAndVersion } from './record.ts';
import { TRAITS } from './traits.ts';
import type { ParsedTemplate } from './types.ts';

const FORMAT = 'iso-19794-2:2005';
const HEADER_BYTES = 24;

export function parseIso2005(buf: Uint8Array, version: string, lenient: boolean): ParsedTemplate {
  const ctx = new ParseContext(lenient);
  const r = new ByteReader(buf, HEADER_PREFIX_BYTES);
  const lengthAt = r.pos;
  const declared = r.u32('record length');
  checkDeclaredLength(ctx, declared, buf.length, HEADER_BYTES, lengthAt);
  const { header, views } = readLegacyBody(r, TRAITS[FORMAT], ctx);
  return finishRecord(ctx, r, declared, lengthAt, { format: FORMAT, version, header, views, warnings: [] });
}

export function encodeIso2005(t: ParsedTemplate): Uint8Array {
  const w = new ByteWriter();
  writeMagicAndVersion(w, t.version);
  w.u32(0, 'record length');
  writeLegacyBody(w, t, TRAITS[FORMAT]);
  w.patchU32(HEADER_PREFIX_BYTES, t.declaredRecordLength ?? w.length, 'record length');
  return w.toBytes();
}
