// A small WSQ encoder for tests only: the decoder's analysis (one definition), uniform quantisation
// with one bin width for every subband, and a flat Huffman table (every symbol 8 bits). It makes
// valid streams of any size for round-trip and fuzz tests without NIST's files.
import { CODED_SUBBANDS } from '../../src/ingest/wsq/tables.ts';
import { splitNodes, subbands } from '../../src/ingest/wsq/trees.ts';
import { analyseLine, filterBank } from '../../src/ingest/wsq/wavelet.ts';

/** The standard's 7/9 analysis filters (IAFIS-IC-0110 Table 1), centre tap to the end. */
export const LOWPASS_HALF = [0.85269867900940344, 0.37740285561265380, -0.11062440441842342, -0.02384946501938000, 0.03782845550699546];
export const HIGHPASS_HALF = [0.78848561640566439, -0.41809227322221221, -0.04068941760955844, 0.06453888262893845];
const whole = (half: number[]) => Float64Array.from([...half.slice(1).reverse(), ...half]);

export interface EncodeOptions { binWidth?: number; comment?: string }

class Out {
  bytes: number[] = [];
  u8(v: number) { this.bytes.push(v & 0xff); }
  u16(v: number) { this.u8(v >> 8); this.u8(v); }
  u32(v: number) { this.u16(Math.floor(v / 65536)); this.u16(v % 65536); }
  /** A segment: marker, then its length (counting itself) and body. */
  segment(marker: number, body: number[]) { this.u16(marker); this.u16(body.length + 2); this.bytes.push(...body); }
}

/** value = int / 10^exp with the largest exponent that keeps int within `max`. */
function scaledInt(v: number, max: number): [number, number] {
  let e = 0;
  while (e < 20 && Math.round(Math.abs(v) * 10 ** (e + 1)) <= max) e++;
  return [e, Math.round(Math.abs(v) * 10 ** e)];
}

const body = (f: (o: Out) => void): number[] => { const o = new Out(); f(o); return o.bytes; };

/** Symbols of the WSQ alphabet, in the order the flat table lists them. */
const SYMBOLS = Array.from({ length: 254 }, (_, i) => i + 1).filter((s) => s !== 180);
const CODE = new Map(SYMBOLS.map((s, i) => [s, i]));

function huffmanBlock(coeffs: number[]): number[] {
  const bits: number[] = [];
  const put = (v: number, n: number) => { for (let i = n - 1; i >= 0; i--) bits.push((v >> i) & 1); };
  const sym = (s: number) => put(CODE.get(s)!, 8);
  let i = 0;
  while (i < coeffs.length) {
    const c = coeffs[i];
    if (c === 0) {
      let run = 0;
      while (i < coeffs.length && coeffs[i] === 0 && run < 65535) { run++; i++; }
      if (run <= 100) sym(run); else if (run <= 255) { sym(105); put(run, 8); } else { sym(106); put(run, 16); }
      continue;
    }
    if (c >= -73 && c <= 74) sym(c + 180);
    else if (Math.abs(c) <= 255) { sym(c > 0 ? 101 : 102); put(Math.abs(c), 8); }
    else { sym(c > 0 ? 103 : 104); put(Math.min(65535, Math.abs(c)), 16); }
    i++;
  }
  while (bits.length % 8) bits.push(1);
  const out: number[] = [];
  for (let b = 0; b < bits.length; b += 8) {
    let v = 0;
    for (let k = 0; k < 8; k++) v = (v << 1) | bits[b + k];
    out.push(v);
    if (v === 0xff) out.push(0x00); // byte stuffing
  }
  return out;
}

export function encodeWsq(pixels: Uint8Array, width: number, height: number, opts: EncodeOptions = {}): Uint8Array {
  const Q = opts.binWidth ?? 1;
  let sum = 0, lo = 255, hi = 0;
  for (const p of pixels) { sum += p; lo = Math.min(lo, p); hi = Math.max(hi, p); }
  const [em, m] = scaledInt(sum / pixels.length, 65535);
  const shift = m / 10 ** em;
  const [er, r] = scaledInt(Math.max(shift - lo, hi - shift, 1) / 128, 65535);
  const scale = r / 10 ** er;
  const f = new Float64Array(width * height);
  for (let i = 0; i < f.length; i++) f[i] = (pixels[i] - shift) / scale;

  const bank = filterBank({ lowpass: whole(LOWPASS_HALF), highpass: whole(HIGHPASS_HALF) });
  for (const nd of splitNodes(width, height)) {
    for (let row = 0; row < nd.h; row++) {
      const o = (nd.y + row) * width + nd.x;
      f.set(analyseLine(bank, f.slice(o, o + nd.w), nd.invertRows), o);
    }
    for (let col = 0; col < nd.w; col++) {
      const line = Float64Array.from({ length: nd.h }, (_, k) => f[(nd.y + k) * width + nd.x + col]);
      analyseLine(bank, line, nd.invertColumns).forEach((v, k) => { f[(nd.y + k) * width + nd.x + col] = v; });
    }
  }
  const Z = 1.2 * Q;
  const bands = subbands(splitNodes(width, height));
  const blocks: number[][] = [[], [], []];
  for (let b = 0; b < CODED_SUBBANDS; b++) {
    const dest = blocks[b < 19 ? 0 : b < 52 ? 1 : 2];
    const { x, y, w, h } = bands[b];
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        const v = f[(y + row) * width + x + col], a = Math.abs(v);
        dest.push(a <= Z / 2 ? 0 : Math.sign(v) * Math.floor((a - Z / 2) / Q + 1));
      }
    }
  }

  const o = new Out();
  o.u16(0xffa0);
  if (opts.comment !== undefined) o.segment(0xffa8, [...new TextEncoder().encode(opts.comment)]);
  o.segment(0xffa4, body((s) => {
    s.u8(9); s.u8(7);
    for (const v of [...LOWPASS_HALF, ...HIGHPASS_HALF]) { const [e, i] = scaledInt(v, 0xffffffff); s.u8(v < 0 ? 1 : 0); s.u8(e); s.u32(i); }
  }));
  o.segment(0xffa5, body((s) => {
    s.u8(2); s.u16(44); // bin centre C = 0.44
    for (let b = 0; b < 64; b++) {
      const [qe, qi] = b < CODED_SUBBANDS ? scaledInt(Q, 65535) : [0, 0];
      const [ze, zi] = b < CODED_SUBBANDS ? scaledInt(Z, 65535) : [0, 0];
      s.u8(qe); s.u16(qi); s.u8(ze); s.u16(zi);
    }
  }));
  o.segment(0xffa6, body((s) => {
    s.u8(0);
    for (let len = 1; len <= 16; len++) s.u8(len === 8 ? SYMBOLS.length : 0);
    for (const v of SYMBOLS) s.u8(v);
  }));
  o.segment(0xffa2, body((s) => {
    s.u8(0); s.u8(255); s.u16(height); s.u16(width); s.u8(em); s.u16(m); s.u8(er); s.u16(r); s.u8(2); s.u16(0);
  }));
  for (const blk of blocks) { o.segment(0xffa3, [0]); o.bytes.push(...huffmanBlock(blk)); }
  o.u16(0xffa1);
  return Uint8Array.from(o.bytes);
}

/** A fingerprint-like test image: curved ridges about 9 pixels apart on a light background. */
export function ridgeImage(width: number, height: number): Uint8Array {
  const px = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = Math.hypot(x - width / 2, (y - height * 0.6) * 1.3);
      px[y * width + x] = Math.round(150 + 80 * Math.cos((2 * Math.PI * r) / 9));
    }
  }
  return px;
}
