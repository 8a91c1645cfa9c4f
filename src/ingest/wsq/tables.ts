// The marker segments before the coded blocks: frame header (SOF), transform table (DTT),
// quantisation table (DQT), Huffman tables (DHT) and comments (COM). Each reader gets a reader
// positioned after the marker and returns the parsed segment; lengths are checked against the segment.
import { wsqError, WsqReader } from './errors.ts';
import {
  MAX_WSQ_DIMENSION, MAX_WSQ_FILTER_TAPS, MAX_WSQ_HUFFMAN_TABLES, MAX_WSQ_PIXELS, MIN_WSQ_DIMENSION,
} from './limits.ts';

/** Number of subbands that carry coefficients (60-63 are always discarded). */
export const CODED_SUBBANDS = 60;

export interface WsqFrame {
  width: number;
  height: number;
  /** Shift and scale that map reconstructed values back to grey levels: pixel = value * scale + shift. */
  shift: number;
  scale: number;
  encoderVersion: number;
  software: number;
}

export interface WsqTransform {
  /** Analysis low-pass and high-pass filters, whole (the stream carries one half of each). */
  lowpass: Float64Array;
  highpass: Float64Array;
}

export interface WsqQuantisation {
  binCentre: number;
  /** Bin width Q and zero-bin width Z per subband; Q = 0 means the subband was not transmitted. */
  q: Float64Array;
  z: Float64Array;
}

export interface WsqHuffmanTable {
  /** Number of codes of each length 1..16 (index 0 = length 1). */
  counts: Uint8Array;
  values: Uint8Array;
}

/** A scaled number: an unsigned integer and a decimal exponent (value = int / 10^exp). */
const scaled = (raw: number, exp: number): number => raw / 10 ** exp;

/** Reads the segment length and returns a reader bounded by the segment. */
export function segment(r: WsqReader, name: string, minLength: number): WsqReader {
  const start = r.pos;
  const len = r.u16(`${name}.length`);
  if (len < minLength) throw wsqError('WSQ_MALFORMED', `segment length ${len} is shorter than the ${minLength} bytes it needs`, `${name}.length`, start);
  if (start + len > r.end) {
    throw wsqError('WSQ_TRUNCATED', `segment declares ${len} bytes but only ${r.end - start} remain`, `${name}.length`, start);
  }
  r.pos = start + len;
  return new WsqReader(r.buf, start + 2, start + len);
}

export function readFrame(r: WsqReader): WsqFrame {
  const s = segment(r, 'SOF', 17);
  s.u8('SOF.A'); s.u8('SOF.B');
  const heightAt = s.pos;
  const height = s.u16('SOF.Y');
  const widthAt = s.pos;
  const width = s.u16('SOF.X');
  const em = s.u8('SOF.Em'); const m = s.u16('SOF.M');
  const er = s.u8('SOF.Er'); const rr = s.u16('SOF.R');
  const encoderVersion = s.u8('SOF.Ev');
  const software = s.u16('SOF.Sf');
  for (const [v, f, at] of [[width, 'SOF.X', widthAt], [height, 'SOF.Y', heightAt]] as const) {
    if (v < MIN_WSQ_DIMENSION || v > MAX_WSQ_DIMENSION) {
      throw wsqError('WSQ_MALFORMED', `image dimension ${v} is outside ${MIN_WSQ_DIMENSION}..${MAX_WSQ_DIMENSION}`, f, at);
    }
  }
  if (width * height > MAX_WSQ_PIXELS) {
    throw wsqError('IMAGE_TOO_MANY_PIXELS', `${width}x${height} exceeds the ${MAX_WSQ_PIXELS}-pixel limit`, 'SOF.X', widthAt);
  }
  const scale = scaled(rr, er);
  if (!(scale > 0)) throw wsqError('WSQ_MALFORMED', 'scale R is zero', 'SOF.R', widthAt + 5);
  return { width, height, shift: scaled(m, em), scale, encoderVersion, software };
}

/** One transmitted filter half: sign byte, exponent byte, 32-bit magnitude, from the centre outward. */
function readHalf(s: WsqReader, taps: number, name: string): Float64Array {
  const half = new Float64Array(taps % 2 ? (taps + 1) / 2 : taps / 2);
  for (let i = 0; i < half.length; i++) {
    const sign = s.u8(`${name}[${i}].sign`);
    const exp = s.u8(`${name}[${i}].exponent`);
    const v = scaled(s.u32(`${name}[${i}].value`), exp);
    half[i] = sign ? -v : v;
  }
  return half;
}

