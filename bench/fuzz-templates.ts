// Fuzzes the five template codecs with fast-check: random bytes behind each format's header,
// truncations and bit flips of valid generated records, and count fields forced huge. The only
// acceptable outcomes are a valid parse (which must then round-trip byte for byte) or an AppError
// TEMPLATE_* naming an offset and a field. Prints the cases run per format and writes
// bench/results/fuzz-templates.{json,md}.
//   npx tsx bench/fuzz-templates.ts [casesPerMode]
import fc from 'fast-check';
import { AppError } from '../src/errors.ts';
import { encodeTemplate, parseTemplate, type ParsedTemplate, type TemplateFormat } from '../src/ingest/templates/index.ts';
import { FORMATS, templateArbitrary } from '../test/fixtures/templates/arbitraries.ts';
import { packageVersion, writeReport } from './lib/report.ts';

const CASES_PER_MODE = Number(process.argv[2] ?? 5000);
const SEED = 19794;
const MODES = ['random-bytes', 'truncation', 'bit-flips', 'huge-counts'] as const;
type Mode = (typeof MODES)[number];

const PREFIX: Record<TemplateFormat, string> = {
  'iso-19794-2:2005': 'FMR\x00 20\x00',
  'ansi-378:2004': 'FMR\x00020\x00',
  'iso-19794-2:2011': 'FMR\x00030\x00',
  'ansi-378:2009': 'FMR\x00 30\x00',
  'ansi-378:2009am1': 'FMR\x00035\x00',
};

/** Offsets of the record's view count and the first view's minutia count (when there is a view). */
function countOffsets(t: ParsedTemplate): { at: number; bytes: 1 | 2 }[] {
  const out: { at: number; bytes: 1 | 2 }[] = [];
  switch (t.format) {
    case 'iso-19794-2:2005': out.push({ at: 22, bytes: 1 }, { at: 27, bytes: 1 }); break;
    case 'ansi-378:2004': {
      const shift = t.lengthFieldBytes === 6 ? 4 : 0;
      out.push({ at: 24 + shift, bytes: 1 }, { at: 29 + shift, bytes: 1 });
      break;
    }
    case 'ansi-378:2009': case 'ansi-378:2009am1': out.push({ at: 19, bytes: 1 }, { at: 37, bytes: 1 }); break;
    case 'iso-19794-2:2011': {
      out.push({ at: 12, bytes: 2 });
      const c = t.views[0]?.capture;
      if (c) out.push({ at: 15 + 19 + 5 * c.qualityRecords.length + (c.certifications ? 1 + 3 * c.certifications.length : 0) + 12, bytes: 1 });
      break;
    }
  }
  return out;
}

interface Tally { cases: number; parsed: number; errors: Record<string, number>; ms: number }

/** Runs one input through both parsers; throws (failing the property) on any other outcome. */
function check(buf: Uint8Array, tally: Tally): void {
  for (const lenient of [false, true]) {
    tally.cases++;
    try {
      const t = parseTemplate(buf, { lenient });
      const again = encodeTemplate(t);
      if (again.length !== buf.length || again.some((b, i) => b !== buf[i])) throw new Error('parsed record did not round-trip');
      tally.parsed++;
    } catch (e) {
      if (!(e instanceof AppError) || !e.code.startsWith('TEMPLATE_')) throw e;
      if (typeof e.details?.offset !== 'number' || typeof e.details?.field !== 'string' || e.details.internal) {
        throw new Error(`AppError without a proper offset/field: ${e.message}`);
      }
      tally.errors[e.code] = (tally.errors[e.code] ?? 0) + 1;
    }
  }
}

/** Unbiased positions: fast-check otherwise favours small numbers, i.e. the header bytes. */
const anyPosition = fc.noBias(fc.nat({ max: 0xfffff }));

