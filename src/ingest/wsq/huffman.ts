// Entropy-coded blocks: canonical Huffman codes (as in JPEG, ITU T.81 Annex C) over the quantised
// coefficients, with the WSQ symbol alphabet (IAFIS-IC-0110 Table 3): 1-100 zero runs, 101-104
// escaped 8/16-bit values, 105-106 escaped zero runs, 107-254 values -73..74 (symbol - 180).
import { wsqError } from './errors.ts';
import type { WsqHuffmanTable } from './tables.ts';

interface DecodeTable {
  /** Per code length 1..16: largest code (-1 = none), smallest code, index of its first value. */
  maxCode: Int32Array;
  minCode: Int32Array;
  first: Int32Array;
  values: Uint8Array;
}

export function buildDecodeTable(t: WsqHuffmanTable, field: string, offset: number): DecodeTable {
  const maxCode = new Int32Array(17).fill(-1), minCode = new Int32Array(17), first = new Int32Array(17);
  let code = 0, k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = t.counts[len - 1];
    if (n > 0) {
      first[len] = k; minCode[len] = code;
      code += n; k += n;
      if (code > 1 << len) throw wsqError('WSQ_MALFORMED', `code lengths overflow the ${len}-bit code space`, field, offset);
      maxCode[len] = code - 1;
    }
    code <<= 1;
  }
  return { maxCode, minCode, first, values: t.values };
}

/**
 * The entropy-coded bytes of a block from `start` to the next marker, with stuffed 0xFF 0x00 pairs
 * restored to 0xFF. `end` is the offset of the marker, or the buffer's length when none follows.
 */
export function blockBytes(buf: Uint8Array, start: number): { bytes: Uint8Array; end: number } {
  const out = new Uint8Array(buf.length - start);
  let n = 0, i = start;
  while (i < buf.length) {
    const b = buf[i];
    if (b === 0xff) {
      if (i + 1 >= buf.length) break;
      if (buf[i + 1] !== 0x00) break;
      out[n++] = 0xff; i += 2;
    } else { out[n++] = b; i++; }
  }
  return { bytes: out.subarray(0, n), end: i };
}

/**
 * Decodes one block's symbols into `coeffs` from `at`; returns the new count. The trailing bits of
 * a block are padding, so a code cut short by the block's end ends the block.
 */
export function decodeBlock(
  bytes: Uint8Array, table: DecodeTable, coeffs: Int32Array, at: number, field: string, offset: number,
): number {
  const total = coeffs.length;
  const nbits = bytes.length * 8;
  let bit = 0;
  const read = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++, bit++) v = (v << 1) | ((bytes[bit >> 3] >> (7 - (bit & 7))) & 1);
    return v;
  };
  const { maxCode, minCode, first, values } = table;
  let n = at;
  const overflow = (what: string) => wsqError('WSQ_MALFORMED', `${what} runs past the ${total} coefficients the frame holds`, field, offset);
  for (;;) {
    let code = 0, len = 0, sym = -1;
    while (len < 16) {
      if (bit >= nbits) return n;
      code = (code << 1) | ((bytes[bit >> 3] >> (7 - (bit & 7))) & 1);
      bit++; len++;
      if (code <= maxCode[len]) { sym = values[first[len] + code - minCode[len]]; break; }
    }
    if (sym < 0) throw wsqError('WSQ_MALFORMED', `no Huffman code matches the bits at bit ${bit - len} of the block`, field, offset + (bit >> 3));
    let run = 0;
    if (sym >= 1 && sym <= 100) run = sym;
    else if (sym === 105 || sym === 106) {
      const w = sym === 105 ? 8 : 16;
      if (bit + w > nbits) return n;
      run = read(w);
    } else if (sym >= 101 && sym <= 104) {
      const w = sym <= 102 ? 8 : 16;
      if (bit + w > nbits) return n;
      const v = read(w);
      if (n >= total) throw overflow('a coefficient');
      coeffs[n++] = sym % 2 ? v : -v;
      continue;
    } else if (sym >= 107 && sym <= 254 && sym !== 180) {
      if (n >= total) throw overflow('a coefficient');
      coeffs[n++] = sym - 180;
      continue;
    } else {
      throw wsqError('WSQ_MALFORMED', `Huffman symbol ${sym} is not in the WSQ alphabet`, field, offset + (bit >> 3));
    }
    if (n + run > total) throw overflow(`a run of ${run} zeros`);
    n += run; // coeffs starts zeroed
  }
}
