// Transactions built byte by byte from the standard's description (ANSI/NIST-ITL 1-2011 Annex B,
// traditional encoding), independently of the codec's writer, for the ITL tests and fuzz bench.

export const FS = '\x1c';
export const GS = '\x1d';
export const RS = '\x1e';
export const US = '\x1f';

type Value = string | Uint8Array;
export type FieldSpec = [tag: string, value: Value];

const enc = new TextEncoder();
const toBytes = (v: Value): Uint8Array => (typeof v === 'string' ? enc.encode(v) : v);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * One tagged record: `<lenTag>:<LEN><GS>tag:value<GS>…<FS>`, LEN = the record's byte count.
 * `lenTag` lets a test spell the LEN tag (`1.001`, `1.01`, `1.1`).
 */
export function tagged(lenTag: string, fields: FieldSpec[], opts: { lenOverride?: string; trailingGs?: boolean; noFs?: boolean } = {}): Uint8Array {
  const body = concat(fields.flatMap(([tag, value]) => [enc.encode(`${GS}${tag}:`), toBytes(value)]));
  const tail = (opts.trailingGs ? 1 : 0) + (opts.noFs ? 0 : 1);
  const fixed = lenTag.length + 1 + body.length + tail;
  let len = fixed + 1;
  while (String(len).length + fixed !== len) len = fixed + String(len).length;
  const lenText = opts.lenOverride ?? String(len);
  return concat([
    enc.encode(`${lenTag}:${lenText}`), body,
    enc.encode(opts.trailingGs ? GS : ''), enc.encode(opts.noFs ? '' : FS),
  ]);
}

/** Type-1 record listing `content` ([type, idc] per following record) in 1.003 CNT. */
export function type1(content: [number, string][], extra: FieldSpec[] = [], lenTag = '1.001'): Uint8Array {
  const cnt = [`1${US}${content.length}`, ...content.map(([t, i]) => `${t}${US}${i}`)].join(RS);
  return tagged(lenTag, [
    ['1.002', '0500'], ['1.003', cnt], ['1.004', 'CHK'], ['1.005', '20240131'], ['1.006', '4'],
    ['1.007', 'DEST00001'], ['1.008', 'ORIG00001'], ['1.009', 'TCN-0001'], ['1.011', '19.69'], ['1.012', '19.69'],
    ['1.013', `BIOCHECK${US}1.0`], ['1.014', '20240131120000Z'], ...extra,
  ]);
}

/** Type-4 binary record: 18-byte header (LEN, IDC, IMP, 6 FGP, ISR, HLL, VLL, GCA) + image bytes. */
export function type4(idc: number, width: number, height: number, image: Uint8Array, fgp = 2): Uint8Array {
  const len = 18 + image.length;
  const h = new Uint8Array(18);
  h[0] = (len >>> 24) & 0xff; h[1] = (len >>> 16) & 0xff; h[2] = (len >>> 8) & 0xff; h[3] = len & 0xff;
  h[4] = idc; h[5] = 0; h.set([fgp, 255, 255, 255, 255, 255], 6); h[12] = 0;
  h[13] = width >> 8; h[14] = width & 0xff; h[15] = height >> 8; h[16] = height & 0xff; h[17] = 1;
  return concat([h, image]);
}

export const transaction = (...records: Uint8Array[]): Uint8Array => concat(records);

/** A JPEG's first bytes (SOI + APP0 JFIF): what the CGA check looks at. */
export const JPEG_BYTES = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x1d, 0x1c, 0xff, 0xd9]);
/** A WSQ file's first bytes (SOI FFA0, then a COM/DTT marker). */
export const WSQ_BYTES = new Uint8Array([0xff, 0xa0, 0xff, 0xa8, 0x00, 0x04, 0x1c, 0x1d, 0xff, 0xa1]);
export const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
export const JP2_BYTES = new Uint8Array([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a, 0x1c]);

/** M1 minutiae used by the Type-9 fixture: [index, x px, y px, angle (2° units), type, quality]. */
export const M1_MINUTIAE: [number, number, number, number, number, number][] = [
  [1, 100, 200, 45, 1, 80], [2, 250, 120, 0, 2, 60], [3, 40, 380, 179, 0, 0],
];