function inputs(format: TemplateFormat, mode: Mode): fc.Arbitrary<Uint8Array> {
  const record = templateArbitrary(format);
  switch (mode) {
    case 'random-bytes': {
      // Mostly with a record length field that matches, so the parser gets past the header.
      const prefix = Uint8Array.from(PREFIX[format], (c) => c.charCodeAt(0));
      return fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 300 }), fc.integer({ min: 0, max: 9 })).map(([rest, dice]) => {
        const b = new Uint8Array(prefix.length + rest.length);
        b.set(prefix);
        b.set(rest, prefix.length);
        if (dice > 1) {
          const dv = new DataView(b.buffer);
          if (format === 'ansi-378:2004') dv.setUint16(8, Math.min(b.length, 0xffff)); else dv.setUint32(8, b.length);
        }
        return b;
      });
    }
    case 'truncation':
      return fc.tuple(record, anyPosition).map(([t, n]) => {
        const b = encodeTemplate(t);
        return b.subarray(0, n % b.length);
      });
    case 'bit-flips':
      return fc.tuple(record, fc.array(anyPosition, { minLength: 1, maxLength: 3 })).map(([t, flips]) => {
        const b = encodeTemplate(t);
        for (const f of flips) b[f % b.length] ^= 1 << (f % 8);
        return b;
      });
    case 'huge-counts':
      return fc.tuple(record, fc.nat(), fc.constantFrom(0xff, 0xfe, 0x80)).map(([t, pick, value]) => {
        const b = encodeTemplate(t);
        const fields = countOffsets(t).filter((c) => c.at + c.bytes <= b.length);
        const f = fields[pick % fields.length];
        if (f) for (let i = 0; i < f.bytes; i++) b[f.at + i] = value;
        return b;
      });
  }
}

const results: Record<string, Record<Mode, Tally>> = {};
const started = performance.now();
for (const format of FORMATS) {
  results[format] = {} as Record<Mode, Tally>;
  for (const [i, mode] of MODES.entries()) {
    const tally: Tally = { cases: 0, parsed: 0, errors: {}, ms: 0 };
    const t0 = performance.now();
    fc.assert(fc.property(inputs(format, mode), (buf) => check(buf, tally)), { numRuns: CASES_PER_MODE, seed: SEED + i });
    tally.ms = Math.round(performance.now() - t0);
    results[format][mode] = tally;
  }
  const total = MODES.reduce((s, m) => s + results[format][m].cases, 0);
  console.log(`${format}: ${total} cases, no outcome other than a round-tripping parse or a TEMPLATE_* AppError`);
}
const seconds = (performance.now() - started) / 1000;

const rows = FORMATS.flatMap((f) => MODES.map((m) => {
  const r = results[f][m];
  const errs = Object.entries(r.errors).sort().map(([k, v]) => `${k.replace('TEMPLATE_', '')} ${v}`).join(', ');
  return `| ${f} | ${m} | ${r.cases} | ${r.parsed} | ${errs} | ${r.ms} |`;
}));
const totals = FORMATS.map((f) => `| ${f} | ${MODES.reduce((s, m) => s + results[f][m].cases, 0)} |`);
writeReport({
  name: 'fuzz-templates',
  command: `npx tsx bench/fuzz-templates.ts ${CASES_PER_MODE}`,
  dataset: `generated (fast-check seed ${SEED}+mode): ${CASES_PER_MODE} inputs per format and mode, each parsed strictly and leniently`,
  versions: { 'fast-check': packageVersion('fast-check'), typescript: packageVersion('typescript') },
  results: { casesPerMode: CASES_PER_MODE, seconds: +seconds.toFixed(1), formats: results },
  markdown: [
    'Every input ended in a parse that round-tripped byte for byte, or an AppError TEMPLATE_* with a byte offset and a field name;',
    'no other exception. A case is one parse (strict or lenient) of one input.', '',
    '| format | cases |', '|---|---|', ...totals, '',
    '| format | mode | cases | parsed | AppErrors | ms |', '|---|---|---|---|---|---|', ...rows, '',
    `Total ${seconds.toFixed(1)} s.`,
  ].join('\n'),
});
