// Fuzzes the ANSI/NIST-ITL codec: tens of thousands of random, truncated and mutated transactions.
// Every case must end in a parsed transaction (which must write back byte for byte) or an
// AppError with an ITL code; anything else is counted as a failure and makes the run exit 1.
// Run: npx tsx bench/fuzz-itl.ts [--cases-scale 1]
import { performance } from 'node:perf_hooks';
import { AppError } from '../src/errors.ts';
import { extractProbes, parseTransaction, writeTransaction } from '../src/ingest/itl/index.ts';
import { embeddedTemplateTransaction, fullTransaction, iafisTransaction, smallTransaction, tagged, transaction, type1, type10Face, type2 } from '../test/itl-fixtures.ts';
import { packageVersion, writeReport } from './lib/report.ts';
import { rng } from './lib/finger-synthetic.ts';

const scaleArg = process.argv.indexOf('--cases-scale');
const SCALE = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 1;
const SEED = 0x1715;

const rand = rng(SEED);
const int = (n: number) => Math.floor(rand() * n);

type Outcome = 'ok' | 'ITL_MALFORMED' | 'ITL_TRUNCATED' | 'ITL_UNSUPPORTED' | 'internal' | 'crash' | 'roundtrip';
const failures: string[] = [];

function run(bytes: Uint8Array, label: string): Outcome {
  try {
    const t = parseTransaction(bytes);
    if (!Buffer.from(writeTransaction(t)).equals(Buffer.from(bytes))) { failures.push(`${label}: round trip differs`); return 'roundtrip'; }
    try { extractProbes(t); } catch (e) {
      if (!(e instanceof AppError) || !e.code.startsWith('ITL_')) { failures.push(`${label}: extractProbes threw ${String(e)}`); return 'crash'; }
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof AppError)) { failures.push(`${label}: ${String(e)}`); return 'crash'; }
    if (/could not be parsed/.test(e.message)) { failures.push(`${label}: ${e.message}`); return 'internal'; }
    if (e.code === 'ITL_MALFORMED' || e.code === 'ITL_TRUNCATED' || e.code === 'ITL_UNSUPPORTED') return e.code;
    failures.push(`${label}: unexpected code ${e.code}`);
    return 'crash';
  }
}

const seeds = [fullTransaction(), smallTransaction(), embeddedTemplateTransaction(), iafisTransaction()];
const ALPHABET = [...'0123456789.:'].map((c) => c.charCodeAt(0)).concat([0x1c, 0x1d, 0x1e, 0x1f]);

function mutate(src: Uint8Array, edits: number): Uint8Array {
  const b = Array.from(src);
  for (let i = 0; i < edits; i++) {
    const p = int(b.length + 1);
    switch (int(4)) {
      case 0: if (p < b.length) b[p] ^= 1 << int(8); break;
      case 1: if (p < b.length) b[p] = rand() < 0.5 ? int(256) : ALPHABET[int(ALPHABET.length)]; break;
      case 2: b.splice(p, 0, rand() < 0.5 ? int(256) : ALPHABET[int(ALPHABET.length)]); break;
      default: if (p < b.length) b.splice(p, 1); break;
    }
  }
  return new Uint8Array(b);
}

const families: { name: string; cases: number; make: (i: number) => Uint8Array }[] = [
  { name: 'random bytes (0–512)', cases: 20_000 * SCALE, make: () => { const b = new Uint8Array(int(513)); for (let i = 0; i < b.length; i++) b[i] = int(256); return b; } },
  {
    name: 'structured garbage after "1.001:"', cases: 20_000 * SCALE,
    make: () => {
      const n = int(400);
      const b = new Uint8Array(6 + n);
      b.set(new TextEncoder().encode('1.001:'));
      for (let i = 6; i < b.length; i++) b[i] = rand() < 0.7 ? ALPHABET[int(ALPHABET.length)] : int(256);
      return b;
    },
  },
  { name: 'single bit flip of a valid transaction', cases: 20_000 * SCALE, make: () => { const s = seeds[int(seeds.length)]; const b = s.slice(); const p = int(b.length); b[p] ^= 1 << int(8); return b; } },
  { name: '1–4 edits (flip/set/insert/delete)', cases: 20_000 * SCALE, make: () => mutate(seeds[int(seeds.length)], 1 + int(4)) },
  { name: 'every truncation of the full transaction', cases: seeds[0].length, make: (i) => seeds[0].subarray(0, i) },
  {
    name: 'random LEN value in a Type-2 record', cases: 5_000 * SCALE,
    make: () => {
      const len = rand() < 0.5 ? String(int(200)) : String(Math.floor(rand() * 1e12));
      return transaction(type1([[2, '00']]), tagged('2.001', [['2.002', '00'], ['2.003', 'abc']], { lenOverride: len }));
    },
  },
];