export function type9M1(idc: string, opts: { ppi?: number; position?: number } = {}): Uint8Array {
  const ppi = opts.ppi ?? 500;
  return tagged('9.001', [
    ['9.002', idc], ['9.003', '0'], ['9.004', 'U'],
    ['9.126', `27${US}513${US}0`], ['9.127', `1${US}0`], ['9.128', '400'], ['9.129', '500'],
    ['9.130', '1'], ['9.131', String(ppi)], ['9.132', String(ppi)], ['9.133', '0'],
    ['9.134', String(opts.position ?? 2)], ['9.135', `80${US}0${US}0`], ['9.136', String(M1_MINUTIAE.length)],
    ['9.137', M1_MINUTIAE.map((m) => m.join(US)).join(RS)],
    ['9.139', `200${US}250${US}90`], ['9.140', `150${US}400${US}10`],
  ]);
}

/** Legacy standard-format Type-9 (9.005–9.012): 0.01 mm units from the lower left. */
export const LEGACY_MINUTIAE: [string, string, string, string][] = [
  ['001', '05080508090', '40', 'A'], ['002', '10160254000', '1', 'B'],
];
export function type9Legacy(idc: string): Uint8Array {
  return tagged('9.001', [
    ['9.002', idc], ['9.003', '0'], ['9.004', 'S'], ['9.005', `NBIS${US}A${US}MINDTCT`], ['9.006', '2'],
    ['9.007', `T${US}LS`], ['9.008', '05000600'], ['9.010', String(LEGACY_MINUTIAE.length)], ['9.011', '0'],
    ['9.012', LEGACY_MINUTIAE.map((m) => m.join(US)).join(RS)],
  ]);
}

export function type10Face(idc: string, data: Uint8Array = JPEG_BYTES, cga = 'JPEGB'): Uint8Array {
  return tagged('10.001', [
    ['10.002', idc], ['10.003', 'FACE'], ['10.004', 'ORIG00001'], ['10.005', '20240131'],
    ['10.006', '480'], ['10.007', '600'], ['10.008', '1'], ['10.009', '300'], ['10.010', '300'],
    ['10.011', cga], ['10.012', 'SRGB'], ['10.020', 'F'], ['10.999', data],
  ]);
}

export function type14(idc: string, data: Uint8Array = WSQ_BYTES): Uint8Array {
  return tagged('14.001', [
    ['14.002', idc], ['14.003', '0'], ['14.004', 'ORIG00001'], ['14.005', '20240131'],
    ['14.006', '1600'], ['14.007', '1500'], ['14.008', '1'], ['14.009', '500'], ['14.010', '500'],
    ['14.011', 'WSQ20'], ['14.012', '8'], ['14.013', '13'], ['14.999', data],
  ]);
}

export function type2(idc: string, extra: FieldSpec[] = []): Uint8Array {
  return tagged('2.001', [['2.002', idc], ['2.018', 'DOE, JOHN'], ['2.022', '19800101'], ['2.005', 'N'], ...extra]);
}

/** A transaction with every record type the codec handles. Records: 1, 2, 4, 9 (legacy), 9 (M1), 10, 14, 13. */
export function fullTransaction(): Uint8Array {
  const latent = tagged('13.001', [
    ['13.002', '7'], ['13.003', '4'], ['13.004', 'ORIG00001'], ['13.005', '20240131'],
    ['13.006', '3'], ['13.007', '2'], ['13.008', '1'], ['13.009', '1000'], ['13.010', '1000'],
    ['13.011', 'NONE'], ['13.012', '8'], ['13.013', '0'], ['13.999', new Uint8Array([1, 2, 3, 0x1c, 0x1d, 6])],
  ]);
  return transaction(
    type1([[2, '00'], [4, '01'], [9, '01'], [9, '02'], [10, '03'], [14, '04'], [13, '07']]),
    type2('00'),
    type4(1, 500, 600, new Uint8Array([0xff, 0xa0, 1, 2, 3, 0x1c])),
    type9Legacy('01'),
    type9M1('02'),
    type10Face('03'),
    type14('04'),
    latent,
  );
}

