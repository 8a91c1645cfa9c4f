// Face verification and identification accuracy on ORL (../shared/data/faces/orl), for each embedder,
// through the shipped front end (BlazeFace on the frame padded by 25 % per side, 68-point landmarks,
// 5-point similarity alignment). Writes the calibration tables (cosine → -log10 FMR) the service uses.
//   npm run bench:face-accuracy [-- --embedders faceapi-dlib-resnet,human-faceres] [--write-calibration]
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_FACE_ROLES } from '../src/face/modality.ts';
import { loadQualityThresholds } from '../src/face/frontend-config.ts';
import { FacePipeline } from '../src/face/pipeline.ts';
import { createInferencePools } from '../src/runtime/index.ts';
import { pgmToPng } from './lib/pgm.ts';
import { packageVersion, repoRoot, sharedData, writeReport } from './lib/report.ts';
import { calibrationTable, eer, fnmrAtFmr } from './lib/verification-metrics.ts';

const orl = path.join(sharedData, 'faces', 'orl');
if (!existsSync(path.join(orl, 's1'))) {
  console.log(`ORL not found at ${orl}: nothing to evaluate (set BIOCHECK_SHARED_DATA).`);
  process.exit(0);
}
const arg = process.argv.indexOf('--embedders');
const embedders = arg > 0 ? process.argv[arg + 1].split(',') : ['faceapi-dlib-resnet', 'human-faceres'];
/** The dlib chip template, scaled, for embedders whose package states no alignment. */
const DLIB_TEMPLATE: [number, number][] = [[47.549, 46.599], [100.476, 46.599], [74.013, 76.563], [50.415, 103.023], [97.61, 103.023]];

const people = readdirSync(orl).filter((d) => /^s\d+$/.test(d)).sort((a, b) => +a.slice(1) - +b.slice(1));
const images: { person: number; file: string; png: Uint8Array }[] = [];
for (const p of people) for (let i = 1; i <= 10; i++) {
  const file = path.join(orl, p, `${i}.pgm`);
  images.push({ person: +p.slice(1), file, png: await pgmToPng(file) });
}

const rows: Record<string, unknown>[] = [];
const tables: { embedder: string; source: string; points: [number, number][] }[] = [];
for (const embedder of embedders) {
  const pools = await createInferencePools({ config: { roles: { ...DEFAULT_FACE_ROLES, embedder } } }, { roles: ['detector', 'landmarks', 'embedder'], logger: { info() {}, warn: console.warn, error: console.error } });
  const desc = pools.registry.roles.embedder!;
  const size = desc.input.shape[1];
  const template = desc.extra.alignment ? undefined : { size: [size, size] as [number, number], points: DLIB_TEMPLATE.map(([x, y]) => [(x * size) / 150, (y * size) / 150] as [number, number]) };
  const pipe = new FacePipeline(pools, {}, loadQualityThresholds(), template);
  const emb: (Float32Array | null)[] = [];
  let failed = 0;
  let belowCheck = 0;
  const t0 = performance.now();
  for (const im of images) {
    try {
      const r = await pipe.analyse(im.png, 'check', { policy: 'inform' });
      if (r.quality.reasons.length) belowCheck++;
      emb.push(r.embedding);
    } catch { emb.push(null); failed++; }
  }
  const ms = (performance.now() - t0) / images.length;
  await pools.close();
  const genuine: number[] = [];
  const impostor: number[] = [];
  const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, k) => s + v * b[k], 0);
  for (let i = 0; i < images.length; i++) for (let j = i + 1; j < images.length; j++) {
    const a = emb[i]; const b = emb[j];
    // A failed extraction is a non-match for genuine pairs and harmless for impostors.
    const s = a && b ? cos(a, b) : -1;
    (images[i].person === images[j].person ? genuine : impostor).push(s);
  }
  // Rank-1: image 1 of each person enrolled, images 2..10 probe.
  let correct = 0;
  let probes = 0;
  const gallery = images.filter((x, i) => x.file.endsWith('/1.pgm') && emb[i]).map((x) => ({ person: x.person, e: emb[images.indexOf(x)]! }));
  images.forEach((x, i) => {
    if (x.file.endsWith('/1.pgm')) return;
    probes++;
    const e = emb[i];
    if (!e) return;
    const best = gallery.reduce((b, g) => { const s = cos(e, g.e); return s > b.s ? { s, p: g.person } : b; }, { s: -Infinity, p: -1 });
    if (best.p === x.person) correct++;
  });
  const e = eer(genuine, impostor);
  const at1 = fnmrAtFmr(genuine, impostor, 0.01);
  const at01 = fnmrAtFmr(genuine, impostor, 0.001);
  rows.push({ embedder, dims: desc.outputs[0].shape.at(-1), failed, belowCheck, eer: e.eer, tarAt1: 1 - at1.fnmr, tarAt01: 1 - at01.fnmr, rank1: correct / probes, msPerImage: ms, thr1: at1.threshold, thr01: at01.threshold });
  tables.push({ embedder, source: `ORL impostor pairs (${impostor.length}), bench/face-accuracy.ts, ${new Date().toISOString().slice(0, 10)}`, points: calibrationTable(impostor.filter((s) => s > -1)) });
}

