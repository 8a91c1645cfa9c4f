// Detection recall of human's BlazeFace (converted to ONNX) on ORL's tight 92x112 crops under
// several paddings, and faces found on human's sample images; plus ONNX vs tfjs (WASM) speed.
// Run: npx tsx bench/face-detect.ts
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp, { type Sharp } from 'sharp';
import specs, { blazefaceExtra } from '../models/specs/human.ts';
import { decodeBlazeface } from '../src/face/detect/blazeface-decode.ts';
import { graphModelParts, loadReferenceModel, readPgm, runReference } from '../test/lib/tfjs-graph-reference.ts';
import { packageVersion, repoRoot, sharedData, writeReport } from './lib/report.ts';

const SIZE = 256;
/** An ORL face's box is between these fractions of the crop's width (they are tight head crops). */
const MIN_FACE_FRACTION = 0.3;
const MAX_FACE_FRACTION = 1.5;
const THRESHOLDS = [0.2, 0.5];
const SETTINGS: { label: string; pad: number; fill: 'edge' | 'grey' }[] = [
  { label: 'no padding', pad: 0, fill: 'edge' },
  { label: '25% per side, edge', pad: 0.25, fill: 'edge' },
  { label: '50% per side, edge', pad: 0.5, fill: 'edge' },
  { label: '50% per side, grey', pad: 0.5, fill: 'grey' },
  { label: '100% per side, edge', pad: 1, fill: 'edge' },
  { label: '100% per side, grey', pad: 1, fill: 'grey' },
];
const humanDir = path.join(repoRoot, 'node_modules', '@vladmandic', 'human');
/** Version from node_modules directly: human's and sharp's `exports` hide package.json from require. */
const installed = (name: string) => JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version as string;
const spec = specs.find((s) => s.id === 'human-blazeface')!;

/** Image → padded (each side by pad x the longer side), letterboxed square, 256x256, normalised. */
async function detectorInput(img: Sharp, pad: number, fill: 'edge' | 'grey'): Promise<{ x: Float32Array; crop: [number, number, number, number] }> {
  const { data, info } = await img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const p = Math.round(Math.max(info.width, info.height) * pad);
  const w = info.width + 2 * p;
  const h = info.height + 2 * p;
  const side = Math.max(w, h);
  const ext = fill === 'edge' ? { extendWith: 'copy' as const } : { background: { r: 128, g: 128, b: 128 } };
  const padded = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .extend({ top: p, bottom: p, left: p, right: p, ...ext }).raw().toBuffer();
  const square = await sharp(padded, { raw: { width: w, height: h, channels: 3 } })
    .extend({ top: Math.floor((side - h) / 2), bottom: Math.ceil((side - h) / 2), left: Math.floor((side - w) / 2), right: Math.ceil((side - w) / 2), background: { r: 128, g: 128, b: 128 } })
    .raw().toBuffer();
  const raw = await sharp(square, { raw: { width: side, height: side, channels: 3 } }).resize(SIZE, SIZE, { kernel: 'linear' }).raw().toBuffer();
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = (raw[i] - spec.input.mean[i % 3]) / spec.input.std[i % 3];
  // Where the original image lies in the 256x256 input: [x, y, w, h].
  const k = SIZE / side;
  const crop: [number, number, number, number] = [(p + Math.floor((side - w) / 2)) * k, (p + Math.floor((side - h) / 2)) * k, info.width * k, info.height * k];
  return { x: out, crop };
}

/** A detection is the ORL face when its centre lies in the original crop and its width is face-like. */
function plausible(box: number[], crop: number[]): boolean {
  const cx = box[0] + box[2] / 2;
  const cy = box[1] + box[3] / 2;
  const inside = cx > crop[0] && cx < crop[0] + crop[2] && cy > crop[1] && cy < crop[1] + crop[3];
  return inside && box[2] > MIN_FACE_FRACTION * crop[2] && box[2] < MAX_FACE_FRACTION * crop[2];
}

const pgm = (file: string) => {
  const g = readPgm(file);
  return sharp(g.data, { raw: { width: g.width, height: g.height, channels: 1 } });
};

