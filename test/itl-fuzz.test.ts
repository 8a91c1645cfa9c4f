// Random and mutated input: the codec returns a transaction or throws an ITL AppError, nothing else;
// and whatever it accepts it writes back byte for byte.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { extractProbes, parseTransaction, writeTransaction } from '../src/ingest/itl/index.ts';
import { embeddedTemplateTransaction, fullTransaction, iafisTransaction, smallTransaction } from './itl-fixtures.ts';

const ITL_CODES = ['ITL_MALFORMED', 'ITL_TRUNCATED', 'ITL_UNSUPPORTED'];

/** Parses; on success also extracts and re-writes. Returns 'ok' or the error code; fails on anything else. */
function outcome(bytes: Uint8Array): string {
  try {
    const t = parseTransaction(bytes);
    expect(Buffer.from(writeTransaction(t)).equals(Buffer.from(bytes))).toBe(true);
    try { extractProbes(t); } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect(ITL_CODES).toContain((e as AppError).code);
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    expect(ITL_CODES).toContain(e.code);
    // The parser wraps its own bugs as "could not be parsed": none may occur.
    expect(e.message).not.toMatch(/could not be parsed/);
    return e.code;
  }
}

/** Byte soup biased towards the encoding's own alphabet (digits, '.', ':', separators), so parsing goes deep. */
const structuredBytes = fc.array(fc.oneof(
  fc.constantFrom(...'0123456789.:'.split('').map((c) => c.charCodeAt(0)), 0x1c, 0x1d, 0x1e, 0x1f),
  fc.integer({ min: 0, max: 255 }),
), { maxLength: 300 }).map((a) => {
  const head = new TextEncoder().encode('1.001:');
  const out = new Uint8Array(head.length + a.length);
  out.set(head); out.set(a, head.length);
  return out;
});

describe('ITL fuzz', () => {
  it('random bytes: a transaction or an ITL AppError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => { outcome(b); }), { numRuns: 2000 });
  });

  it('structured garbage after a Type-1 tag', () => {
    fc.assert(fc.property(structuredBytes, (b) => { outcome(b); }), { numRuns: 2000 });
  });

  it('bit flips, byte edits, insertions and deletions of valid transactions', () => {
    const seeds = [fullTransaction(), smallTransaction(), embeddedTemplateTransaction(), iafisTransaction()];
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: seeds.length - 1 }),
      edits: fc.array(fc.record({
        kind: fc.constantFrom('flip', 'set', 'insert', 'delete'),
        pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }), byte: fc.integer({ min: 0, max: 255 }),
      }), { minLength: 1, maxLength: 3 }),
    });
    const counts: Record<string, number> = {};
    fc.assert(fc.property(mutation, ({ seed, edits }) => {
      let b = Array.from(seeds[seed]);
      for (const e of edits) {
        const p = e.pos % (b.length + 1);
        if (e.kind === 'flip' && p < b.length) b[p] ^= 1 << e.bit;
        else if (e.kind === 'set' && p < b.length) b[p] = e.byte;
        else if (e.kind === 'insert') b.splice(p, 0, e.byte);
        else if (e.kind === 'delete' && p < b.length) b.splice(p, 1);
      }
      const code = outcome(new Uint8Array(b));
      counts[code] = (counts[code] ?? 0) + 1;
    }), { numRuns: 3000 });
    // Mutations must mostly be caught: every record's LEN and the CNT see to it.
    expect(counts.ITL_MALFORMED + (counts.ITL_TRUNCATED ?? 0)).toBeGreaterThan(1500);
  });

  it('every truncation of the full transaction is ITL_TRUNCATED', () => {
    const full = fullTransaction();
    for (let k = 0; k < full.length; k++) expect(outcome(full.subarray(0, k)), `cut at ${k}`).toBe('ITL_TRUNCATED');
  });
});
