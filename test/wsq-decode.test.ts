// WSQ decoding without NIST's files: streams made by the test encoder (test/lib/wsq-encode.ts)
// decode back to their image, the tree geometry tiles the image, and every structural fault is a
// 422 naming the field and the byte offset.
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { decodeWsq, isWsq } from '../src/ingest/wsq/index.ts';
import { splitNodes, subbands } from '../src/ingest/wsq/trees.ts';
import { encodeWsq, ridgeImage } from './lib/wsq-encode.ts';

function refusal(bytes: Uint8Array): AppError {
  try { decodeWsq(bytes); } catch (e) { if (e instanceof AppError) return e; throw e; }
  throw new Error('decoded a stream that should be refused');
}

/** Offset of the first occurrence of a marker. */
const find = (b: Uint8Array, marker: number) => b.findIndex((v, i) => v === 0xff && b[i + 1] === (marker & 0xff));

describe('WSQ decoding of encoded test images', () => {
  it.each([[64, 64], [97, 131], [256, 300], [333, 251]])('%ix%i round-trips within compression noise', (w, h) => {
    const px = ridgeImage(w, h);
    const enc = encodeWsq(px, w, h, { binWidth: 0.2, comment: 'NIST_COM 3\nPIX_WIDTH 1\nPPI 500\n' });
    expect(isWsq(enc)).toBe(true);
    const img = decodeWsq(enc);
    expect([img.width, img.height, img.ppi]).toEqual([w, h, 500]);
    const diffs = Array.from(px, (p, i) => Math.abs(p - img.pixels[i]));
    expect(diffs.reduce((s, d) => s + d, 0) / diffs.length).toBeLessThan(0.1);
    // The finest diagonal subbands are never coded, so pixels on the last row or column of an
    // even-sized image move more; everywhere else the error stays within one grey level.
    const inner = diffs.filter((_, i) => i % w < w - 1 && Math.floor(i / w) < h - 1);
    expect(Math.max(...inner)).toBeLessThanOrEqual(1);
  });

  it('coarser quantisation loses more but keeps the ridges', () => {
    const px = ridgeImage(200, 240);
    const fine = decodeWsq(encodeWsq(px, 200, 240, { binWidth: 0.2 }));
    const coarse = decodeWsq(encodeWsq(px, 200, 240, { binWidth: 8 }));
    const mae = (img: { pixels: Uint8Array }) => px.reduce((s, p, i) => s + Math.abs(p - img.pixels[i]), 0) / px.length;
    expect(mae(coarse)).toBeGreaterThan(mae(fine));
    expect(mae(coarse)).toBeLessThan(20);
  });

  it('the 64 subbands tile the image without overlap', () => {
    for (const [w, h] of [[32, 32], [97, 131], [800, 750], [1601, 1499]]) {
      const cover = new Uint8Array(w * h);
      for (const b of subbands(splitNodes(w, h))) {
        for (let y = b.y; y < b.y + b.h; y++) for (let x = b.x; x < b.x + b.w; x++) cover[y * w + x]++;
      }
      expect(cover.every((c) => c === 1), `${w}x${h}`).toBe(true);
    }
  });
});

describe('WSQ refusals name the field and offset', () => {
  const good = encodeWsq(ridgeImage(96, 96), 96, 96, { binWidth: 1 });
  const edit = (f: (b: Uint8Array) => void) => { const b = good.slice(); f(b); return b; };

  it('no SOI', () => {
    const e = refusal(edit((b) => { b[1] = 0xd8; }));
    expect([e.code, e.status, e.details]).toEqual(['WSQ_MALFORMED', 422, { format: 'WSQ', field: 'SOI', offset: 0 }]);
  });

  it('cut inside a table, inside a block, and before EOI', () => {
    const dqt = find(good, 0xffa5);
    expect(refusal(good.subarray(0, dqt + 20)).code).toBe('WSQ_TRUNCATED');
    expect(refusal(good.subarray(0, dqt + 20)).details?.field).toBe('DQT.length');
    const e = refusal(good.subarray(0, good.length - 40));
    expect(e.code).toBe('WSQ_TRUNCATED');
    expect(refusal(good.subarray(0, good.length - 2)).message).toMatch(/EOI/);
  });

  it('dimensions outside the limits', () => {
    const sof = find(good, 0xffa2);
    const e = refusal(edit((b) => { b[sof + 6] = 0; b[sof + 7] = 8; }));
    expect([e.code, e.details?.field, e.details?.offset]).toEqual(['WSQ_MALFORMED', 'SOF.Y', sof + 6]);
    const big = refusal(edit((b) => { b[sof + 6] = 0xff; b[sof + 7] = 0xff; b[sof + 8] = 0x3f; b[sof + 9] = 0xff; }));
    expect(big.code).toBe('WSQ_MALFORMED');
  });

  it('a block that names an undefined Huffman table', () => {
    const sob = find(good, 0xffa3);
    const e = refusal(edit((b) => { b[sob + 4] = 5; }));
    expect([e.code, e.details?.field, e.details?.offset]).toEqual(['WSQ_MALFORMED', 'SOB.Td', sob + 4]);
  });

  it('a block before its tables, an unknown marker, a segment longer than the stream', () => {
    const dtt = find(good, 0xffa4);
    expect(refusal(edit((b) => { b[dtt + 1] = 0xa8; })).code).toBe('WSQ_MALFORMED'); // DTT turned into a comment
    const unknown = refusal(edit((b) => { b[dtt + 1] = 0xc4; }));
    expect([unknown.code, unknown.details?.offset]).toEqual(['WSQ_MALFORMED', dtt]);
    const long = refusal(edit((b) => { b[dtt + 2] = 0xff; }));
    expect([long.code, long.details?.field]).toEqual(['WSQ_TRUNCATED', 'DTT.length']);
  });

  it('Huffman code lengths that overflow their code space', () => {
    const dht = find(good, 0xffa6);
    // Three 1-bit codes (of the same 253 values): only two fit.
    const e = refusal(edit((b) => { b[dht + 5] = 3; b[dht + 12] -= 3; }));
    expect([e.code, e.details?.field]).toEqual(['WSQ_MALFORMED', 'DHT[0]']);
  });

  it('a stream whose blocks hold fewer coefficients than the frame needs', () => {
    const sob3 = good.lastIndexOf(0xa3) - 1;
    const cut = Uint8Array.from([...good.subarray(0, sob3), 0xff, 0xa1]);
    const e = refusal(cut);
    expect(e.code).toBe('WSQ_TRUNCATED');
    expect(e.message).toMatch(/coefficients/);
  });
});
