// The finger score calibration (raw -> -log10 FMR) the service loads, measured far beyond what FVC2004 alone
// reaches: FVC2004's real impostor pairs (within and across DBs), plus tens of millions of exhaustive comparisons
// of synthetic probes (bench/lib/synth-finger, another seed) and of every FVC2004 template with a gallery of
// distinct synthetic fingers. The sources are compared where each is measured; the table takes, at every level,
// the most conservative of them. Fitted on the even probes, checked on the odd ones (and per search, with the
// service's threshold). Writes src/finger/calibration.ts.
//   npm run bench:finger-calibration        (FINGER_CAL_GALLERY=20000 FINGER_CAL_PROBES=2000 by default)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareFingers, encodeFinger } from '../src/finger/matcher.ts';
import { matcherAddon } from '../src/finger/native.ts';
import { MIN_MINUTIAE } from '../src/finger/modality.ts';
import type { FingerMinutiae } from '../src/finger/types.ts';
import { requiredScore } from '../src/fusion/decide.ts';
import { MAX_SCORE } from '../src/fusion/scale.ts';
import { buildCalibration, calibrationPoints, levelOnTable, ScoreHistogram, scoreAtLevel, sortedSample, type ImpostorSample } from './lib/finger-calibration.ts';
import { FVC_DBS, fvcRoot, loadFvcDb } from './lib/finger-fvc.ts';
import { packageVersion, repoRoot, sharedData, writeReport } from './lib/report.ts';
import { syntheticRecords } from './lib/synth-finger/gallery-cache.ts';
import { fromIso } from './lib/synth-finger/index.ts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const G = env('FINGER_CAL_GALLERY', 20_000), P = env('FINGER_CAL_PROBES', 2000);
const GALLERY_SEED = 2026, PROBE_SEED = 2027;  // distinct seeds: every probe is an impostor of every entry
/** Decades the exponential tail may run past the measured range: the extrapolation check below measures how a
 *  tail fitted this many decades short of the data fares against it. */
const EXTRAPOLATION_DECADES = 3;
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const usable = (f: FingerMinutiae) => f.minutiae.length >= MIN_MINUTIAE;  // what the service agrees to compare
const unknownPosition = (f: FingerMinutiae) => encodeFinger({ ...f, position: 0 });

// --- Real impostors: every cross-finger pair of FVC2004 B, within each DB and across DBs (different sensors). ---
const fvc = FVC_DBS.flatMap((db) => loadFvcDb(sharedData, db)).filter((f) => usable(f.minutiae));
const fvcTemplates = fvc.map((f) => unknownPosition(f.minutiae));
const fvcWithin: number[][] = [[], []], fvcAcross: number[][] = [[], []];  // [fit, test]: by the first template's index parity
for (let a = 0; a < fvc.length; a++) {
  for (let b = a + 1; b < fvc.length; b++) {
    if (fvc[a].db === fvc[b].db && fvc[a].finger === fvc[b].finger) continue;
    (fvc[a].db === fvc[b].db ? fvcWithin : fvcAcross)[a % 2].push(compareFingers(fvcTemplates[a], fvcTemplates[b]));
  }
}
log(`FVC2004: ${fvcWithin.flat().length} within-DB and ${fvcAcross.flat().length} cross-DB impostor pairs`);

// --- Exhaustive searches against a gallery of G distinct synthetic fingers. ---
const gallery = new (matcherAddon().Gallery)();
{
  const records = (await syntheticRecords({ seed: GALLERY_SEED, from: 0, to: G, impression: 0, positions: 'four' }, log)).map(fromIso).filter(usable);
  await gallery.addMany(Float64Array.from(records.keys()), records.map(unknownPosition), new Int16Array(records.length).fill(-1));
}
const synthProbes = (await syntheticRecords({ seed: PROBE_SEED, from: 0, to: P, impression: 1 }, log)).map(fromIso).filter(usable).map(unknownPosition);
log(`gallery ${gallery.size()} synthetic fingers; probes: ${synthProbes.length} synthetic (seed ${PROBE_SEED}), ${fvcTemplates.length} FVC2004`);