const tally: Record<string, Record<Outcome, number>> = {};
const timing: Record<string, number> = {};
for (const f of families) {
  const counts: Record<Outcome, number> = { ok: 0, ITL_MALFORMED: 0, ITL_TRUNCATED: 0, ITL_UNSUPPORTED: 0, internal: 0, crash: 0, roundtrip: 0 };
  const t0 = performance.now();
  for (let i = 0; i < f.cases; i++) counts[run(f.make(i), `${f.name} #${i}`)]++;
  timing[f.name] = performance.now() - t0;
  tally[f.name] = counts;
}

// Throughput on a large valid transaction (a 4 MiB face image), against copying the same bytes.
const big = transaction(type1([[2, '00'], [10, '01']]), type2('00'), type10Face('01', (() => {
  const d = new Uint8Array(4 * 1024 * 1024); d.set([0xff, 0xd8, 0xff, 0xe0]); for (let i = 4; i < d.length; i++) d[i] = int(256); return d;
})()));
const reps = 20;
let t0 = performance.now();
for (let i = 0; i < reps; i++) writeTransaction(parseTransaction(big));
const codecMs = (performance.now() - t0) / reps;
t0 = performance.now();
for (let i = 0; i < reps; i++) big.slice();
const copyMs = (performance.now() - t0) / reps;

const total = Object.values(tally).reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
const bad = Object.values(tally).reduce((n, c) => n + c.internal + c.crash + c.roundtrip, 0);
const rows = families.map((f) => {
  const c = tally[f.name];
  return `| ${f.name} | ${f.cases} | ${c.ok} | ${c.ITL_MALFORMED} | ${c.ITL_TRUNCATED} | ${c.ITL_UNSUPPORTED} | ${c.internal + c.crash + c.roundtrip} | ${(timing[f.name] / f.cases * 1000).toFixed(1)} |`;
});
const markdown = [
  `Seed ${SEED}. ${total} cases; **${bad} failures** (a non-AppError exception, a wrapped internal error, or an accepted input that did not write back byte for byte).`, '',
  '| family | cases | accepted | ITL_MALFORMED | ITL_TRUNCATED | ITL_UNSUPPORTED | failures | µs/case |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows, '',
  `Parse + write of a ${(big.length / 2 ** 20).toFixed(2)} MiB transaction (Type-1, Type-2, Type-10 with a 4 MiB image): ${codecMs.toFixed(2)} ms; copying the same bytes: ${copyMs.toFixed(2)} ms (ratio ${(codecMs / copyMs).toFixed(2)}).`,
  ...(failures.length ? ['', 'First failures:', ...failures.slice(0, 10).map((f) => `- ${f}`)] : []),
].join('\n');

writeReport({
  name: 'fuzz-itl',
  command: `npx tsx bench/fuzz-itl.ts${SCALE !== 1 ? ` --cases-scale ${SCALE}` : ''}`,
  dataset: 'generated: transactions built by test/itl-fixtures.ts (Types 1, 2, 4, 9 legacy, 9 INCITS 378, 9 with an embedded ISO 19794-2 template, 9 FBI/IAFIS 9.014-9.023, 10, 13, 14) and seeded random bytes',
  versions: { typescript: packageVersion('typescript'), tsx: packageVersion('tsx') },
  results: { seed: SEED, total, failures: bad, tally, msPerFamily: timing, bigTransactionBytes: big.length, codecMs, copyMs },
  markdown,
});
if (bad > 0) process.exit(1);
