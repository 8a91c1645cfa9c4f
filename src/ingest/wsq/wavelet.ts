// Wavelet reconstruction. The encoder's analysis of a line x of length n (IAFIS-IC-0110 Annex A) is
//   low[k]  = sum_i lo[i] * X(loc - 2k - i),   high[k] = sign * sum_i hi[i] * X(hoc - 2k - i)
// where X is x extended symmetrically at both ends (about the end samples for odd-length filters,
// between samples for even-length ones), loc/hoc centre the filters, and even-length high-pass
// output is negated. Rather than hand-deriving the synthesis filters and the boundary rules for every
// filter parity and line parity, the decoder derives both from this one definition:
// - the synthesis filters are the inverse of the analysis on a long periodic line (exact for a
//   perfect-reconstruction filter bank, whatever filters the DTT segment transmits);
// - each subband value outside 0..len is matched to the in-range value (or zero) it equals under the
//   symmetric extension, by running the analysis on a probe line.
// The result is, per line length, a sparse matrix from the stored subbands to the samples.
import { wsqError } from './errors.ts';
import type { WsqTransform } from './tables.ts';

/** Half-period of the periodic line used to find the synthesis filters; longer than any filter. */
const PERIOD_HALF = 64;

interface Bank {
  lo: Float64Array; hi: Float64Array; loc: number; hoc: number; highSign: number; halfSample: boolean;
  /** Synthesis taps per output parity: [offset d, weight] pairs for the low and high subbands. */
  taps: Array<{ low: Array<[number, number]>; high: Array<[number, number]> }>;
  /** Line plans already built for this bank, by length and inversion. */
  plans: Map<string, LinePlan>;
}

/** Banks by their filters: nearly every stream carries the same standard 7/9 pair. */
const banks = new Map<string, Bank>();
const MAX_CACHED_BANKS = 8;
const MAX_CACHED_PLANS = 512;

/**
 * The encoder's analysis of one line into its stored subbands (low-pass first, or high-pass first
 * when inverted): the definition the synthesis is derived from, also used to build test streams.
 */
export function analyseLine(b: Bank, x: Float64Array, invert: boolean): Float64Array {
  const n = x.length, llen = lowLength(n), hlen = n - llen;
  const low = analyse(b, x, b.lo, b.loc, 1, 0, llen - 1);
  const high = hlen > 0 ? analyse(b, x, b.hi, b.hoc, b.highSign, 0, hlen - 1) : new Float64Array(0);
  const out = new Float64Array(n);
  out.set(invert ? high : low, 0);
  out.set(invert ? low : high, invert ? hlen : llen);
  return out;
}

/** Synthesis of lines of one length: out[n] = sum_t weight[n*T+t] * line[source[n*T+t]]. */
export interface LinePlan { n: number; width: number; source: Int32Array; weight: Float64Array }

export function filterBank(t: WsqTransform): Bank {
  const key = `${t.lowpass.join(',')}|${t.highpass.join(',')}`;
  const cached = banks.get(key);
  if (cached) return cached;
  const bank = buildBank(t);
  if (banks.size >= MAX_CACHED_BANKS) banks.delete(banks.keys().next().value!);
  banks.set(key, bank);
  return bank;
}

function buildBank(t: WsqTransform): Bank {
  const lo = t.lowpass, hi = t.highpass;
  const odd = lo.length % 2 === 1;
  const loc = odd ? (lo.length - 1) >> 1 : Math.max(0, (lo.length >> 1) - 2);
  const hoc = odd ? ((hi.length - 1) >> 1) - 1 : Math.max(0, (hi.length >> 1) - 2);
  const bank: Bank = { lo, hi, loc, hoc, highSign: odd ? 1 : -1, halfSample: !odd, taps: [], plans: new Map() };
  bank.taps = synthesisTaps(bank);
  return bank;
}

