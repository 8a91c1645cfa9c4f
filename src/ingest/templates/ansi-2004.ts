// ANSI INCITS 378-2004 record: "FMR\0" " 20\0" (or "020\0", seen in the wild), record length
// (2 bytes, or 0 then 4 bytes), CBEFF product owner and type (2 + 2), then the body it shares with ISO 2005
// (body-legacy.ts): capture equipment, image size, resolution, number of views, reserved, the views.
import { ByteReader, ByteWriter } from './bytes.ts';
import { ParseContext } from './fail.ts';
import { readLegacyBody, writeLegacyBody } from './body-legacy.ts';
import { checkDeclaredLength, finishRecord, HEADER_PREFIX_BYTES, writeMagicAndVersion } from './record.ts';
import { TRAITS } from './traits.ts';
import type { ParsedTemplate } from './types.ts';

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
  const body = readLegacyBody(r, TRAITS[FORMAT], ctx);
  return finishRecord(ctx, r, declared, lengthAt,
    { format: FORMAT, version, header: { cbeffOwner, cbeffType, ...body.header }, views: body.views, lengthFieldBytes, warnings: [] });
}

export function encodeAnsi2004(t: ParsedTemplate): Uint8Array {
  const w = new ByteWriter();
  const h = t.header;
  writeMagicAndVersion(w, t.version);
  // Write the body first: the length field's width depends on the total.
  const body = new ByteWriter();
  body.u16(h.cbeffOwner ?? 0, 'CBEFF product owner');
  body.u16(h.cbeffType ?? 0, 'CBEFF product type');
  writeLegacyBody(body, t, TRAITS[FORMAT]);
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
