// Presentation-attack detection measured as ISO/IEC 30107-3 names it, every candidate model in one run:
// APCER (attacks accepted as bona fide), BPCER (bona fide called attacks), EER and the DET curve on
// ../shared/data/faces/nuaa_dev (printed-photo attacks and live webcam frames), BPCER on ordinary bona fide
// photos (lfw_dev news photos, ORL), and the cost per face on one core. Every model scores the same face
// box: the service's detector (BlazeFace on the padded frame), the largest face.
//   npx tsx bench/face-pad.ts
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../src/ingest/image/decode.ts';
import { loadQualityThresholds } from '../src/face/frontend-config.ts';
import type { Box, RgbImage } from '../src/face/image.ts';
import { DEFAULT_FACE_ROLES } from '../src/face/modality.ts';
import { realFaceScore } from '../src/face/pad.ts';
import { FacePipeline } from '../src/face/pipeline.ts';
import { createInferencePools } from '../src/runtime/index.ts';
import { writeDetPng } from './lib/finger-det-plot.ts';
import { pgmToPng } from './lib/pgm.ts';
import { packageVersion, repoRoot, sharedData, writeReport } from './lib/report.ts';

const faces = path.join(sharedData, 'faces');
if (!existsSync(path.join(faces, 'nuaa_dev', 'labels.csv'))) {
  console.log(`nuaa_dev not found under ${faces}: nothing to evaluate (set BIOCHECK_SHARED_DATA).`);
  process.exit(0);
}
const MODELS = ['faceplugin-liveness', 'human-antispoof', 'human-liveness'] as const;
/** The operating point the service is calibrated for: BPCER on colour bona fide photos (nuaa_dev's live
 *  frames and lfw_dev's news photos together). */
const TARGET_BPCER = 0.01;
const quiet = { info() {}, warn: console.warn, error: console.error };

const csv = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
interface Item { set: 'nuaa' | 'lfw' | 'orl'; file: string; attack: boolean; bytes: () => Promise<Uint8Array> }
const items: Item[] = [
  ...csv(path.join(faces, 'nuaa_dev', 'labels.csv')).map(([f, label]) => ({ set: 'nuaa' as const, file: f, attack: label === 'attack', bytes: async () => readFileSync(path.join(faces, 'nuaa_dev', f)) })),
  ...csv(path.join(faces, 'lfw_dev', 'identities.csv')).map(([f]) => ({ set: 'lfw' as const, file: f, attack: false, bytes: async () => readFileSync(path.join(faces, 'lfw_dev', f)) })),
  ...Array.from({ length: 400 }, (_, i) => {
    const f = `s${Math.floor(i / 10) + 1}/${(i % 10) + 1}.pgm`;
    return { set: 'orl' as const, file: f, attack: false, bytes: () => pgmToPng(path.join(faces, 'orl', f)) };
  }),
];

// 1. One face box per image, from the service's detector.
const det = await createInferencePools({ config: { roles: { ...DEFAULT_FACE_ROLES, pad: null } } }, { roles: ['detector', 'landmarks', 'embedder'], logger: quiet });
const pipe = new FacePipeline(det, {}, loadQualityThresholds());
const found: { item: Item; image: RgbImage; box: Box }[] = [];
const missed: Record<string, number> = { nuaa: 0, lfw: 0, orl: 0 };
for (const item of items) {
  const image = await decodeImage(await item.bytes(), {});
  const f = (await pipe.detect(image)).sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
  if (f) found.push({ item, image, box: f.box }); else missed[item.set]++;
  if ((found.length + missed.nuaa + missed.lfw + missed.orl) % 500 === 0) console.log(`[face-pad] detected ${found.length} of ${items.length}`);
}
await det.close();