/** Analysis matrix on a periodic line of 2*PERIOD_HALF samples, inverted by Gauss-Jordan elimination. */
function synthesisTaps(b: Bank): Bank['taps'] {
  const M = PERIOD_HALF, P = 2 * M;
  const a = new Float64Array(P * P);
  const mod = (v: number) => ((v % P) + P) % P;
  for (let k = 0; k < M; k++) {
    for (let i = 0; i < b.lo.length; i++) a[k * P + mod(b.loc - 2 * k - i)] += b.lo[i];
    for (let i = 0; i < b.hi.length; i++) a[(M + k) * P + mod(b.hoc - 2 * k - i)] += b.highSign * b.hi[i];
  }
  const inv = invert(a, P);
  const taps: Bank['taps'] = [];
  for (let p = 0; p < 2; p++) {
    const low: Array<[number, number]> = [], high: Array<[number, number]> = [];
    for (let k = 0; k < M; k++) {
      const d = k >= M / 2 ? k - M : k;
      const wl = inv[p * P + k], wh = inv[p * P + M + k];
      if (Math.abs(wl) > 1e-12) low.push([d, wl]);
      if (Math.abs(wh) > 1e-12) high.push([d, wh]);
    }
    taps.push({ low, high });
  }
  return taps;
}

function invert(a: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
    if (Math.abs(a[piv * n + c]) < 1e-9) {
      throw wsqError('WSQ_MALFORMED', 'the transmitted filters do not form an invertible filter bank', 'DTT', 0);
    }
    if (piv !== c) {
      for (let j = 0; j < n; j++) {
        [a[c * n + j], a[piv * n + j]] = [a[piv * n + j], a[c * n + j]];
        [inv[c * n + j], inv[piv * n + j]] = [inv[piv * n + j], inv[c * n + j]];
      }
    }
    const d = 1 / a[c * n + c];
    for (let j = 0; j < n; j++) { a[c * n + j] *= d; inv[c * n + j] *= d; }
    for (let r = 0; r < n; r++) {
      const f = a[r * n + c];
      if (r === c || f === 0) continue;
      for (let j = 0; j < n; j++) { a[r * n + j] -= f * a[c * n + j]; inv[r * n + j] -= f * inv[c * n + j]; }
    }
  }
  return inv;
}

/** Index into a line of length n extended symmetrically at both ends. */
function reflect(v: number, n: number, halfSample: boolean): number {
  if (n === 1) return 0;
  const period = halfSample ? 2 * n : 2 * n - 2;
  let m = v % period;
  if (m < 0) m += period;
  if (m >= n) m = halfSample ? period - 1 - m : period - m;
  return m;
}

export const lowLength = (n: number): number => (n + 1) >> 1;

/** The analysis of a probe line at subband indices from..to (inclusive), in-range or not. */
function analyse(b: Bank, x: Float64Array, filt: Float64Array, centre: number, sign: number, from: number, to: number): Float64Array {
  const out = new Float64Array(to - from + 1);
  for (let k = from; k <= to; k++) {
    let s = 0;
    for (let i = 0; i < filt.length; i++) s += filt[i] * x[reflect(centre - 2 * k - i, x.length, b.halfSample)];
    out[k - from] = sign * s;
  }
  return out;
}

/**
 * For each extended index from..to: the in-range index (0..len-1) whose value it equals under the
 * symmetric extension, with its sign, or -1 where the extension is zero.
 */
function extensionMap(
  b: Bank, x: Float64Array, filt: Float64Array, centre: number, sign: number, len: number, from: number, to: number,
): { index: Int32Array; sign: Int8Array } {
  const inRange = analyse(b, x, filt, centre, sign, 0, len - 1);
  const wanted = analyse(b, x, filt, centre, sign, from, to);
  const order = Array.from({ length: len }, (_, k) => k).sort((p, q) => inRange[p] - inRange[q]);
  const sorted = order.map((k) => inRange[k]);
  let scale = 1e-300;
  for (const v of sorted) scale = Math.max(scale, Math.abs(v));
  const tol = 1e-9 * scale;
  const find = (v: number): number => {
    let lo = 0, hi = sorted.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid] < v) lo = mid + 1; else hi = mid; }
    for (const j of [lo - 1, lo, lo + 1]) if (j >= 0 && j < sorted.length && Math.abs(sorted[j] - v) <= tol) return order[j];
    return -1;
  };
  const index = new Int32Array(wanted.length).fill(-1), signs = new Int8Array(wanted.length);
  for (let e = 0; e < wanted.length; e++) {
    const k = e + from, v = wanted[e];
    if (k >= 0 && k < len) { index[e] = k; signs[e] = 1; continue; }
    if (Math.abs(v) <= tol) continue;
    let j = find(v);
    if (j >= 0) { index[e] = j; signs[e] = 1; continue; }
    j = find(-v);
    if (j < 0) throw wsqError('WSQ_MALFORMED', `the transmitted filters have no symmetric extension for lines of ${x.length} samples`, 'DTT', 0);
    index[e] = j; signs[e] = -1;
  }
  return { index, sign: signs };
}