async function main() {
  const session = await ort.InferenceSession.create(await spec.build(humanDir), { intraOpNumThreads: 1 });
  const detect = async (x: Float32Array, maxDetections = 20) => {
    const res = await session.run({ [spec.input.name]: new ort.Tensor('float32', x, [1, SIZE, SIZE, 3]) });
    return decodeBlazeface(res as never, SIZE, { config: blazefaceExtra, scoreThreshold: Math.min(...THRESHOLDS), iouThreshold: 0.1, maxDetections });
  };

  const orlDir = path.join(sharedData, 'faces', 'orl');
  const orl: { label: string; found: Record<number, number>; n: number; meanBest: number }[] = [];
  if (existsSync(orlDir)) {
    const files = readdirSync(orlDir).filter((d) => /^s\d+$/.test(d))
      .flatMap((s) => readdirSync(path.join(orlDir, s)).filter((f) => f.endsWith('.pgm')).map((f) => path.join(orlDir, s, f)));
    for (const st of SETTINGS) {
      const found: Record<number, number> = Object.fromEntries(THRESHOLDS.map((t) => [t, 0]));
      let best = 0;
      for (const f of files) {
        const { x, crop } = await detectorInput(pgm(f), st.pad, st.fill);
        const dets = await detect(x, 1);
        const s = dets[0] && plausible(dets[0].box, crop) ? dets[0].score : 0;
        best += s;
        for (const t of THRESHOLDS) if (s > t) found[t]++;
      }
      orl.push({ label: st.label, found, n: files.length, meanBest: best / files.length });
      console.log(`[face-detect] ORL ${st.label}: ${THRESHOLDS.map((t) => `${found[t]}/${files.length} at >${t}`).join(', ')}`);
    }
  } else {
    console.warn(`[face-detect] ${orlDir} absent: ORL recall skipped`);
  }

  const samples: { image: string; faces: Record<number, number> }[] = [];
  for (const f of ['samples.jpg', 'screenshot-faceid.jpg', 'screenshot-facematch.jpg', 'screenshot-facedetect.jpg', 'screenshot-vrm.jpg']) {
    const dets = await detect((await detectorInput(sharp(path.join(humanDir, 'assets', f)), 0, 'grey')).x, 100);
    samples.push({ image: f, faces: Object.fromEntries(THRESHOLDS.map((t) => [t, dets.filter((d) => d.score > t).length])) });
  }

  // Speed: the same input through ONNX Runtime (1 thread) and tfjs WASM, same process.
  const { x } = await detectorInput(sharp(path.join(humanDir, 'assets', 'screenshot-faceid.jpg')), 0, 'grey');
  const ref = await loadReferenceModel(graphModelParts(path.join(humanDir, 'models', 'blazeface.json')));
  const time = async (fn: () => Promise<unknown>, n: number) => {
    for (let i = 0; i < 5; i++) await fn();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return (performance.now() - t0) / n;
  };
  const onnxMs = await time(() => session.run({ [spec.input.name]: new ort.Tensor('float32', x, [1, SIZE, SIZE, 3]) }), 50);
  const tfjsMs = await time(() => runReference(ref, { data: x, shape: [1, SIZE, SIZE, 3] }, ['Identity', 'Identity_1', 'Identity_2', 'Identity_3']), 50);

  const md = [
    '## BlazeFace recall on ORL (400 tight 92x112 greyscale crops; one face each)', '',
    `Each image padded by the given fraction of its longer side on every side, letterboxed to a square, resized to 256x256 (bilinear, i.e. upscaled); a face counts as found when the best detection's score exceeds the threshold (human's default is 0.2) and its box is plausible: centre inside the original crop, width ${MIN_FACE_FRACTION}-${MAX_FACE_FRACTION} x the crop's width.`, '',
    `| setting | ${THRESHOLDS.map((t) => `found (score > ${t})`).join(' | ')} | mean best score |`,
    `|---|${THRESHOLDS.map(() => '---:').join('|')}|---:|`,
    ...orl.map((r) => `| ${r.label} | ${THRESHOLDS.map((t) => `${r.found[t]}/${r.n} (${(100 * r.found[t] / r.n).toFixed(1)} %)`).join(' | ')} | ${r.meanBest.toFixed(4)} |`),
    ...(orl.length ? [] : ['| ORL absent | - | - | - |']),
    '', '## Detections on human\'s sample images (no ground truth: counts, not recall; whole image letterboxed to 256x256, NMS IoU 0.1, up to 100)', '',
    `| image | ${THRESHOLDS.map((t) => `detections (score > ${t})`).join(' | ')} |`, `|---|${THRESHOLDS.map(() => '---:').join('|')}|`,
    ...samples.map((s) => `| ${s.image} | ${THRESHOLDS.map((t) => s.faces[t]).join(' | ')} |`),
    '', '## Speed, one 256x256 image (same process, same input)', '',
    '| engine | ms / image |', '|---|---:|',
    `| ONNX Runtime CPU, 1 intra-op thread | ${onnxMs.toFixed(2)} |`,
    `| tfjs ${packageVersion('@tensorflow/tfjs')} WASM (reference) | ${tfjsMs.toFixed(2)} |`,
    `| ratio tfjs / ONNX | ${(tfjsMs / onnxMs).toFixed(2)}x |`,
  ].join('\n');
  writeReport({
    name: 'face-detect',
    command: 'npx tsx bench/face-detect.ts',
    dataset: `ORL (${sharedData}/faces/orl, 40 x 10 PGM) and @vladmandic/human ${installed('@vladmandic/human')} assets/*.jpg`,
    versions: {
      'onnxruntime-node': packageVersion('onnxruntime-node'), '@vladmandic/human': installed('@vladmandic/human'),
      '@tensorflow/tfjs': packageVersion('@tensorflow/tfjs'), sharp: installed('sharp'),
    },
    results: { orl, samples, speed: { onnxMs, tfjsMs } },
    markdown: md,
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
