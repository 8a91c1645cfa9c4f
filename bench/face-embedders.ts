// Face embedders side by side on the same aligned crops (the service's BlazeFace detection on the padded
// frame, 68-point landmarks, each embedder's own 5-point template): lfw_dev's verification pairs
// (pairs.csv: 1,236 genuine, 6,180 impostor) and all ORL pairs. EER, FNMR at FMR 1 % and 0.1 %, and the time
// per embedding. Quality gates are off: every detected face is embedded; an image without a face makes its
// genuine pairs non-matches. For embedders other than the default, writes their calibration (cosine →
// -log10 FMR) from every impostor pair of lfw_dev (all 1,749 images) and ORL: src/face/calibration-options.ts.
//   npx tsx bench/face-embedders.ts [-- --embedders faceapi-dlib-resnet,faceplugin-feature]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadQualityThresholds } from '../src/face/frontend-config.ts';
import { DEFAULT_FACE_ROLES } from '../src/face/modality.ts';
import { FacePipeline } from '../src/face/pipeline.ts';
import { createInferencePools } from '../src/runtime/index.ts';
import { pgmToPng } from './lib/pgm.ts';
import { packageVersion, repoRoot, sharedData, writeReport } from './lib/report.ts';
import { calibrationTable, eer, fnmrAtFmr } from './lib/verification-metrics.ts';

const faces = path.join(sharedData, 'faces');
if (!existsSync(path.join(faces, 'lfw_dev', 'pairs.csv')) || !existsSync(path.join(faces, 'orl', 's1'))) {
  console.log(`lfw_dev or ORL not found under ${faces}: nothing to evaluate (set BIOCHECK_SHARED_DATA).`);
  process.exit(0);
}
const arg = process.argv.indexOf('--embedders');
const embedders = arg > 0 ? process.argv[arg + 1].split(',') : ['faceapi-dlib-resnet', 'faceplugin-feature'];
const quiet = { info() {}, warn: console.warn, error: console.error };

