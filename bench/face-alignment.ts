// Where the embedding front end loses on lfw_dev's originals: the same detections and 68 landmarks (the service's
// BlazeFace + face-api landmark net), then several ways to make the embedder's input, in process:
//   dlib-5pt     the service's default: dlib ResNet on a 150 px chip fitted to 5 points (eye centres, nose, mouth corners)
//   dlib-51pt    dlib's own get_face_chip: the similarity fitted to landmarks 17..67 against dlib's mean shape
//   dlib-jitter  dlib-5pt, the mean of the chip and four 1-px shifts of it (plus mirror images)
//   faceres-box  human's faceres (ONNX conversion of the same weights) on human's crop: the detector box x1.4, square
//   faceres-5pt  faceres on a chip fitted to 5 points, the template being the mean landmark positions in that crop
// Every variant averages the mirror image (as the service does). A subset of identities (1 in N by hash):
// rank-1 (first image of each subset identity + the subset's distractors enrolled) and pairs.csv among the subset.
//   npx tsx bench/face-alignment.ts [--every 4]
import { createHash } from 'node:crypto';
import { DLIB_CHIP_SIZE, DLIB_FIVE_POINT_TEMPLATE, meanShapePoint } from '../models/convert/faceapi/dlib-template.ts';
import { alignFace, estimateSimilarity, warpSimilarity, cropAndResize } from '../src/face/align.ts';
import { decodeImage } from '../src/ingest/image/decode.ts';
import { loadQualityThresholds, type Template5 } from '../src/face/frontend-config.ts';
import type { Point, RgbImage } from '../src/face/image.ts';
import { DEFAULT_FACE_ROLES } from '../src/face/modality.ts';
import { FacePipeline } from '../src/face/pipeline.ts';
import { createInferencePools } from '../src/runtime/index.ts';
import { lfwBytes, lfwDir, lfwImages, lfwPairs, lfwPresent, lfwProtocol } from './lib/lfw.ts';
import { packageVersion, writeReport } from './lib/report.ts';
import { verificationFigures } from './lib/verification-metrics.ts';

if (!lfwPresent()) {
  console.log(`lfw_dev not found at ${lfwDir}: nothing to evaluate (set BIOCHECK_SHARED_DATA).`);
  process.exit(0);
}
const arg = (name: string, def: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : def; };
const EVERY = Number(arg('--every', '4'));
const FACERES_CROP_SCALE = 1.4; // human's crop of the detector box for faceres (models/specs/human.ts)
const quiet = { info() {}, warn: console.warn, error: console.error };
const inSubset = (id: string) => createHash('sha256').update(`biocheck-alignment|${id}`).digest().readUInt16BE(0) % EVERY === 0;

const images = lfwImages().filter((im) => inSubset(im.identity));
const files = new Set(images.map((im) => im.file));
const identityOf = new Map(images.map((im) => [im.file, im.identity]));
const pairs = lfwPairs().filter((p) => files.has(p.a) && files.has(p.b));
const { gallery, probes } = lfwProtocol(images);

interface Found { image: RgbImage; box: { x: number; y: number; width: number; height: number }; lm5: Point[]; lm68: Point[] }
const found = new Map<string, Found | null>();
const METHODS = ['dlib-5pt', 'dlib-51pt', 'dlib-jitter', 'faceres-box', 'faceres-5pt'] as const;
type Method = (typeof METHODS)[number];
const emb: Record<Method, Map<string, Float32Array>> = Object.fromEntries(METHODS.map((m) => [m, new Map()])) as never;
const ms: Record<Method, number> = Object.fromEntries(METHODS.map((m) => [m, 0])) as never;
const time = async (m: Method, f: string, fn: () => Promise<Float32Array>) => { const t = performance.now(); emb[m].set(f, await fn()); ms[m] += performance.now() - t; };
const meanEmb = (vs: Float32Array[]) => { const s = new Float32Array(vs[0].length); for (const v of vs) v.forEach((x, i) => { s[i] += x; }); const n = Math.hypot(...s); return s.map((x) => x / n); };

// dlib: detection and landmarks once, then the dlib inputs.
{
  const pools = await createInferencePools({ config: { roles: { ...DEFAULT_FACE_ROLES, pad: null } } }, { roles: ['detector', 'landmarks', 'embedder'], logger: quiet });
  const pipe = new FacePipeline(pools, {}, loadQualityThresholds());
  const template: Template5 = { size: [DLIB_CHIP_SIZE, DLIB_CHIP_SIZE], points: DLIB_FIVE_POINT_TEMPLATE };
  const mean51 = Array.from({ length: 51 }, (_, i) => { const [x, y] = meanShapePoint(17 + i); return { x, y }; });
  for (const f of files) {
    const image = await decodeImage(lfwBytes(f));
    const faces = (await pipe.detect(image)).sort((x, y) => y.box.width * y.box.height - x.box.width * x.box.height);
    const lm68 = faces[0] ? await pipe.landmarkPoints(image, faces[0].box) : null;
    if (!faces[0] || !lm68) { found.set(f, null); continue; }
    const lm5 = (await pipe.landmarks5(image, faces[0].box))!;
    found.set(f, { image, box: faces[0].box, lm5, lm68 });
    const chip = alignFace(image, lm5, template);
    await time('dlib-5pt', f, () => pipe.embed(chip));
    await time('dlib-51pt', f, () => pipe.embed(warpSimilarity(image, estimateSimilarity(lm68.slice(17), mean51), DLIB_CHIP_SIZE, DLIB_CHIP_SIZE)));
    await time('dlib-jitter', f, async () => {
      const shifted = [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]].map(([dx, dy]) => alignFace(image, lm5.map((p) => ({ x: p.x + dx, y: p.y + dy })), template));
      return meanEmb(await Promise.all(shifted.map((c) => pipe.embed(c))));
    });
  }
  await pools.close();
}