// 2. Every model scores every face: one worker, one thread (the "one core" of the cost target).
const scores: Record<string, number[]> = {};
const msPerFace: Record<string, number> = {};
for (const id of MODELS) {
  const pools = await createInferencePools({ config: { roles: { ...DEFAULT_FACE_ROLES, pad: id } } }, { roles: ['pad'], logger: quiet, workers: 1, intraOpNumThreads: 1, maxWaitMs: 0 });
  const desc = pools.registry.roles.pad!;
  const pool = pools.get('pad');
  const out: number[] = [];
  for (const f of found.slice(0, 20)) await realFaceScore(pool, desc, f.image, f.box); // warm-up
  const t0 = performance.now();
  for (const f of found) out.push(await realFaceScore(pool, desc, f.image, f.box));
  msPerFace[id] = (performance.now() - t0) / found.length;
  scores[id] = out;
  await pools.close();
  console.log(`[face-pad] scored with ${id}`);
}
// Fusions: the mean of two models' real-face scores.
const FUSIONS: [string, string][] = [['faceplugin-liveness', 'human-antispoof'], ['faceplugin-liveness', 'human-liveness']];
for (const [a, b] of FUSIONS) {
  scores[`mean(${a}, ${b})`] = scores[a].map((s, i) => (s + scores[b][i]) / 2);
  msPerFace[`mean(${a}, ${b})`] = msPerFace[a] + msPerFace[b];
}

// 3. ISO/IEC 30107-3 figures. A face scoring below the threshold is called an attack.
const pick = (id: string, set: Item['set'], attack?: boolean) => found.flatMap((f, i) => (f.item.set === set && (attack === undefined || f.item.attack === attack) ? [scores[id][i]] : []));
const rate = (xs: number[], pred: (x: number) => boolean) => xs.filter(pred).length / Math.max(1, xs.length);
/** The threshold with BPCER at most `bpcer` on the bona fide scores (the largest such). */
function thresholdAtBpcer(bona: number[], bpcer: number): number {
  const s = [...bona].sort((a, b) => a - b);
  const k = Math.floor(bpcer * s.length); // up to k bona fide below the threshold
  return k >= s.length ? 1 : s[k];
}
function eer(bona: number[], attacks: number[]): { eer: number; threshold: number } {
  let best = { eer: 1, threshold: 0, gap: Infinity };
  for (const t of [...new Set([...bona, ...attacks])].sort((a, b) => a - b)) {
    const bp = rate(bona, (x) => x < t); const ap = rate(attacks, (x) => x >= t);
    if (Math.abs(bp - ap) < best.gap) best = { eer: (bp + ap) / 2, threshold: t, gap: Math.abs(bp - ap) };
  }
  return { eer: best.eer, threshold: best.threshold };
}
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const rows = Object.keys(scores).map((id) => {
  const bona = pick(id, 'nuaa', false); const attacks = pick(id, 'nuaa', true);
  const t = thresholdAtBpcer([...bona, ...pick(id, 'lfw')], TARGET_BPCER);
  const e = eer(bona, attacks);
  // Held-out check of the calibration: threshold from one half (even-numbered nuaa subjects, even-indexed lfw
  // people), figures on the other half (nobody in both).
  const people = [...new Set(items.filter((x) => x.set === 'lfw').map((x) => x.file.split('/')[1]))];
  const half = (odd: boolean, set: Item['set'], attack: boolean) => found.flatMap((f, i) => {
    if (f.item.set !== set || f.item.attack !== attack) return [];
    const n = set === 'nuaa' ? Number(f.item.file.split('/')[1]) : people.indexOf(f.item.file.split('/')[1]);
    return n % 2 === (odd ? 1 : 0) ? [scores[id][i]] : [];
  });
  const tEven = thresholdAtBpcer([...half(false, 'nuaa', false), ...half(false, 'lfw', false)], TARGET_BPCER);
  return {
    model: id, threshold: +t.toFixed(4), eer: e.eer, eerThreshold: +e.threshold.toFixed(4),
    apcer: rate(attacks, (x) => x >= t), bpcer: rate(bona, (x) => x < t),
    apcerAt05: rate(attacks, (x) => x >= 0.5), bpcerAt05: rate(bona, (x) => x < 0.5),
    bpcerLfw: rate(pick(id, 'lfw'), (x) => x < t), bpcerOrl: rate(pick(id, 'orl'), (x) => x < t),
    heldOut: { threshold: +tEven.toFixed(4), apcer: rate(half(true, 'nuaa', true), (x) => x >= tEven), bpcer: rate(half(true, 'nuaa', false), (x) => x < tEven), bpcerLfw: rate(half(true, 'lfw', false), (x) => x < tEven) },
    msPerFace: +msPerFace[id].toFixed(2),
  };
});