const csv = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const lfwPairs = csv(path.join(faces, 'lfw_dev', 'pairs.csv')).map(([a, b, same]) => ({ a, b, same: same === '1' }));
const lfwIdentity = new Map(csv(path.join(faces, 'lfw_dev', 'identities.csv')).map(([f, id]) => [f, id]));
const lfwFiles = [...lfwIdentity.keys()].sort();
const orlFiles = Array.from({ length: 400 }, (_, i) => `s${Math.floor(i / 10) + 1}/${(i % 10) + 1}.pgm`);
const orlPairs: { a: string; b: string; same: boolean }[] = [];
for (let i = 0; i < orlFiles.length; i++) for (let j = i + 1; j < orlFiles.length; j++) {
  orlPairs.push({ a: orlFiles[i], b: orlFiles[j], same: orlFiles[i].split('/')[0] === orlFiles[j].split('/')[0] });
}
const sets = [
  { name: 'lfw_dev', files: lfwFiles, pairs: lfwPairs, identity: (f: string) => lfwIdentity.get(f)!, read: async (f: string) => readFileSync(path.join(faces, 'lfw_dev', f)) },
  { name: 'ORL', files: orlFiles, pairs: orlPairs, identity: (f: string) => f.split('/')[0], read: (f: string) => pgmToPng(path.join(faces, 'orl', f)) },
];

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, k) => s + v * b[k], 0);
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const rows: Record<string, unknown>[] = [];
const calibrations: { embedder: string; source: string; points: [number, number][] }[] = [];
for (const embedder of embedders) {
  const allImpostors: number[] = [];
  const pools = await createInferencePools({ config: { roles: { ...DEFAULT_FACE_ROLES, embedder, pad: null } } }, { roles: ['detector', 'landmarks', 'embedder'], logger: quiet });
  const pipe = new FacePipeline(pools, {}, loadQualityThresholds());
  for (const set of sets) {
    const emb = new Map<string, Float32Array | null>();
    let embedMs = 0;
    for (const f of set.files) {
      try {
        const r = await pipe.analyse(await set.read(f), 'check', { policy: 'inform' });
        embedMs += r.timings.align + r.timings.embed;
        emb.set(f, r.embedding);
      } catch { emb.set(f, null); }
    }
    const genuine: number[] = [];
    const impostor: number[] = [];
    for (const p of set.pairs) {
      const a = emb.get(p.a); const b = emb.get(p.b);
      (p.same ? genuine : impostor).push(a && b ? cos(a, b) : -1);
    }
    const failed = [...emb.values()].filter((e) => !e).length;
    // Every cross-identity pair of the set, for the calibration.
    const ok = set.files.filter((f) => emb.get(f));
    for (let i = 0; i < ok.length; i++) for (let j = i + 1; j < ok.length; j++) {
      if (set.identity(ok[i]) !== set.identity(ok[j])) allImpostors.push(cos(emb.get(ok[i])!, emb.get(ok[j])!));
    }
    const row = {
      embedder, set: set.name, images: set.files.length, failed, genuine: genuine.length, impostor: impostor.length,
      eer: eer(genuine, impostor).eer, fnmr1: fnmrAtFmr(genuine, impostor, 0.01).fnmr, fnmr01: fnmrAtFmr(genuine, impostor, 0.001).fnmr,
      msPerEmbedding: +(embedMs / Math.max(1, set.files.length - failed)).toFixed(2),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  await pools.close();
  if (embedder !== DEFAULT_FACE_ROLES.embedder) {
    calibrations.push({ embedder, source: `lfw_dev (all 1,749 images) and ORL impostor pairs (${allImpostors.length}), bench/face-embedders.ts, ${new Date().toISOString().slice(0, 10)}`, points: calibrationTable(allImpostors) });
  }
}
if (calibrations.length) {
  writeFileSync(path.join(repoRoot, 'src', 'face', 'calibration-options.ts'), [
    '// Generated by bench/face-embedders.ts: cosine similarity → -log10(FMR) for the optional embedders, from impostor pairs.',
    "import type { FaceCalibration } from './calibration.ts';", '',
    `export const OPTION_FACE_CALIBRATIONS: FaceCalibration[] = ${JSON.stringify(calibrations)};`, '',
  ].join('\n'));
}

writeReport({
  name: 'face-embedders',
  command: 'npx tsx bench/face-embedders.ts',
  dataset: `lfw_dev (${lfwFiles.length} images; pairs.csv: ${lfwPairs.filter((p) => p.same).length} genuine, ${lfwPairs.filter((p) => !p.same).length} impostor pairs); ORL (400 images, all ${orlPairs.length} pairs)`,
  versions: { 'onnxruntime-node': packageVersion('onnxruntime-node'), '@vladmandic/face-api': packageVersion('@vladmandic/face-api'), 'faceplugin-face-recognition-js': packageVersion('faceplugin-face-recognition-js') },
  results: rows,
  markdown: [
    'Same detector (BlazeFace on the frame padded by 25 %), same 68-point landmarks; each embedder aligned to its own 5-point template',
    '(dlib 150x150 chip; ArcFace 112x112 for faceplugin-feature); cosine of L2-normalised embeddings. Quality gates off.',
    '"failed": images without a detected face (their genuine pairs count as non-matches). ms/embedding: alignment + inference,',
    'dynamic batching off in effect (one image at a time), on a machine shared with other jobs.',
    '',
    '| embedder | set | EER | FNMR @ FMR 1 % | FNMR @ FMR 0.1 % | failed | ms/embedding |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.embedder} | ${r.set} | ${pct(r.eer as number)} | ${pct(r.fnmr1 as number)} | ${pct(r.fnmr01 as number)} | ${r.failed}/${r.images} | ${r.msPerEmbedding} |`),
  ].join('\n'),
});
