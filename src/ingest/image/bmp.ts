// Windows BMP (what many fingerprint scanners' SDKs save), to 8-bit grey: the 14-byte file header, a
// BITMAPCOREHEADER (12 bytes) or BITMAPINFOHEADER and its successors (40, 52, 56, 108, 124 bytes),
// palettes at 1, 4 and 8 bits, direct colour at 16, 24 and 32 bits (BI_RGB or BI_BITFIELDS masks),
// bottom-up or top-down rows padded to 4 bytes. RLE and embedded JPEG/PNG are refused (415). sharp's
// libvips has no BMP loader. Every size is checked against the file and the decode limits first.
import { AppError } from '../../errors.ts';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './limits.ts';

export interface BmpGrey { width: number; height: number; pixels: Uint8Array }

const FILE_HEADER = 14;
const INFO_SIZES = new Set([40, 52, 56, 64, 108, 124]);
const BI_RGB = 0, BI_BITFIELDS = 3, BI_ALPHABITFIELDS = 6;

export const isBmp = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d;

const malformed = (message: string, field: string, offset: number) =>
  new AppError('IMAGE_UNDECODABLE', `BMP ${field}: ${message} (byte offset ${offset})`, { format: 'BMP', field, offset });

/** BT.601 luma, integer: the weights the finger path uses for every colour image. */
const luma = (r: number, g: number, b: number): number => (r * 77 + g * 150 + b * 29) >> 8;

/** A channel mask → (shift, scale to 0..255). */
function channel(mask: number): (v: number) => number {
  if (mask === 0) return () => 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (v) => Math.round((((v & mask) >>> shift) * 255) / max);
}

export function decodeBmpGrey(b: Uint8Array, limits: Partial<DecodeLimits> = {}): BmpGrey {
  const lim = { ...DEFAULT_DECODE_LIMITS, ...limits };
  if (b.length > lim.maxBytes) throw new AppError('IMAGE_TOO_LARGE', `image is ${b.length} bytes; the limit is ${lim.maxBytes}`, { bytes: b.length, maxBytes: lim.maxBytes });
  if (!isBmp(b)) throw malformed('signature is not "BM"', 'signature', 0);
  if (b.length < FILE_HEADER + 12) throw malformed(`file of ${b.length} bytes ends inside the headers`, 'header', b.length);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dataOffset = dv.getUint32(10, true);
  const infoSize = dv.getUint32(14, true);
  const core = infoSize === 12;
  if (!core && !INFO_SIZES.has(infoSize)) throw malformed(`DIB header size ${infoSize} is not a known BMP header`, 'dib_header_size', 14);
  if (FILE_HEADER + infoSize > b.length) throw malformed('file ends inside the DIB header', 'dib_header_size', 14);
  const width = core ? dv.getUint16(18, true) : dv.getInt32(18, true);
  const rawHeight = core ? dv.getInt16(20, true) : dv.getInt32(22, true);
  const bpp = core ? dv.getUint16(24, true) : dv.getUint16(28, true);
  const compression = core ? BI_RGB : dv.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width < 1 || height < 1) throw malformed(`image size ${width}x${rawHeight} is empty or negative`, 'width', 18);
  if (width > lim.maxSide || height > lim.maxSide || width * height > lim.maxPixels) {
    throw new AppError('IMAGE_TOO_MANY_PIXELS', `BMP of ${width}x${height} exceeds the limits (${lim.maxPixels} pixels, ${lim.maxSide} a side)`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw malformed(`${bpp} bits per pixel is not 1, 4, 8, 16, 24 or 32`, 'bits_per_pixel', core ? 24 : 28);
  const bitfields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  if (!(compression === BI_RGB || (bitfields && (bpp === 16 || bpp === 32)))) {
    throw new AppError('IMAGE_UNSUPPORTED_FORMAT', `BMP compression ${compression} (RLE, JPEG or PNG inside) is not read; uncompressed BMP is`, { format: 'BMP', field: 'compression', offset: 30 });
  }

  // Masks: after a 40-byte header for BI_BITFIELDS, inside the V2+ headers otherwise.
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  let paletteAt = FILE_HEADER + infoSize;
  if (bitfields) {
    const at = FILE_HEADER + 40;
    if (at + 12 > b.length) throw malformed('file ends inside the colour masks', 'colour_masks', at);
    masks = [dv.getUint32(at, true), dv.getUint32(at + 4, true), dv.getUint32(at + 8, true)];
    if (infoSize === 40) paletteAt += compression === BI_ALPHABITFIELDS ? 16 : 12;
  }

  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const entry = core ? 3 : 4;
    const declared = core ? 0 : dv.getUint32(46, true);
    const colours = declared === 0 ? 1 << bpp : declared;
    if (colours > 1 << bpp) throw malformed(`palette of ${colours} colours for ${bpp}-bit pixels`, 'colours_used', 46);
    if (paletteAt + colours * entry > Math.min(b.length, dataOffset || b.length)) throw malformed(`palette of ${colours} colours runs past the pixel data`, 'palette', paletteAt);
    palette = new Uint8Array(1 << bpp);
    for (let i = 0; i < colours; i++) {
      const p = paletteAt + i * entry; // BGR(A)
      palette[i] = luma(b[p + 2], b[p + 1], b[p]);
    }
  }

  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset < FILE_HEADER + infoSize || dataOffset > b.length) throw malformed(`pixel data offset ${dataOffset} is outside the file`, 'pixel_data_offset', 10);
  if (dataOffset + stride * height > b.length) {
    throw malformed(`${height} rows of ${stride} bytes need ${stride * height} bytes from offset ${dataOffset}; the file has ${b.length - dataOffset}`, 'pixel_data', dataOffset);
  }
  const [red, green, blue] = masks.map(channel);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      let g: number;
      if (bpp === 24) { const p = row + 3 * x; g = luma(b[p + 2], b[p + 1], b[p]); }
      else if (bpp === 32 || bpp === 16) {
        const v = bpp === 32 ? dv.getUint32(row + 4 * x, true) : dv.getUint16(row + 2 * x, true);
        g = luma(red(v), green(v), blue(v));
      } else {
        const bit = x * bpp;
        const index = (b[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        g = palette![index];
      }
      out[o + x] = g;
    }
  }
  return { width, height, pixels: out };
}
