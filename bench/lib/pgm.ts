// Binary (P5) 8-bit PGM → PNG bytes: sharp's libvips build here has no PGM loader, and the service
// takes the formats a kiosk sends (JPEG, PNG, WebP, JPEG 2000), so evaluations convert ORL first.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';

export async function pgmToPng(file: string): Promise<Uint8Array> {
  const buf = readFileSync(file);
  if (buf.toString('latin1', 0, 2) !== 'P5') throw new Error(`${file}: not a binary PGM`);
  const fields: number[] = [];
  let i = 2;
  while (fields.length < 3) {
    while (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09) i++;
    if (buf[i] === 0x23) { while (buf[i] !== 0x0a) i++; continue; }
    let tok = '';
    while (buf[i] >= 0x30 && buf[i] <= 0x39) tok += String.fromCharCode(buf[i++]);
    fields.push(Number(tok));
  }
  const [width, height, max] = fields;
  if (max > 255) throw new Error(`${file}: 16-bit PGM not supported`);
  const pixels = buf.subarray(i + 1, i + 1 + width * height);
  return new Uint8Array(await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer());
}