/** Deterministic probe values, so plans do not depend on Math.random. */
function probe(n: number): Float64Array {
  const x = new Float64Array(n);
  let s = 0x9e3779b9;
  for (let i = 0; i < n; i++) { s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; x[i] = s / 2 ** 32 - 0.5; }
  return x;
}

export function linePlan(b: Bank, n: number, invert: boolean): LinePlan {
  const key = `${n}:${invert ? 1 : 0}`;
  let plan = b.plans.get(key);
  if (!plan) {
    plan = buildPlan(b, n, invert);
    if (b.plans.size >= MAX_CACHED_PLANS) b.plans.clear();
    b.plans.set(key, plan);
  }
  return plan;
}

function buildPlan(b: Bank, n: number, invert: boolean): LinePlan {
  const llen = lowLength(n), hlen = n - llen;
  const lowStart = invert ? hlen : 0, highStart = invert ? 0 : llen;
  const ds = [...b.taps[0].low, ...b.taps[1].low, ...b.taps[0].high, ...b.taps[1].high].map(([d]) => d);
  const mMax = (n - 1) >> 1;
  const from = Math.min(...ds) - mMax, to = Math.max(...ds);
  const x = probe(n);
  const lowMap = extensionMap(b, x, b.lo, b.loc, 1, llen, from, to);
  const highMap = hlen > 0 ? extensionMap(b, x, b.hi, b.hoc, b.highSign, hlen, from, to) : undefined;
  const rows: Array<Map<number, number>> = [];
  let width = 1;
  for (let i = 0; i < n; i++) {
    const p = i & 1, m = i >> 1;
    const row = new Map<number, number>();
    const add = (map: typeof lowMap | undefined, start: number, taps: Array<[number, number]>) => {
      if (!map) return;
      for (const [d, w] of taps) {
        const e = d - m - from;
        const j = map.index[e];
        if (j < 0) continue;
        row.set(start + j, (row.get(start + j) ?? 0) + map.sign[e] * w);
      }
    };
    add(lowMap, lowStart, b.taps[p].low);
    add(highMap, highStart, b.taps[p].high);
    rows.push(row);
    width = Math.max(width, row.size);
  }
  const source = new Int32Array(n * width), weight = new Float64Array(n * width);
  rows.forEach((row, i) => {
    let t = 0;
    for (const [j, w] of row) { source[i * width + t] = j; weight[i * width + t] = w; t++; }
  });
  return { n, width, source, weight };
}

/** Synthesises each row of a w x h region of `data` (row pitch `pitch`) from its stored subbands. */
export function synthesiseRows(plan: LinePlan, data: Float32Array, base: number, h: number, pitch: number, scratch: Float32Array): void {
  const { n, width, source, weight } = plan;
  for (let l = 0; l < h; l++) {
    const o = base + l * pitch;
    for (let i = 0; i < n; i++) scratch[i] = data[o + i];
    for (let i = 0, r = 0; i < n; i++, r += width) {
      let s = 0;
      for (let t = 0; t < width; t++) s += weight[r + t] * scratch[source[r + t]];
      data[o + i] = s;
    }
  }
}

/**
 * Synthesises each column of a w x h region. Whole rows are combined at a time (output row i is a
 * weighted sum of a few stored rows), so memory is read in order rather than a column at a time.
 */
export function synthesiseColumns(plan: LinePlan, data: Float32Array, base: number, w: number, pitch: number, scratch: Float32Array): void {
  const { n, width, source, weight } = plan;
  for (let i = 0; i < n; i++) scratch.set(data.subarray(base + i * pitch, base + i * pitch + w), i * w);
  for (let i = 0, r = 0; i < n; i++, r += width) {
    const o = base + i * pitch;
    data.fill(0, o, o + w);
    for (let t = 0; t < width; t++) {
      const wt = weight[r + t];
      if (wt === 0) continue;
      const src = source[r + t] * w;
      for (let c = 0; c < w; c++) data[o + c] += wt * scratch[src + c];
    }
  }
}
