// Builds ISO/IEC 19794-4:2005 and ANSI/INCITS 381-2004 finger image records for tests.
export interface RecordView { position: number; width: number; height: number; data: Uint8Array }

export function fingerImageRecord(views: RecordView[], o: { ansi?: boolean; compression?: number; ppi?: number } = {}): Uint8Array {
  const headerLen = o.ansi ? 36 : 32;
  const total = headerLen + views.reduce((s, v) => s + 14 + v.data.length, 0);
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  b.set([0x46, 0x49, 0x52, 0, 0x30, 0x31, 0x30, 0], 0);
  dv.setUint16(8, Math.floor(total / 2 ** 32)); dv.setUint32(10, total % 2 ** 32);
  const at = o.ansi ? 18 : 14;
  if (o.ansi) dv.setUint32(14, 0x00330001);
  dv.setUint16(at, 0); dv.setUint16(at + 2, 31); b[at + 4] = views.length; b[at + 5] = 1;
  const ppi = o.ppi ?? 500;
  for (const off of [6, 8, 10, 12]) dv.setUint16(at + off, ppi);
  b[at + 14] = 8; b[at + 15] = o.compression ?? 0;
  let p = headerLen;
  views.forEach((v, i) => {
    dv.setUint32(p, 14 + v.data.length); b[p + 4] = v.position; b[p + 5] = 1; b[p + 6] = i; b[p + 7] = 80; b[p + 8] = 0;
    dv.setUint16(p + 9, v.width); dv.setUint16(p + 11, v.height);
    b.set(v.data, p + 14);
    p += 14 + v.data.length;
  });
  return b;
}

export interface RecordView2011 extends RecordView {
  compression?: number;
  quality?: [score: number, vendor: number, algorithm: number][];
  /** Bytes after the image inside the representation (extended data blocks). */
  extended?: Uint8Array;
}

/**
 * ISO/IEC 19794-4:2011 record built from the standard's tables: 16-byte general header, then per
 * representation its header (length, capture date-time, device ids, quality and certification blocks,
 * position, number, scale units, sampling rates, bit depth, compression, impression, line lengths),
 * the image data length and the image.
 */
export function fingerImageRecord2011(views: RecordView2011[], o: { certified?: boolean; ppcm?: number; ppi?: number } = {}): Uint8Array {
  const reps = views.map((v, i) => {
    const q = v.quality ?? [[80, 0x0101, 0x0001]];
    const certs = o.certified ? 1 + 3 : 0;
    const extended = v.extended ?? new Uint8Array();
    const len = 4 + 9 + 5 + 1 + 5 * q.length + certs + 3 + 8 + 3 + 4 + 4 + v.data.length + extended.length;
    const b = new Uint8Array(len);
    const dv = new DataView(b.buffer);
    let p = 0;
    dv.setUint32(p, len); p += 4;
    dv.setUint16(p, 2024); b.set([1, 31, 12, 0, 0], p + 2); dv.setUint16(p + 7, 0); p += 9;
    b[p] = 1; dv.setUint16(p + 1, 0x0033); dv.setUint16(p + 3, 0x0001); p += 5;
    b[p++] = q.length;
    for (const [score, vendor, alg] of q) { b[p] = score; dv.setUint16(p + 1, vendor); dv.setUint16(p + 3, alg); p += 5; }
    if (o.certified) { b[p] = 1; dv.setUint16(p + 1, 0x0001); b[p + 3] = 1; p += 4; }
    b[p++] = v.position; b[p++] = i; b[p++] = o.ppcm ? 2 : 1;
    const rate = o.ppcm ?? o.ppi ?? 500;
    for (let k = 0; k < 4; k++) { dv.setUint16(p, rate); p += 2; }
    b[p++] = 8; b[p++] = v.compression ?? 0; b[p++] = 0;
    dv.setUint16(p, v.width); dv.setUint16(p + 2, v.height); p += 4;
    dv.setUint32(p, v.data.length); p += 4;
    b.set(v.data, p); p += v.data.length;
    b.set(extended, p);
    return b;
  });
  const total = 16 + reps.reduce((s, r) => s + r.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x46, 0x49, 0x52, 0, 0x30, 0x32, 0x30, 0], 0);
  dv.setUint32(8, total); dv.setUint16(12, views.length); out[14] = o.certified ? 1 : 0; out[15] = new Set(views.map((v) => v.position)).size;
  let p = 16;
  for (const r of reps) { out.set(r, p); p += r.length; }
  return out;
}
