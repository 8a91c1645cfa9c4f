// Fingerprint verification accuracy on FVC2004 DB1_B..DB4_B: every genuine and impostor pair within each DB
// (pairs_all), EER and FNMR at FMR 1% / 0.1%, a DET plot, and how far FVC alone measures the score calibration.
//   npm run bench:finger-accuracy            (BIOCHECK_SHARED_DATA overrides ../shared/data)
import path from 'node:path';
import { compareFingers, encodeFinger } from '../src/finger/matcher.ts';
import { matcherAddon } from '../src/finger/native.ts';
import { packageVersion, repoRoot, sharedData, writeReport } from './lib/report.ts';
import { allPairs, FVC_DBS, fvcRoot, loadFvcDb } from './lib/finger-fvc.ts';
import { detPoints, errorRates, type ErrorRates } from './lib/finger-metrics.ts';
import { writeDetPng, type DetSeries } from './lib/finger-det-plot.ts';
import { buildCalibration, sortedSample } from './lib/finger-calibration.ts';
import { FINGER_CALIBRATION } from '../src/finger/calibration.ts';

const REFERENCES: Record<string, { openafis: number; sourceafis: number }> = {
  DB1_B: { openafis: 30.0, sourceafis: 22.85 }, DB2_B: { openafis: 16.8, sourceafis: 10.71 },
  DB3_B: { openafis: 2.3, sourceafis: 2.14 }, DB4_B: { openafis: 5.7, sourceafis: 2.14 },
};
const COLORS: [number, number, number][] = [[220, 40, 40], [40, 120, 220], [30, 160, 60], [200, 130, 0]];
const pct = (v: number) => (v * 100).toFixed(2);

const perDb: Record<string, ErrorRates & { asymmetric: number; comparisonsPerSecond: number }> = {};
const allImpostor: number[] = [];
const series: DetSeries[] = [];
for (const [di, db] of FVC_DBS.entries()) {
  const fingers = loadFvcDb(sharedData, db);
  const templates = fingers.map((f) => encodeFinger(f.minutiae));
  const genuine: number[] = [], impostor: number[] = [];
  let asymmetric = 0;
  const t0 = performance.now();
  for (const p of allPairs(fingers.length, (i) => fingers[i].finger)) {
    const s = compareFingers(templates[p.a], templates[p.b]);
    if (compareFingers(templates[p.b], templates[p.a]) !== s) asymmetric++;
    (p.genuine ? genuine : impostor).push(s);
  }
  const seconds = (performance.now() - t0) / 1000;
  const r = errorRates(genuine, impostor);
  perDb[db] = { ...r, asymmetric, comparisonsPerSecond: Math.round((2 * (genuine.length + impostor.length)) / seconds) };
  allImpostor.push(...impostor);
  series.push({ color: COLORS[di], points: detPoints(genuine, impostor) });
  console.log(`${db}: EER ${pct(r.eer)} %, FNMR@FMR1% ${pct(r.fnmrAtFmr1)} %, FNMR@FMR0.1% ${pct(r.fnmrAtFmr01)} % (${genuine.length} genuine, ${impostor.length} impostor, ${asymmetric} asymmetric)`);
}

const mean = (dbs: string[], f: (r: ErrorRates) => number) => dbs.reduce((s, d) => s + f(perDb[d]), 0) / dbs.length;
const real = ['DB1_B', 'DB2_B', 'DB3_B'], all = [...FVC_DBS];
const detFile = path.join(repoRoot, 'bench', 'results', 'finger-det.png');
await writeDetPng(detFile, series);

// What FVC2004 alone measures of the calibration; the service's table (src/finger/calibration.ts) is written by
// bench/finger-calibration.ts, which adds tens of millions of synthetic impostor comparisons to these.
const version = matcherAddon().version;
const table = buildCalibration({ real: [sortedSample('FVC2004 within-DB', allImpostor)] }, { matcherVersion: version, source: 'FVC2004 DB1_B-DB4_B, all impostor pairs within each DB', cap: FINGER_CALIBRATION.cap });

const rows = all.map((db) => {
  const r = perDb[db];
  return `| ${db} | ${pct(r.eer)} | ${pct(r.fnmrAtFmr1)} | ${pct(r.fnmrAtFmr01)} | ${REFERENCES[db].openafis} | ${REFERENCES[db].sourceafis} | ${(REFERENCES[db].openafis / 2).toFixed(2)} | ${r.asymmetric} | ${r.comparisonsPerSecond} |`;
});
const avg = (name: string, dbs: string[]) =>
  `| ${name} | ${pct(mean(dbs, (r) => r.eer))} | ${pct(mean(dbs, (r) => r.fnmrAtFmr1))} | ${pct(mean(dbs, (r) => r.fnmrAtFmr01))} | ${(dbs.reduce((s, d) => s + REFERENCES[d].openafis, 0) / dbs.length).toFixed(2)} | ${(dbs.reduce((s, d) => s + REFERENCES[d].sourceafis, 0) / dbs.length).toFixed(2)} | | | |`;
writeReport({
  name: 'finger-accuracy',
  command: 'npm run bench:finger-accuracy',
  dataset: `${fvcRoot(sharedData)}: FVC2004 DB1_B..DB4_B ISO 19794-2:2005 templates, 80 per DB; pairs_all = every pair within a DB (280 genuine, 2880 impostor per DB)`,
  versions: { matcher: version, sharp: packageVersion('sharp'), 'node-addon-api': packageVersion('node-addon-api') },
  results: { perDb, meanDb1to3: { eer: mean(real, (r) => r.eer) }, meanAll: { eer: mean(all, (r) => r.eer) }, calibration: table },
  markdown: [
    '| DB | EER % | FNMR@FMR1% % | FNMR@FMR0.1% % | OpenAFIS EER % | SourceAFIS EER % | target (OpenAFIS/2) % | asymmetric pairs | 1:1 comparisons/s (1 thread, incl. feature build) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows, avg('mean DB1-3', real), avg('mean DB1-4', all), '',
    'Scores are symmetric by construction (each pair was scored both ways; "asymmetric pairs" counts any difference).',
    'The 1:1 rate includes decoding both templates and building their cylinders on every call; the gallery keeps',
    'features built, see finger-search for the raw comparison rate.', '',
    `DET curves: bench/results/finger-det.png (FMR 1e-4..1 on x, FNMR 1e-3..1 on y, log axes; red DB1, blue DB2, green DB3, orange DB4; dashed: FMR = FNMR).`, '',
    `FVC2004 alone measures the calibration to -log10 FMR ${table.measured.maxScore} (raw ${table.measured.maxRaw}; ${table.points.length} points, tail slope ${table.tailSlope});`,
    `raw score at FMR 1e-3: ${table.points.find((p) => p[1] >= 3)?.[0] ?? 'n/a'}. The service's table adds synthetic impostors: bench/results/finger-calibration.md.`,
  ].join('\n'),
});
