// Random and mutated WSQ streams: the decoder returns an image of the declared size or throws a 4xx
// AppError with a WSQ code, field and offset; never another exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { decodeWsq } from '../src/ingest/wsq/index.ts';
import { encodeWsq, ridgeImage } from './lib/wsq-encode.ts';

const CODES = ['WSQ_MALFORMED', 'WSQ_TRUNCATED', 'IMAGE_TOO_MANY_PIXELS'];

function outcome(bytes: Uint8Array): string {
  try {
    const img = decodeWsq(bytes);
    expect(img.pixels.length).toBe(img.width * img.height);
    return 'ok';
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    expect(CODES).toContain(e.code);
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect(e.status).toBeLessThan(500);
    expect(typeof e.details?.field).toBe('string');
    expect(Number.isInteger(e.details?.offset)).toBe(true);
    return e.code;
  }
}

const seeds = [
  encodeWsq(ridgeImage(48, 40), 48, 40, { binWidth: 1 }),
  encodeWsq(ridgeImage(65, 33), 65, 33, { binWidth: 4, comment: 'NIST_COM\nPPI 500\n' }),
];

describe('WSQ fuzz', () => {
  it('random bytes, and random bytes after SOI', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (b, soi) => {
      outcome(soi ? Uint8Array.from([0xff, 0xa0, ...b]) : b);
    }), { numRuns: 1500 });
  });

  it('bit flips, byte edits, insertions, deletions and cuts of valid streams', () => {
    const counts: Record<string, number> = {};
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: seeds.length - 1 }),
      edits: fc.array(fc.record({
        kind: fc.constantFrom('flip', 'set', 'insert', 'delete', 'cut'),
        pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }), byte: fc.integer({ min: 0, max: 255 }),
      }), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(fc.property(mutation, ({ seed, edits }) => {
      let b = Array.from(seeds[seed]);
      for (const e of edits) {
        const p = e.pos % (b.length + 1);
        if (e.kind === 'flip' && p < b.length) b[p] ^= 1 << e.bit;
        else if (e.kind === 'set' && p < b.length) b[p] = e.byte;
        else if (e.kind === 'insert') b.splice(p, 0, e.byte);
        else if (e.kind === 'delete') b.splice(p, 1);
        else if (e.kind === 'cut') b = b.slice(0, p);
      }
      const o = outcome(Uint8Array.from(b));
      counts[o] = (counts[o] ?? 0) + 1;
    }), { numRuns: 1500 });
    // The mutations reach both outcomes: some streams still decode, some are refused.
    expect(counts.ok ?? 0).toBeGreaterThan(0);
    expect((counts.WSQ_MALFORMED ?? 0) + (counts.WSQ_TRUNCATED ?? 0)).toBeGreaterThan(0);
  });

  it('every prefix of a valid stream is refused, never decoded', () => {
    const s = seeds[0];
    for (let cut = 0; cut < s.length; cut++) expect(outcome(s.subarray(0, cut)), `cut ${cut}`).not.toBe('ok');
  });
});