/** A small transaction (Type-1, Type-2, Type-9) for exhaustive truncation tests. */
export function smallTransaction(): Uint8Array {
  return transaction(type1([[2, '00'], [9, '01']]), type2('00'), type9M1('01'));
}

/** ISO/IEC 19794-2:2005 record built from its layout: 24-byte header, 4-byte view header, 6 bytes a minutia, 2-byte extended length. */
export function iso2005(minutiae: [type: number, x: number, y: number, angle: number, quality: number][]): Uint8Array {
  const len = 24 + 4 + 6 * minutiae.length + 2;
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  b.set([0x46, 0x4d, 0x52, 0x00, 0x20, 0x32, 0x30, 0x00]);
  dv.setUint32(8, len);
  dv.setUint16(12, 0); // capture equipment
  dv.setUint16(14, 300); dv.setUint16(16, 400); // width, height
  dv.setUint16(18, 197); dv.setUint16(20, 197); // px/cm
  b[22] = 1; b[23] = 0; // one view, reserved
  b[24] = 3; b[25] = 0; b[26] = 60; b[27] = minutiae.length; // position 3, view 0/impression 0, quality, count
  minutiae.forEach(([type, x, y, angle, quality], i) => {
    const o = 28 + 6 * i;
    dv.setUint16(o, (type << 14) | x);
    dv.setUint16(o + 2, y);
    b[o + 4] = angle; b[o + 5] = quality;
  });
  dv.setUint16(len - 2, 0);
  return b;
}

/** Type-1 + a Type-9 whose minutiae are an ISO 19794-2 template in base64 (user-defined field 9.180). */
export function embeddedTemplateTransaction(): Uint8Array {
  const tpl = iso2005([[1, 120, 200, 64, 50], [2, 30, 310, 0, 70], [1, 250, 40, 192, 0]]);
  return transaction(type1([[9, '01']]), tagged('9.001', [['9.002', '01'], ['9.003', '0'], ['9.004', 'U'], ['9.180', Buffer.from(tpl).toString('base64')]]));
}

/**
 * FBI/IAFIS Type-9 (EBTS Appendix J fields 9.014–9.023), as an AFIS sends it for a ten-print finger:
 * MAT subfields are index, XXXXYYYYTTT (0.01 mm from the lower left, degrees), quality, type, then
 * the eight octant neighbours as `index,ridge count`.
 */
export const IAFIS_MINUTIAE: string[][] = [
  ['001', '05080254045', '40', 'A', '002,03', '003,05', '000,00', '000,00', '000,00', '000,00', '000,00', '000,00'],
  ['002', '10160762180', '63', 'B', '001,03', '000,00', '000,00', '000,00', '000,00', '000,00', '000,00', '000,00'],
  ['003', '15240508270', '00', 'D'],
];
export function type9Iafis(idc: string, fields: FieldSpec[] = []): Uint8Array {
  return tagged('9.001', [
    ['9.002', idc], ['9.003', '1'], ['9.004', 'U'], ['9.014', '07'], ['9.015', String(IAFIS_MINUTIAE.length)],
    ['9.016', `AFIS/FBI${US}A`], ['9.017', `WU${US}14${US}11`], ['9.020', '020'],
    ['9.021', `07620762${US}090${US}0050`], ['9.022', `03810381${US}090${US}135${US}270${US}0050`],
    ['9.023', IAFIS_MINUTIAE.map((m) => m.join(US)).join(RS)], ...fields,
  ]);
}

/** Type-1, a Type-14 image (800x750 px at 500 ppi) and the IAFIS Type-9 describing it (same IDC). */
export function iafisTransaction(): Uint8Array {
  const image = tagged('14.001', [
    ['14.002', '01'], ['14.003', '1'], ['14.004', 'ORIG00001'], ['14.005', '20240131'],
    ['14.006', '800'], ['14.007', '750'], ['14.008', '1'], ['14.009', '500'], ['14.010', '500'],
    ['14.011', 'WSQ20'], ['14.012', '8'], ['14.013', '07'], ['14.999', WSQ_BYTES],
  ]);
  return transaction(type1([[14, '01'], [9, '01']]), image, type9Iafis('01'));
}
