// WSQ decoding (FBI IAFIS-IC-0110 v3): markers and tables, Huffman-coded quantised coefficients in
// up to three blocks, dequantisation with the bin centre C, and reconstruction through the 20 splits
// of the wavelet tree with the filters the DTT segment transmits.
import { wsqError, WsqReader } from './errors.ts';
import { blockBytes, buildDecodeTable, decodeBlock } from './huffman.ts';
import { MARKER, markerName } from './markers.ts';
import {
  CODED_SUBBANDS, ppiFromComments, readComment, readFrame, readHuffmanTables, readQuantisation, readTransform, segment,
  type WsqFrame, type WsqHuffmanTable, type WsqQuantisation, type WsqTransform,
} from './tables.ts';
import { splitNodes, subbands, type Region } from './trees.ts';
import { filterBank, linePlan, synthesiseColumns, synthesiseRows } from './wavelet.ts';

export interface WsqImage {
  width: number;
  height: number;
  /** 8-bit grey, row-major, width*height bytes. */
  pixels: Uint8Array;
  /** Scan resolution from a NISTCOM comment, when the encoder wrote one. */
  ppi?: number;
  comments: string[];
}

/** Does the buffer start like a WSQ stream (SOI followed by another marker)? */
export const isWsq = (d: Uint8Array): boolean => d.length >= 4 && d[0] === 0xff && d[1] === 0xa0 && d[2] === 0xff;

export function decodeWsq(data: Uint8Array): WsqImage {
  const r = new WsqReader(data);
  if (r.u16('SOI') !== MARKER.SOI) throw wsqError('WSQ_MALFORMED', 'the stream does not start with the SOI marker 0xFFA0', 'SOI', 0);
  let frame: WsqFrame | undefined, transform: WsqTransform | undefined, quant: WsqQuantisation | undefined;
  const tables = new Map<number, WsqHuffmanTable>();
  const comments: string[] = [];
  let coeffs: Int32Array | undefined, regions: Region[] | undefined;
  let count = 0, blocks = 0;
  for (;;) {
    const at = r.pos;
    if (r.pos + 2 > r.end) {
      throw wsqError('WSQ_TRUNCATED', `stream ends after ${blocks} block(s) without the EOI marker`, 'EOI', r.end);
    }
    const marker = r.u16('marker');
    switch (marker) {
      case MARKER.EOI: {
        if (!frame || !coeffs || !regions || !quant || !transform) throw wsqError('WSQ_TRUNCATED', 'EOI before any coded block', 'EOI', at);
        if (count < coeffs.length) {
          throw wsqError('WSQ_TRUNCATED', `the blocks hold ${count} of the ${coeffs.length} coefficients the frame needs`, 'SOB', at);
        }
        const pixels = reconstruct(frame, transform, quant, regions, coeffs);
        return { width: frame.width, height: frame.height, pixels, ppi: ppiFromComments(comments), comments };
      }
      case MARKER.SOF:
        if (frame) throw wsqError('WSQ_MALFORMED', 'a second frame header', 'SOF', at);
        frame = readFrame(r);
        break;
      case MARKER.DTT: transform = readTransform(r); break;
      case MARKER.DQT: quant = readQuantisation(r); break;
      case MARKER.DHT: readHuffmanTables(r, tables); break;
      case MARKER.COM: comments.push(readComment(r)); break;
      case MARKER.DRT: segment(r, 'DRT', 4); break; // restart intervals: the reference encoder never writes them
      case MARKER.SOB: {
        const s = segment(r, 'SOB', 3);
        const tdAt = s.pos;
        const td = s.u8('SOB.Td');
        if (!frame) throw wsqError('WSQ_MALFORMED', 'a coded block before the frame header', 'SOB', at);
        if (!transform) throw wsqError('WSQ_MALFORMED', 'a coded block before the transform table', 'DTT', at);
        if (!quant) throw wsqError('WSQ_MALFORMED', 'a coded block before the quantisation table', 'DQT', at);
        const table = tables.get(td);
        if (!table) throw wsqError('WSQ_MALFORMED', `block uses Huffman table ${td}, which no DHT segment defined`, 'SOB.Td', tdAt);
        if (!coeffs) {
          regions = subbands(splitNodes(frame.width, frame.height));
          let total = 0;
          for (let i = 0; i < CODED_SUBBANDS; i++) if (quant.q[i] !== 0) total += regions[i].w * regions[i].h;
          coeffs = new Int32Array(total);
        }
        const { bytes, end } = blockBytes(data, r.pos);
        const field = `SOB[${blocks}]`;
        count = decodeBlock(bytes, buildDecodeTable(table, `DHT[${td}]`, at), coeffs, count, field, r.pos);
        r.pos = end;
        blocks++;
        break;
      }
      default:
        throw wsqError('WSQ_MALFORMED', `marker ${markerName(marker)} is not a WSQ marker`, 'marker', at);
    }
  }
}

function reconstruct(frame: WsqFrame, transform: WsqTransform, quant: WsqQuantisation, regions: Region[], coeffs: Int32Array): Uint8Array {
  const { width, height } = frame;
  // Single precision, as the reference decoder computes.
  const f = new Float32Array(width * height);
  // Dequantise: a bin q != 0 maps to Q*(q - C) + Z/2 (mirrored for q < 0); zero stays zero.
  const C = quant.binCentre;
  let k = 0;
  for (let b = 0; b < CODED_SUBBANDS; b++) {
    const Q = quant.q[b];
    if (Q === 0) continue;
    const half = quant.z[b] / 2;
    const { x, y, w, h } = regions[b];
    for (let row = 0; row < h; row++) {
      let o = (y + row) * width + x;
      for (let col = 0; col < w; col++, o++) {
        const q = coeffs[k++];
        f[o] = q === 0 ? 0 : q > 0 ? Q * (q - C) + half : Q * (q + C) - half;
      }
    }
  }
  // Undo the 20 splits from the last to the first: columns, then rows (the encoder did rows first).
  const bank = filterBank(transform);
  const scratch = new Float32Array(width * height);
  const nodes = splitNodes(width, height);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const nd = nodes[i];
    const base = nd.y * width + nd.x;
    synthesiseColumns(linePlan(bank, nd.h, nd.invertColumns), f, base, nd.w, width, scratch);
    synthesiseRows(linePlan(bank, nd.w, nd.invertRows), f, base, nd.h, width, scratch);
  }
  const out = new Uint8Array(width * height);
  const { shift, scale } = frame;
  for (let i = 0; i < out.length; i++) {
    const v = f[i] * scale + shift + 0.5;
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v; // Uint8Array truncates, as the reference's cast does
  }
  return out;
}