// DET: BPCER against APCER (the finger DET plotter's axes: x = APCER as "FMR", y = BPCER as "FNMR").
const COLOURS: [number, number, number][] = [[200, 30, 30], [30, 90, 200], [30, 150, 60], [150, 60, 170], [230, 140, 20]];
const det_ = Object.keys(scores).map((id, i) => {
  const bona = pick(id, 'nuaa', false); const attacks = pick(id, 'nuaa', true);
  const points = [...new Set([...bona, ...attacks])].sort((a, b) => a - b).map((t) => ({ fmr: rate(attacks, (x) => x >= t), fnmr: rate(bona, (x) => x < t) }));
  return { id, color: COLOURS[i % COLOURS.length], points };
});
await writeDetPng(path.join(repoRoot, 'bench', 'results', 'face-pad-det.png'), det_);

const counts = (set: Item['set']) => `${items.filter((i) => i.set === set).length} images, ${missed[set]} without a detected face`;
writeReport({
  name: 'face-pad',
  command: 'npx tsx bench/face-pad.ts',
  dataset: `nuaa_dev (${counts('nuaa')}; ${found.filter((f) => f.item.set === 'nuaa' && f.item.attack).length} attacks and ${found.filter((f) => f.item.set === 'nuaa' && !f.item.attack).length} bona fide scored), lfw_dev (${counts('lfw')}), ORL (${counts('orl')})`,
  versions: { 'onnxruntime-node': packageVersion('onnxruntime-node'), '@vladmandic/human': packageVersion('@vladmandic/human'), 'faceplugin-face-recognition-js': packageVersion('faceplugin-face-recognition-js') },
  results: { targetBpcer: TARGET_BPCER, rows, missed },
  markdown: [
    `Threshold per model: the highest real-face score with BPCER <= ${pct(TARGET_BPCER)} on colour bona fide photos (nuaa_dev's live frames and lfw_dev's news photos together); a face below it is called an attack.`,
    'APCER / BPCER: nuaa_dev printed-photo attacks accepted as bona fide / live frames called attacks, at that threshold. BPCER lfw/ORL: ordinary photos called attacks at that threshold. EER: on nuaa_dev.',
    'Held out: threshold from one half (even-numbered nuaa subjects, even-indexed lfw people), APCER / BPCER nuaa / BPCER lfw on the other half.',
    'ms/face: crop + inference, one worker thread with one intra-op thread, batch 1, on a machine shared with other jobs.',
    '',
    '| model | EER | threshold | APCER | BPCER | APCER @0.5 | BPCER @0.5 | BPCER lfw_dev | BPCER ORL | held out: threshold, APCER, BPCER, BPCER lfw | ms/face |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.model} | ${pct(r.eer)} | ${r.threshold} | ${pct(r.apcer)} | ${pct(r.bpcer)} | ${pct(r.apcerAt05)} | ${pct(r.bpcerAt05)} | ${pct(r.bpcerLfw)} | ${pct(r.bpcerOrl)} | ${r.heldOut.threshold}, ${pct(r.heldOut.apcer)}, ${pct(r.heldOut.bpcer)}, ${pct(r.heldOut.bpcerLfw)} | ${r.msPerFace} |`),
    '',
    `DET curves (x: APCER, y: BPCER, log axes): \`bench/results/face-pad-det.png\` — ${det_.map((d) => `${d.id} rgb(${d.color.join(',')})`).join('; ')}.`,
    '',
    'Only printed-photo attacks are measured (one database, few subjects): replay (screens), masks and deep-fakes are not.',
  ].join('\n'),
});