interface Searched { hist: ScoreHistogram[]; maxima: number[][]; cpuS: number }
/** Every score of every probe into the fit (even probe) or test (odd) histogram, and each search's best score. */
async function searchAll(name: string, probes: Uint8Array[]): Promise<Searched> {
  const out: Searched = { hist: [new ScoreHistogram(), new ScoreHistogram()], maxima: [[], []], cpuS: 0 };
  const c0 = process.cpuUsage();
  for (const [i, probe] of probes.entries()) {
    const r = await gallery.search(probe, { k: gallery.size(), exhaustive: true });
    for (const h of r.hits) out.hist[i % 2].add(h.score);
    out.maxima[i % 2].push(r.hits[0]?.score ?? 0);
    if (i % 100 === 99) log(`${name}: ${i + 1} / ${probes.length} searches`);
  }
  const c = process.cpuUsage(c0);
  return { ...out, cpuS: (c.user + c.system) / 1e6 };
}
// The searches are the costly part: kept under bench/out (git-ignored), so the table can be rebuilt without them.
const cacheFile = path.join(repoRoot, 'bench', 'out', `finger-calibration-scores-m${matcherAddon().version}-g${G}-p${P}.json`);
const revive = (x: { hist: { counts: number[]; count: number }[]; maxima: number[][]; cpuS: number }): Searched => ({
  ...x, hist: x.hist.map((h) => ScoreHistogram.from(h.counts, h.count)),
});
let synth: Searched, mixed: Searched;
if (existsSync(cacheFile)) {
  ({ synth, mixed } = Object.fromEntries(Object.entries(JSON.parse(readFileSync(cacheFile, 'utf8'))).map(([k, v]) => [k, revive(v as never)])) as { synth: Searched; mixed: Searched });
  log(`searches read back from ${cacheFile}`);
} else {
  synth = await searchAll('synthetic x synthetic', synthProbes);
  mixed = await searchAll('FVC2004 x synthetic', fvcTemplates);
  const plain = (x: Searched) => ({ ...x, hist: x.hist.map((h) => ({ counts: [...h.counts], count: h.count })) });
  mkdirSync(path.dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify({ synth: plain(synth), mixed: plain(mixed) }));
}
const comparisons = [...synth.hist, ...mixed.hist].reduce((a, h) => a + h.count, 0);
const perCpuS = Math.round(comparisons / (synth.cpuS + mixed.cpuS));

const sources = (half: 0 | 1): ImpostorSample[] => [
  sortedSample('FVC2004 within-DB', fvcWithin[half]), sortedSample('FVC2004 cross-DB', fvcAcross[half]),
  synth.hist[half].sample('synthetic x synthetic'), mixed.hist[half].sample('FVC2004 x synthetic'),
];
const fit = sources(0), test = sources(1);

// --- Where the sources agree: the raw score each needs for an FMR, on all its pairs (fit + test). ---
const whole: ImpostorSample[] = [
  sortedSample('FVC2004 within-DB', fvcWithin.flat()), sortedSample('FVC2004 cross-DB', fvcAcross.flat()),
  new ScoreHistogram().merge(synth.hist[0]).merge(synth.hist[1]).sample('synthetic x synthetic'),
  new ScoreHistogram().merge(mixed.hist[0]).merge(mixed.hist[1]).sample('FVC2004 x synthetic'),
];
const f3 = (v: number | undefined) => (v === undefined ? '' : v.toFixed(4));
const agreementRows: string[] = [];
for (let level = 1; level <= 7.001; level += 0.5) {
  const raws = whole.map((s) => scoreAtLevel(s, level));
  if (raws.every((r) => r === undefined)) break;
  agreementRows.push(`| ${level} | ${raws.map(f3).join(' | ')} |`);
}

// --- The table, from the fit half; the cap: the measured range plus the extrapolation the check below allows. ---
const version = matcherAddon().version;
const [fitReal, fitSynthetic] = [fit.slice(0, 2), fit.slice(2)];
const draft = buildCalibration({ real: fitReal, synthetic: fitSynthetic }, { matcherVersion: version, source: '', cap: MAX_SCORE });
const modelledTop = draft.measured.modelled?.maxScore ?? draft.measured.maxScore;
const cap = Math.min(MAX_SCORE, Math.floor(modelledTop + EXTRAPOLATION_DECADES));
const table = {
  ...draft, cap,
  source: `impostor pairs: FVC2004 DB1_B-DB4_B within and across DBs (${fit[0].count + fit[1].count}), synthetic x synthetic (${fit[2].count}), FVC2004 x synthetic (${fit[3].count}); the fit half of bench/finger-calibration.ts, ${new Date().toISOString().slice(0, 10)}`,
};
const calibrated = (raw: number) => Math.min(cap, levelOnTable(table.points, table.tailSlope, raw));