/**
 * Whole analysis filter from its half. Odd length: symmetric about its centre tap. Even length:
 * the low-pass is symmetric and the high-pass antisymmetric about the centre between two taps.
 */
function wholeFilter(half: Float64Array, taps: number, antisymmetric: boolean): Float64Array {
  const f = new Float64Array(taps);
  const c = taps >> 1;
  for (let i = 0; i < half.length; i++) {
    if (taps % 2) { f[c + i] = half[i]; f[c - i] = half[i]; }
    else { f[c + i] = half[i]; f[c - 1 - i] = antisymmetric ? -half[i] : half[i]; }
  }
  return f;
}

export function readTransform(r: WsqReader): WsqTransform {
  const s = segment(r, 'DTT', 4);
  const loAt = s.pos;
  const lowTaps = s.u8('DTT.lowpass_length');
  const highTaps = s.u8('DTT.highpass_length');
  for (const [n, f, at] of [[lowTaps, 'DTT.lowpass_length', loAt], [highTaps, 'DTT.highpass_length', loAt + 1]] as const) {
    if (n < 1 || n > MAX_WSQ_FILTER_TAPS) throw wsqError('WSQ_MALFORMED', `filter length ${n} is outside 1..${MAX_WSQ_FILTER_TAPS}`, f, at);
  }
  if (lowTaps % 2 !== highTaps % 2) {
    throw wsqError('WSQ_MALFORMED', `filter lengths ${lowTaps} and ${highTaps} differ in parity`, 'DTT.highpass_length', loAt + 1);
  }
  const lo = readHalf(s, lowTaps, 'DTT.lowpass');
  const hi = readHalf(s, highTaps, 'DTT.highpass');
  return { lowpass: wholeFilter(lo, lowTaps, false), highpass: wholeFilter(hi, highTaps, true) };
}

export function readQuantisation(r: WsqReader): WsqQuantisation {
  const s = segment(r, 'DQT', 2 + 3 + 64 * 6);
  const ce = s.u8('DQT.C.exponent');
  const binCentre = scaled(s.u16('DQT.C'), ce);
  const q = new Float64Array(64), z = new Float64Array(64);
  for (let i = 0; i < 64; i++) {
    const qe = s.u8(`DQT.Q[${i}].exponent`); q[i] = scaled(s.u16(`DQT.Q[${i}]`), qe);
    const ze = s.u8(`DQT.Z[${i}].exponent`); z[i] = scaled(s.u16(`DQT.Z[${i}]`), ze);
  }
  return { binCentre, q, z };
}

/** A DHT segment may define several tables; they are stored by their identifier. */
export function readHuffmanTables(r: WsqReader, into: Map<number, WsqHuffmanTable>): void {
  const s = segment(r, 'DHT', 2 + 17);
  while (s.pos < s.end) {
    const idAt = s.pos;
    const id = s.u8('DHT.Th');
    if (id >= MAX_WSQ_HUFFMAN_TABLES) throw wsqError('WSQ_MALFORMED', `table identifier ${id} is not below ${MAX_WSQ_HUFFMAN_TABLES}`, 'DHT.Th', idAt);
    s.need(16, 'DHT.L');
    const counts = s.buf.slice(s.pos, s.pos + 16);
    s.pos += 16;
    let total = 0;
    for (const c of counts) total += c;
    if (total === 0 || total > 256) throw wsqError('WSQ_MALFORMED', `table ${id} declares ${total} codes (1..256 allowed)`, 'DHT.L', idAt + 1);
    s.need(total, 'DHT.V');
    into.set(id, { counts, values: s.buf.slice(s.pos, s.pos + total) });
    s.pos += total;
  }
}

/** A comment's text; NIST's NISTCOM comments carry `PPI <n>`, the scan resolution. */
export function readComment(r: WsqReader): string {
  const s = segment(r, 'COM', 2);
  return new TextDecoder('latin1').decode(s.buf.subarray(s.pos, s.end));
}

/** The PPI a NISTCOM comment declares (-1 = unknown, as NIST writes it), if any. */
export function ppiFromComments(comments: readonly string[]): number | undefined {
  for (const c of comments) {
    if (!c.startsWith('NIST_COM')) continue;
    const m = /^PPI\s+(\d+)\s*$/m.exec(c);
    if (m) { const v = Number(m[1]); return v > 0 ? v : undefined; }
  }
  return undefined;
}