const pct = (v: unknown) => `${(100 * (v as number)).toFixed(2)}`;
const md = [
  'ORL: 40 people x 10 greyscale 92x112 tight crops. Front end as shipped: the frame is padded by 25 % of its longer side (edge replicate) and letterboxed to BlazeFace\'s 256x256 input, the 68-point net locates the landmarks, a 5-point similarity transform aligns the face to the embedder\'s template (dlib\'s chip template for dlib; the same, scaled, for faceres whose package states none), embeddings are L2-normalised and compared by cosine. All 1,800 genuine and 78,000 impostor pairs; rank-1 with image 1 of each person enrolled and images 2-10 as probes (360). A failed extraction counts as a non-match.',
  '',
  '| embedder | dims | extraction failed | below check quality | EER % | TAR@FAR1% % | TAR@FAR0.1% % | rank-1 % | ms/image (whole front end) |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.embedder} | ${r.dims} | ${r.failed} | ${r.belowCheck} | ${pct(r.eer)} | ${pct(r.tarAt1)} | ${pct(r.tarAt01)} | ${pct(r.rank1)} | ${(r.msPerImage as number).toFixed(1)} |`),
  '',
  'With --write-calibration, the calibration tables (cosine → -log10 FMR, empirical to ~10 impostors, then an exponential tail fitted to the top 2 %) are written to src/face/calibration-data.ts; the service\'s dlib table comes from bench/face-calibration.ts (lfw_dev + ORL).',
  'ORL is small, old and low-resolution: its impostor distribution is one data point; recalibrate on the population a deployment serves.',
];
// The dlib embedder's calibration comes from bench/face-calibration.ts (lfw_dev + ORL); this ORL-only table
// replaces the file only on request.
if (process.argv.includes('--write-calibration')) writeFileSync(path.join(repoRoot, 'src/face/calibration-data.ts'), `// Generated by bench/face-accuracy.ts: cosine similarity → -log10(FMR) per embedder, from impostor pairs.\nimport type { FaceCalibration } from './calibration.ts';\n\nexport const MEASURED_FACE_CALIBRATIONS: FaceCalibration[] = ${JSON.stringify(tables, null, 2)};\n`);
writeReport({
  name: 'face-accuracy', command: `npm run bench:face-accuracy${arg > 0 ? ` -- --embedders ${embedders.join(',')}` : ''}`,
  dataset: `ORL (${orl}), 400 images`, versions: { 'onnxruntime-node': packageVersion('onnxruntime-node'), '@vladmandic/face-api': packageVersion('@vladmandic/face-api') },
  results: rows, markdown: md.join('\n'),
});