// Extrapolation check, on the deepest curve (synthetic): a tail fitted EXTRAPOLATION_DECADES short of its measured
// range, against its measured points.
const synthCurve = calibrationPoints(fitSynthetic).points;
const synthTop = synthCurve[synthCurve.length - 1][1];
const short = calibrationPoints(fitSynthetic, synthTop - EXTRAPOLATION_DECADES);
const shortTop = short.points[short.points.length - 1][1];
const extrapolationRows = synthCurve.filter(([, y]) => y > shortTop).map(([x, y]) => {
  const predicted = levelOnTable(short.points, short.tailSlope, x);
  return { raw: x, measured: y, predicted, overclaim: predicted - y };
});
// Local slope per decade (decades per unit raw) of the real and the synthetic curves: a lighter-than-exponential
// tail steepens, and then an exponential extrapolation claims less than the data.
const realCurve = calibrationPoints(fitReal).points;
const localSlope = (curve: [number, number][], level: number) => {
  const a = curve.find(([, y]) => y >= level - 1 - 1e-9), b = [...curve].reverse().find(([, y]) => y <= level + 1e-9);
  return a && b && b[1] > a[1] ? (b[1] - a[1]) / (b[0] - a[0]) : undefined;
};
const slopeRows = [1, 2, 3, 4, 5, 6, 7].map((L) => ({ level: L, real: localSlope(realCurve, L), synthetic: localSlope(synthCurve, L) }))
  .filter((r) => r.real !== undefined || r.synthetic !== undefined);
const worstOverclaim = Math.max(0, ...extrapolationRows.map((r) => r.overclaim));

// --- Held-out check: per comparison (share of test pairs at or above each level) and per search. ---
const heldOut = test.map((s) => {
  const levels = [2, 3, 4, 5, 6].filter((L) => L <= Math.log10(s.count / 10) + 1e-9);
  return { name: s.name, pairs: s.count, rates: levels.map((L) => {
    // The smallest raw score calibrated at L; the share of test impostors at or above it.
    let lo = 0, hi = 1;
    for (let i = 0; i < 40; i++) { const mid = (lo + hi) / 2; if (calibrated(mid) >= L) hi = mid; else lo = mid; }
    return { level: L, rate: s.shareAtOrAbove(hi) };
  }) };
});
const perSearch = [
  { name: 'synthetic x synthetic', maxima: synth.maxima[1] }, { name: 'FVC2004 x synthetic', maxima: mixed.maxima[1] },
].map(({ name, maxima }) => ({
  name, searches: maxima.length,
  rows: [1e-1, 1e-2, 1e-3].map((fpir) => ({ fpir, threshold: requiredScore(fpir, gallery.size()), measured: maxima.filter((m) => calibrated(m) >= requiredScore(fpir, gallery.size())).length / maxima.length })),
}));

// --- Write the table the service loads. ---
writeFileSync(path.join(repoRoot, 'src', 'finger', 'calibration.ts'), [
  '// GENERATED by `npm run bench:finger-calibration` (bench/finger-calibration.ts, bench/lib/finger-calibration.ts): do not edit.',
  `// Raw score -> -log10(FMR), from ${table.impostorCount} impostor comparisons (FVC2004 pairs, synthetic fingers, FVC2004`,
  '// against synthetic): at every 0.25 decade the most conservative source, empirical up to `measured`, then an',
  '// exponential tail capped `cap - measured.maxScore` decades beyond. Regenerate whenever the matcher changes.',
  `export const FINGER_CALIBRATION = ${JSON.stringify(table, null, 2)} as const;`, '',
].join('\n'));

