// Validation of the synthetic fingerprint generator (bench/lib/synth-finger) against FVC2004: the matcher's genuine
// and impostor scores on synthetic sets built like an FVC DB (10 fingers x 8 impressions, every pair), beside the
// four FVC2004 B sets; minutiae count, density, type and spacing statistics; generation speed.
//   npm run bench:finger-synthetic          (BIOCHECK_SHARED_DATA overrides ../shared/data)
import { compareFingers, encodeFinger } from '../src/finger/matcher.ts';
import { matcherAddon } from '../src/finger/native.ts';
import type { FingerMinutiae } from '../src/finger/types.ts';
import { rawThresholdForFmr } from '../src/finger/calibrate.ts';
import { allPairs, FVC_DBS, fvcRoot, loadFvcDb } from './lib/finger-fvc.ts';
import { errorRates } from './lib/finger-metrics.ts';
import { minutiaeStats, quantile } from './lib/minutiae-stats.ts';
import { packageVersion, sharedData, writeReport } from './lib/report.ts';
import { fromIso, isoTemplate, syntheticImpression, syntheticMaster } from './lib/synth-finger/index.ts';

const SYNTH_SETS = Number(process.env.FINGER_SYNTH_SETS ?? 8);
const SEED = 19794;
const FINGERS = 10, IMPRESSIONS = 8;
const rawAt1e3 = rawThresholdForFmr(1e-3), rawAt1e4 = rawThresholdForFmr(1e-4);

function evaluate(name: string, set: { finger: number; m: FingerMinutiae }[]) {
  const t = set.map((f) => encodeFinger(f.m));
  const genuine: number[] = [], impostor: number[] = [];
  for (const p of allPairs(set.length, (i) => set[i].finger)) (p.genuine ? genuine : impostor).push(compareFingers(t[p.a], t[p.b]));
  return { name, genuine, impostor, rates: errorRates(genuine, impostor), stats: minutiaeStats(set.map((f) => f.m)) };
}

const rows: ReturnType<typeof evaluate>[] = [];
for (const db of FVC_DBS) rows.push(evaluate(`FVC2004 ${db}`, loadFvcDb(sharedData, db).map((f) => ({ finger: f.finger, m: f.minutiae }))));

// Synthetic sets; generation timed on its own (CPU time: the machine is shared).
const synth: { finger: number; m: FingerMinutiae }[][] = [];
const c0 = process.cpuUsage();
let masterCpu = 0;
for (let s = 0; s < SYNTH_SETS; s++) {
  const set: { finger: number; m: FingerMinutiae }[] = [];
  for (let f = 0; f < FINGERS; f++) {
    const index = s * FINGERS + f;
    const a = process.cpuUsage();
    const master = syntheticMaster(SEED, index);
    const b = process.cpuUsage(a);
    masterCpu += (b.user + b.system) / 1000;
    for (let k = 0; k < IMPRESSIONS; k++) set.push({ finger: f, m: fromIso(isoTemplate(syntheticImpression(master, SEED, index, k).finger)) });
  }
  synth.push(set);
}
const gc = process.cpuUsage(c0);
const perFingerMs = (gc.user + gc.system) / 1000 / (SYNTH_SETS * FINGERS);
for (const [s, set] of synth.entries()) rows.push(evaluate(`synthetic set ${s + 1}`, set));
const pooled = evaluate('synthetic, all sets', synth.flatMap((set, s) => set.map((f) => ({ finger: s * FINGERS + f.finger, m: f.m }))));

const f3 = (v: number) => v.toFixed(3);
const pct = (v: number) => (v * 100).toFixed(2);
const above = (v: number[], t: number) => v.filter((x) => x >= t).length / v.length;
const line = (r: ReturnType<typeof evaluate>) => {
  const s = r.stats;
  return `| ${r.name} | ${s.templates} | ${s.count.p10} / ${s.count.median} / ${s.count.p90} | ${s.densityPer10kPx2} | ${s.hullAreaPx2} | ${(s.endingShare * 100).toFixed(0)} / ${(s.bifurcationShare * 100).toFixed(0)} | ${s.nearestNeighbourPx.p10} / ${s.nearestNeighbourPx.median} | ${(s.neighbourFlowAligned * 100).toFixed(0)} | ${f3(quantile(r.genuine, 0.1))} / ${f3(quantile(r.genuine, 0.5))} / ${f3(quantile(r.genuine, 0.9))} | ${f3(quantile(r.impostor, 0.5))} / ${f3(quantile(r.impostor, 0.99))} / ${f3(quantile(r.impostor, 0.999))} | ${pct(above(r.impostor, rawAt1e3))} / ${pct(above(r.impostor, rawAt1e4))} | ${pct(r.rates.eer)} | ${pct(r.rates.fnmrAtFmr01)} |`;
};
const md = [
  `Synthetic sets: ${SYNTH_SETS} x (${FINGERS} distinct fingers x ${IMPRESSIONS} impressions), seed ${SEED}, each written as ISO 19794-2:2005 and read back through the service's codec; pairs_all within each set (280 genuine, 2880 impostor), as for each FVC2004 DB. The pooled row takes every pair across all synthetic sets (${pooled.genuine.length} genuine, ${pooled.impostor.length} impostor).`, '',
  '| set | templates | minutiae p10 / median / p90 | per 10k px² of hull | hull px² | ending / bifurcation % | nearest neighbour px p10 / median | neighbour directions aligned % | genuine score p10 / p50 / p90 | impostor p50 / p99 / p99.9 | impostors above the service FMR 1e-3 / 1e-4 thresholds % | EER % | FNMR @ FMR 0.1 % |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(line), line(pooled), '',
  `Service thresholds (src/finger/calibration.ts, measured on FVC2004 impostors): raw ${f3(rawAt1e3)} for FMR 1e-3, ${f3(rawAt1e4)} for FMR 1e-4. If synthetic impostors cleared them more often than 0.1 % / 0.01 %, 1:N figures on synthetic galleries would overstate false positives; fewer, understate them.`,
  `Generation: ${perFingerMs.toFixed(2)} CPU ms per finger including ${IMPRESSIONS} impressions and their ISO records (${(masterCpu / (SYNTH_SETS * FINGERS)).toFixed(2)} ms of it the master: orientation field and ridge tracing), one thread: ${Math.round(1000 / perFingerMs)} fingers per CPU-second.`,
];
writeReport({
  name: 'finger-synthetic',
  command: 'npm run bench:finger-synthetic',
  dataset: `${fvcRoot(sharedData)} (FVC2004 DB1_B..DB4_B, 80 templates each) beside synthetic fingers from bench/lib/synth-finger (seed ${SEED})`,
  versions: { matcher: matcherAddon().version, 'node-addon-api': packageVersion('node-addon-api') },
  results: {
    rawThresholds: { fmr1e3: rawAt1e3, fmr1e4: rawAt1e4 }, generationCpuMsPerFinger: perFingerMs,
    sets: [...rows, pooled].map((r) => ({ name: r.name, stats: r.stats, rates: r.rates,
      genuine: { p10: quantile(r.genuine, 0.1), p50: quantile(r.genuine, 0.5), p90: quantile(r.genuine, 0.9) },
      impostor: { p50: quantile(r.impostor, 0.5), p99: quantile(r.impostor, 0.99), p999: quantile(r.impostor, 0.999), above1e3: above(r.impostor, rawAt1e3), above1e4: above(r.impostor, rawAt1e4) } })),
  },
  markdown: md.join('\n'),
});
