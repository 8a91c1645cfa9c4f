// Fuzzes the finger image parsers: ISO/IEC 19794-4:2005, ANSI/INCITS 381-2004, ISO/IEC 19794-4:2011
// records and BMP files, random, truncated and mutated. Every case must end in a parsed record / image
// whose views lie inside the input (raw views exactly width x height bytes), or a 4xx AppError naming a
// field; anything else is a failure and makes the run exit 1.
// Run: npx tsx bench/fuzz-image-records.ts [--cases-scale 1]
import { performance } from 'node:perf_hooks';
import { AppError } from '../src/errors.ts';
import { decodeBmpGrey } from '../src/ingest/image/bmp.ts';
import { parseFingerImageRecord } from '../src/ingest/image-records/finger-image-record.ts';
import { bmp, greyRamp } from '../test/lib/bmp.ts';
import { fingerImageRecord, fingerImageRecord2011 } from '../test/lib/finger-image-records.ts';
import { ridgeImage } from '../test/lib/wsq-encode.ts';
import { rng } from './lib/finger-synthetic.ts';
import { packageVersion, writeReport } from './lib/report.ts';

const scaleArg = process.argv.indexOf('--cases-scale');
const SCALE = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 1;
const SEED = 0x1794;
const rand = rng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const failures: string[] = [];

type Parser = 'record' | 'bmp';
function run(parser: Parser, b: Uint8Array, label: string): string {
  try {
    if (parser === 'bmp') {
      const g = decodeBmpGrey(b);
      if (g.pixels.length !== g.width * g.height) { failures.push(`${label}: ${g.pixels.length} pixels for ${g.width}x${g.height}`); return 'failure'; }
    } else {
      for (const v of parseFingerImageRecord(b).views) {
        if (v.offset + v.data.length > b.length || (v.compression === 'raw' && v.data.length !== v.width * v.height)) { failures.push(`${label}: view outside the record`); return 'failure'; }
      }
    }
    return 'accepted';
  } catch (e) {
    if (!(e instanceof AppError) || e.status < 400 || e.status >= 500) { failures.push(`${label}: ${String(e)}`); return 'failure'; }
    if (parser === 'record' && typeof e.details?.field !== 'string') { failures.push(`${label}: ${e.code} names no field`); return 'failure'; }
    return e.code;
  }
}

const view = (position: number, w: number, h: number) => ({ position, width: w, height: h, data: ridgeImage(w, h) });
const seeds: { name: string; parser: Parser; bytes: Uint8Array }[] = [
  { name: 'ISO 19794-4:2005', parser: 'record', bytes: fingerImageRecord([view(2, 20, 24), view(3, 21, 20)]) },
  { name: 'ANSI 381-2004', parser: 'record', bytes: fingerImageRecord([view(1, 18, 22)], { ansi: true }) },
  { name: 'ISO 19794-4:2011', parser: 'record', bytes: fingerImageRecord2011([{ ...view(2, 20, 24), extended: Uint8Array.of(0, 3, 0, 4) }, { ...view(7, 19, 21), quality: [] }], { certified: true }) },
  { name: 'BMP 8-bit', parser: 'bmp', bytes: bmp({ width: 13, height: 9, bpp: 8, palette: greyRamp.slice(0, 60), pixel: (x, y) => (x * 7 + y) % 60 }) },
  { name: 'BMP 32-bit bit fields', parser: 'bmp', bytes: bmp({ width: 7, height: 5, bpp: 32, compression: 3, masks: [0xff0000, 0xff00, 0xff], pixel: (x, y) => x * 977 + y * 31 }) },
];

function mutate(src: Uint8Array, edits: number): Uint8Array {
  const b = Array.from(src);
  for (let i = 0; i < edits; i++) {
    const p = int(b.length + 1);
    switch (int(4)) {
      case 0: if (p < b.length) b[p] ^= 1 << int(8); break;
      case 1: if (p < b.length) b[p] = int(256); break;
      case 2: b.splice(p, 0, int(256)); break;
      default: if (p < b.length) b.splice(p, 1); break;
    }
  }
  return new Uint8Array(b);
}
const prefixed = (prefix: number[]) => () => { const b = new Uint8Array(prefix.length + int(300)); b.set(prefix); for (let i = prefix.length; i < b.length; i++) b[i] = int(256); return b; };

const families: { name: string; parser: Parser; cases: number; make: (i: number) => Uint8Array }[] = [
  { name: 'random bytes after "FIR\\0010\\0"', parser: 'record', cases: 10_000 * SCALE, make: prefixed([0x46, 0x49, 0x52, 0, 0x30, 0x31, 0x30, 0]) },
  { name: 'random bytes after "FIR\\0020\\0"', parser: 'record', cases: 10_000 * SCALE, make: prefixed([0x46, 0x49, 0x52, 0, 0x30, 0x32, 0x30, 0]) },
  { name: 'random bytes after "BM"', parser: 'bmp', cases: 10_000 * SCALE, make: prefixed([0x42, 0x4d]) },
  ...seeds.flatMap((s) => [
    { name: `${s.name}: 1-4 edits`, parser: s.parser, cases: 10_000 * SCALE, make: () => mutate(s.bytes, 1 + int(4)) },
    { name: `${s.name}: every truncation`, parser: s.parser, cases: s.bytes.length, make: (i: number) => s.bytes.subarray(0, i) },
  ]),
];

const tally: Record<string, Record<string, number>> = {};
const usPerCase: Record<string, number> = {};
for (const f of families) {
  const counts: Record<string, number> = {};
  const t0 = performance.now();
  for (let i = 0; i < f.cases; i++) { const o = run(f.parser, f.make(i), `${f.name} #${i}`); counts[o] = (counts[o] ?? 0) + 1; }
  usPerCase[f.name] = ((performance.now() - t0) / f.cases) * 1000;
  tally[f.name] = counts;
}
const total = Object.values(tally).reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
const bad = Object.values(tally).reduce((n, c) => n + (c.failure ?? 0), 0);
const codes = [...new Set(Object.values(tally).flatMap((c) => Object.keys(c)))].filter((k) => k !== 'failure' && k !== 'accepted').sort();
const markdown = [
  `Seed ${SEED}. ${total} cases; **${bad} failures** (a non-4xx exception, a refusal naming no field, or an accepted input whose views lie outside it).`, '',
  `| family | cases | accepted | ${codes.join(' | ')} | failures | µs/case |`,
  `| --- | ---: | ---: | ${codes.map(() => '---:').join(' | ')} | ---: | ---: |`,
  ...families.map((f) => { const c = tally[f.name]; return `| ${f.name} | ${f.cases} | ${c.accepted ?? 0} | ${codes.map((k) => c[k] ?? 0).join(' | ')} | ${c.failure ?? 0} | ${usPerCase[f.name].toFixed(1)} |`; }),
  ...(failures.length ? ['', 'First failures:', ...failures.slice(0, 10).map((f) => `- ${f}`)] : []),
].join('\n');

writeReport({
  name: 'fuzz-image-records',
  command: `npx tsx bench/fuzz-image-records.ts${SCALE !== 1 ? ` --cases-scale ${SCALE}` : ''}`,
  dataset: 'generated: records and files built by test/lib/finger-image-records.ts and test/lib/bmp.ts from the formats\' layouts, and seeded random bytes',
  versions: { typescript: packageVersion('typescript'), tsx: packageVersion('tsx') },
  results: { seed: SEED, total, failures: bad, tally, usPerCase },
  markdown,
});
if (bad > 0) process.exit(1);