const pct = (v: number) => `${(100 * v).toPrecision(3)}`;
writeReport({
  name: 'finger-calibration',
  command: `FINGER_CAL_GALLERY=${G} FINGER_CAL_PROBES=${P} npm run bench:finger-calibration`,
  dataset: `${fvcRoot(sharedData)} (FVC2004 B, ${fvc.length} templates with at least ${MIN_MINUTIAE} minutiae) and synthetic fingers from bench/lib/synth-finger: gallery seed ${GALLERY_SEED} fingers 0..${G - 1} impression 0 (${gallery.size()} usable), probes seed ${PROBE_SEED} fingers 0..${P - 1} impression 1 (${synthProbes.length} usable)`,
  versions: { matcher: version, comparison: matcherAddon().comparisonSimd, 'node-addon-api': packageVersion('node-addon-api') },
  results: { table, comparisons, perCpuS, agreement: agreementRows, slopes: slopeRows, extrapolation: extrapolationRows, worstOverclaim, heldOut, perSearch },
  markdown: [
    `${comparisons} exhaustive comparisons against the synthetic gallery (${perCpuS} per CPU-second), plus ${fvcWithin.flat().length + fvcAcross.flat().length} FVC2004 pairs. Every probe is split by index parity: even probes (and FVC pairs whose first template is even) fit the table, odd ones check it.`, '',
    '## Where the impostor sources agree (all pairs of each source)', '',
    'Raw score an impostor reaches with probability 10^-level, per source, while at least 10 of its impostors do (blank: not measured that far).', '',
    `| -log10 FMR | ${whole.map((s) => `${s.name} (${s.count})`).join(' | ')} |`, `|---|${whole.map(() => '---|').join('')}`, ...agreementRows, '',
    '## Local slope of each curve (decades of FMR per unit raw score, over the decade ending at the level; fit half)', '',
    'Real: the most conservative of the two FVC2004 sources at each level; synthetic: of synthetic x synthetic and FVC2004 x synthetic. A smaller slope is a heavier tail.', '',
    '| -log10 FMR | real | synthetic |', '|---|---|---|',
    ...slopeRows.map((r) => `| ${r.level} | ${r.real?.toFixed(1) ?? ''} | ${r.synthetic?.toFixed(1) ?? ''} |`), '',
    '## The table (fit half)', '',
    `Empirical on real impostor pairs to -log10 FMR ${table.measured.maxScore} (raw ${table.measured.maxRaw}, ${table.measured.impostors} FVC2004 pairs). From there to ${modelledTop} (raw ${table.measured.modelled?.maxRaw}), the synthetic curve (${table.measured.modelled?.impostors} comparisons) at the real curve's rate: each synthetic step adds ${table.measured.modelled?.scale} times its own gain in level (the ratio of the real to the synthetic slope over the real curve's last two decades). Beyond, an exponential tail of ${table.tailSlope} decades per unit raw score (the flatter of the fits over the last one and two decades), capped at ${cap} = ${modelledTop} + ${EXTRAPOLATION_DECADES} decades, floored (the fused score's cap is ${MAX_SCORE}).`, '',
    '| raw | -log10 FMR |', '|---|---|', ...table.points.map(([x, y]) => `| ${x} | ${y} |`), '',
    `## Extrapolation check: on the synthetic curve (measured to ${synthTop}), a tail fitted ${EXTRAPOLATION_DECADES} decades short (to ${shortTop}), against the measured points`, '',
    '| raw | measured -log10 FMR | predicted by the short tail | overclaim (decades) |', '|---|---|---|---|',
    ...extrapolationRows.map((r) => `| ${r.raw} | ${r.measured} | ${r.predicted.toFixed(2)} | ${r.overclaim.toFixed(2)} |`), '',
    `Worst overclaim: ${worstOverclaim.toFixed(2)} decades (positive: the short tail claims more evidence than measured).`, '',
    '## Held-out check (odd probes / pairs)', '',
    'Share of held-out impostor comparisons whose calibrated score reaches each level (nominal: 10^-level).', '',
    '| source | pairs | ' + [2, 3, 4, 5, 6].map((L) => `at ${L} (nominal ${pct(10 ** -L)} %)`).join(' | ') + ' |', '|---|---|---|---|---|---|---|',
    ...heldOut.map((h) => `| ${h.name} | ${h.pairs} | ${[2, 3, 4, 5, 6].map((L) => { const r = h.rates.find((x) => x.level === L); return r ? pct(r.rate) : ''; }).join(' | ')} |`), '',
    `Per search, with the service's threshold for a list of ${gallery.size()} (src/fusion/decide.ts): share of held-out searches (all non-mated) with any candidate at or above it.`, '',
    '| probes | searches | FPIR 1e-1: threshold, measured % | FPIR 1e-2: threshold, measured % | FPIR 1e-3: threshold, measured % |', '|---|---|---|---|---|',
    ...perSearch.map((p) => `| ${p.name} | ${p.searches} | ${p.rows.map((r) => `${r.threshold.toFixed(2)}, ${pct(r.measured)}`).join(' | ')} |`),
  ].join('\n'),
});
