// Property tests (fast-check, bounded): generated records of every format round-trip exactly;
// random bytes, bit flips and cuts of valid records end in a valid parse or an AppError, never
// anything else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { detectFormat, encodeTemplate, parseTemplate, toFingerMinutiae } from '../src/ingest/templates/index.ts';
import { layout } from './fixtures/templates/layout.ts';
import { FORMATS, templateArbitrary } from './fixtures/templates/arbitraries.ts';

const RUNS_PER_FORMAT = 300;
const RANDOM_BYTE_RUNS = 3000;

/** A parse either succeeds (and then round-trips) or throws a codec AppError; nothing else. */
function parseOutcome(buf: Uint8Array, lenient: boolean): 'ok' | string {
  try {
    const t = parseTemplate(buf, { lenient });
    expect(Buffer.from(encodeTemplate(t)).equals(Buffer.from(buf))).toBe(true);
    try {
      toFingerMinutiae(t);
    } catch (e) {
      expect((e as AppError).code).toBe('TEMPLATE_NO_MINUTIAE');
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    expect(e.code).toMatch(/^TEMPLATE_/);
    expect(typeof e.details?.offset).toBe('number');
    expect(e.details?.internal).toBeUndefined();
    return e.code;
  }
}

describe.each(FORMATS)('%s generated records', (format) => {
  it('encode → parse gives the same fields, and the encoder agrees with the test-side layout', () => {
    fc.assert(fc.property(templateArbitrary(format), (t) => {
      const bytes = encodeTemplate(t);
      expect(bytes).toEqual(layout(t));
      const parsed = parseTemplate(bytes);
      expect(parsed).toEqual(t);
      expect(detectFormat(bytes)).toBe(format);
      expect(encodeTemplate(parsed)).toEqual(bytes);
    }), { numRuns: RUNS_PER_FORMAT, seed: 19794 });
  });

  it('bit flips and cuts of valid records end in a parse or an AppError', () => {
    const mutation = fc.record({
      t: templateArbitrary(format),
      flips: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      lenient: fc.boolean(),
    });
    fc.assert(fc.property(mutation, ({ t, flips, cut, lenient }) => {
      const bytes = encodeTemplate(t);
      for (const f of flips) bytes[f % bytes.length] ^= 1 << (f % 8);
      const buf = cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
      parseOutcome(buf, lenient);
    }), { numRuns: RUNS_PER_FORMAT, seed: 378 });
  });
});

describe('arbitrary input', () => {
  it('random bytes (with and without a valid-looking header) only parse or throw AppError', () => {
    const prefixes = ['', 'FMR\x00 20\x00', 'FMR\x00020\x00', 'FMR\x00030\x00', 'FMR\x00 30\x00', 'FMR\x00035\x00']
      .map((s) => Uint8Array.from(s, (c) => c.charCodeAt(0)));
    const input = fc.record({ prefix: fc.constantFrom(...prefixes), rest: fc.uint8Array({ maxLength: 200 }), lenient: fc.boolean() });
    fc.assert(fc.property(input, ({ prefix, rest, lenient }) => {
      const buf = new Uint8Array(prefix.length + rest.length);
      buf.set(prefix);
      buf.set(rest, prefix.length);
      parseOutcome(buf, lenient);
    }), { numRuns: RANDOM_BYTE_RUNS, seed: 2005 });
  });

  it('non-byte input is refused as an unknown format', () => {
    for (const bad of [undefined, null, 'FMR', 42, {}] as unknown[]) {
      expect(() => parseTemplate(bad as Uint8Array)).toThrow(AppError);
    }
  });
});
