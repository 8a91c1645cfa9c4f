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
