// Builds BMP files from the format's layout (file header, DIB header, masks, palette, rows padded to 4 bytes).
export interface BmpSpec { width: number; height: number; bpp: number; topDown?: boolean; core?: boolean; compression?: number; masks?: number[]; palette?: [number, number, number][]; pixel: (x: number, y: number) => number }

/** A BMP file: `pixel` gives the stored value (palette index, or packed colour) at (x, y), y from the top. */
export function bmp(s: BmpSpec): Uint8Array {
  const info = s.core ? 12 : 40;
  const maskBytes = s.masks ? 12 : 0;
  const palette = s.palette ?? [];
  const paletteBytes = palette.length * (s.core ? 3 : 4);
  const stride = Math.ceil((s.width * s.bpp) / 32) * 4;
  const offset = 14 + info + maskBytes + paletteBytes;
  const b = new Uint8Array(offset + stride * s.height);
  const dv = new DataView(b.buffer);
  b[0] = 0x42; b[1] = 0x4d; dv.setUint32(2, b.length, true); dv.setUint32(10, offset, true); dv.setUint32(14, info, true);
  if (s.core) { dv.setUint16(18, s.width, true); dv.setInt16(20, s.topDown ? -s.height : s.height, true); dv.setUint16(22, 1, true); dv.setUint16(24, s.bpp, true); }
  else {
    dv.setInt32(18, s.width, true); dv.setInt32(22, s.topDown ? -s.height : s.height, true); dv.setUint16(26, 1, true); dv.setUint16(28, s.bpp, true);
    dv.setUint32(30, s.compression ?? 0, true); dv.setUint32(46, palette.length, true);
  }
  let p = 14 + info;
  for (const m of s.masks ?? []) { dv.setUint32(p, m, true); p += 4; }
  for (const [r, g, bl] of palette) { b[p] = bl; b[p + 1] = g; b[p + 2] = r; p += s.core ? 3 : 4; }
  for (let y = 0; y < s.height; y++) {
    const row = offset + (s.topDown ? y : s.height - 1 - y) * stride;
    for (let x = 0; x < s.width; x++) {
      const v = s.pixel(x, y);
      if (s.bpp === 24) { b[row + 3 * x] = v & 0xff; b[row + 3 * x + 1] = (v >> 8) & 0xff; b[row + 3 * x + 2] = (v >> 16) & 0xff; }
      else if (s.bpp === 32) dv.setUint32(row + 4 * x, v, true);
      else if (s.bpp === 16) dv.setUint16(row + 2 * x, v, true);
      else { const bit = x * s.bpp; b[row + (bit >> 3)] |= v << (8 - s.bpp - (bit & 7)); }
    }
  }
  return b;
}

export const greyRamp: [number, number, number][] = Array.from({ length: 256 }, (_, i) => [i, i, i]);