// faceres: human's box crop, and a 5-point template that puts the landmarks where that crop has them on average.
{
  const pools = await createInferencePools({ config: { roles: { ...DEFAULT_FACE_ROLES, embedder: 'human-faceres', pad: null } } }, { roles: ['detector', 'landmarks', 'embedder'], logger: quiet });
  const [side] = [224];
  const acc = Array.from({ length: 5 }, () => ({ x: 0, y: 0 }));
  let n = 0;
  for (const fd of found.values()) {
    if (!fd) continue;
    const s = Math.max(fd.box.width, fd.box.height) * FACERES_CROP_SCALE;
    const cx = fd.box.x + fd.box.width / 2; const cy = fd.box.y + fd.box.height / 2;
    fd.lm5.forEach((p, i) => { acc[i].x += ((p.x - (cx - s / 2)) / s) * side; acc[i].y += ((p.y - (cy - s / 2)) / s) * side; });
    n++;
  }
  const template: Template5 = { size: [side, side], points: acc.map((p) => [p.x / n, p.y / n]) };
  console.log('faceres template (mean landmark positions in human\'s crop):', JSON.stringify(template.points.map(([x, y]) => [+x.toFixed(1), +y.toFixed(1)])));
  const pipe = new FacePipeline(pools, {}, loadQualityThresholds(), template);
  for (const [f, fd] of found) {
    if (!fd) continue;
    const pad = (FACERES_CROP_SCALE - 1) / 2;
    await time('faceres-box', f, () => pipe.embed(cropAndResize(fd.image, fd.box, [side, side], pad)));
    await time('faceres-5pt', f, () => pipe.embed(alignFace(fd.image, fd.lm5, template)));
  }
  await pools.close();
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, k) => s + v * b[k], 0);
const rows = METHODS.map((m) => {
  const e = emb[m];
  const g: number[] = []; const im: number[] = [];
  for (const p of pairs) { const a = e.get(p.a); const b = e.get(p.b); (p.same ? g : im).push(a && b ? dot(a, b) : -1); }
  const enrolled = gallery.filter((x) => e.has(x.file));
  let rank1 = 0;
  for (const p of probes) {
    const q = e.get(p.file);
    if (!q) continue;
    let best = { id: '', s: -Infinity };
    for (const x of enrolled) { const s = dot(q, e.get(x.file)!); if (s > best.s) best = { id: x.identity, s }; }
    if (best.id === identityOf.get(p.file)) rank1++;
  }
  return { method: m, rank1: rank1 / probes.length, genuine: g.length, impostor: im.length, ...verificationFigures(g, im), msPerImage: ms[m] / Math.max(1, e.size) };
});
const lost = [...found.values()].filter((x) => !x).length;
const pct = (x: number, d = 2) => (100 * x).toFixed(d);
writeReport({
  name: 'face-alignment',
  command: `npx tsx bench/face-alignment.ts --every ${EVERY}`,
  dataset: `lfw_dev (${lfwDir}), identities 1 in ${EVERY} by hash: ${images.length} images (${gallery.length} enrolled, ${probes.length} probes), ${pairs.filter((p) => p.same).length} genuine and ${pairs.filter((p) => !p.same).length} impostor pairs of pairs.csv`,
  versions: { 'onnxruntime-node': packageVersion('onnxruntime-node') },
  results: { rows, lost },
  markdown: [
    'Originals only; the service\'s detection (BlazeFace on the padded frame) and 68 landmarks for every method, so only the embedder\'s input differs. Cosine of L2-normalised embeddings, each the mean with its mirror image. ' +
    `Images without a face: ${lost} (non-matches, probes missed). ms/image: the embedding step only, on a machine shared with other jobs.`,
    '',
    '| method | rank-1 % | AUC | EER % | FNMR@FMR1% % | FNMR@FMR0.1% % | ms/image |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.method} | ${pct(r.rank1, 1)} | ${r.auc.toFixed(4)} | ${pct(r.eer)} | ${pct(r.fnmrAt1)} | ${pct(r.fnmrAt01)} | ${r.msPerImage.toFixed(0)} |`),
  ].join('\n'),
});
