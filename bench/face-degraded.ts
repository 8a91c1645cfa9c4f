// Poor captures in process: where the face pipeline loses lfw_dev's degraded probes, and what rank-1 it
// reaches on them. The service's own FacePipeline (default models and settings) embeds the 1,000-face gallery
// (originals) and the poor-capture variants (bench/lib/lfw.ts) of the probes of a subset of identities; rank-1
// is exact cosine search over the gallery, as the service's exact search does. Per variant it reports the
// detector's misses, the face sizes and detector scores seen, the genuine mate's rank, and ms per image.
//   npx tsx bench/face-degraded.ts [--variant-every 12] [--gallery-cache /tmp/x.json] [--no-write]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_FACE_ROLES } from '../src/face/modality.ts';
import { loadQualityThresholds } from '../src/face/frontend-config.ts';
import { FacePipeline } from '../src/face/pipeline.ts';
import { createInferencePools } from '../src/runtime/index.ts';
import { isAppError } from '../src/errors.ts';
import { lfwBytes, lfwDir, lfwImages, lfwPresent, lfwProtocol, makeVariant, VARIANTS, type Variant } from './lib/lfw.ts';
import { packageVersion, writeReport } from './lib/report.ts';

if (!lfwPresent()) {
  console.log(`lfw_dev not found at ${lfwDir}: nothing to measure (set BIOCHECK_SHARED_DATA).`);
  process.exit(0);
}
const arg = (name: string, def: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : def; };
const VARIANT_EVERY = Number(arg('--variant-every', '12'));
const GALLERY_CACHE = arg('--gallery-cache', '');
const ONLY = arg('--variants', VARIANTS.join(',')).split(',') as Variant[];
const hash = (s: string) => createHash('sha256').update(`biocheck-calibration|${s}`).digest();
/** The subset bench/face-calibration.ts and bench/face-lfw.ts make variants of. */
const inVariantSubset = (identity: string) => hash(identity).readUInt16BE(1) % VARIANT_EVERY === 0;

const pools = await createInferencePools({ config: { roles: { ...DEFAULT_FACE_ROLES } } }, { roles: ['detector', 'landmarks', 'embedder'], logger: { info() {}, warn: console.warn, error: console.error } });
const pipe = new FacePipeline(pools, {}, loadQualityThresholds());
const { gallery, probes } = lfwProtocol(lfwImages());

// The gallery: originals through the same pipeline (cached on request: it is the slow part and originals
// stay on the unchanged path).
let galleryEmb: { identity: string; emb: number[] }[];
if (GALLERY_CACHE && existsSync(GALLERY_CACHE)) galleryEmb = JSON.parse(readFileSync(GALLERY_CACHE, 'utf8'));
else {
  galleryEmb = [];
  for (const im of gallery) {
    try { galleryEmb.push({ identity: im.identity, emb: [...(await pipe.analyse(lfwBytes(im.file), 'enrol')).embedding] }); } catch { /* not enrolled */ }
  }
  if (GALLERY_CACHE) writeFileSync(GALLERY_CACHE, JSON.stringify(galleryEmb));
}
const dim = galleryEmb[0].emb.length;
const G = new Float32Array(galleryEmb.length * dim);
galleryEmb.forEach((g, i) => G.set(g.emb, i * dim));

interface Row { variant: Variant; file: string; lost: boolean; rank: number; genuine: number; best: number; faceWidth: number; score: number; ms: number; timings: Record<string, number> }
const rows: Row[] = [];
const subset = probes.filter((p) => inVariantSubset(p.identity));
for (const v of ONLY) {
  for (const p of subset) {
    const bytes = await makeVariant(lfwBytes(p.file), v);
    const t = performance.now();
    try {
      const r = await pipe.analyse(bytes, 'check');
      const ms = performance.now() - t;
      const sims = galleryEmb.map((_, i) => { let s = 0; for (let k = 0; k < dim; k++) s += G[i * dim + k] * r.embedding[k]; return s; });
      const mate = galleryEmb.findIndex((g) => g.identity === p.identity);
      const genuine = sims[mate];
      const rank = 1 + sims.filter((s, i) => i !== mate && s > genuine).length;
      rows.push({ variant: v, file: p.file, lost: false, rank, genuine, best: Math.max(...sims), faceWidth: r.face.box.width, score: r.face.score, ms, timings: r.timings });
    } catch (e) {
      if (!isAppError(e)) throw e;
      rows.push({ variant: v, file: p.file, lost: true, rank: Infinity, genuine: -1, best: -1, faceWidth: 0, score: 0, ms: performance.now() - t, timings: {} });
    }
  }
  const xs = rows.filter((r) => r.variant === v);
  console.log(v, 'rank-1', (100 * xs.filter((r) => r.rank === 1).length / xs.length).toFixed(1), 'lost', xs.filter((r) => r.lost).length);
}
await pools.close();

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor(s.length / 2)] : NaN; };
const table = ONLY.map((v) => {
  const xs = rows.filter((r) => r.variant === v);
  const found = xs.filter((r) => !r.lost);
  const pct = (f: (r: Row) => boolean) => +(100 * xs.filter(f).length / (xs.length || 1)).toFixed(1);
  return {
    variant: v, probes: xs.length, rank1: pct((r) => r.rank === 1), rank5: pct((r) => r.rank <= 5), lost: xs.filter((r) => r.lost).length,
    medianFaceWidth: +median(found.map((r) => r.faceWidth)).toFixed(1), medianScore: +median(found.map((r) => r.score)).toFixed(3),
    medianGenuine: +median(found.map((r) => r.genuine)).toFixed(3), msPerImage: +(xs.reduce((s, r) => s + r.ms, 0) / (xs.length || 1)).toFixed(0),
  };
});
console.table(table);
if (!process.argv.includes('--no-write')) {
  writeReport({
    name: 'face-degraded',
    command: `npx tsx bench/face-degraded.ts ${process.argv.slice(2).join(' ')}`.trim(),
    dataset: `lfw_dev (${lfwDir}): gallery ${galleryEmb.length} originals, ${subset.length} probes per variant (identities 1 in ${VARIANT_EVERY} by hash)`,
    versions: { 'onnxruntime-node': packageVersion('onnxruntime-node'), sharp: packageVersion('sharp') },
    results: { table, rows: rows.map(({ timings, ...r }) => ({ ...r, rank: Number.isFinite(r.rank) ? r.rank : null })) },
    markdown: [
      'The service\'s face pipeline in process (default models and settings); exact cosine search over the gallery, as the service\'s exact search. ms per image on a machine shared with other jobs.', '',
      '| variant | probes | rank-1 % | rank-5 % | lost (no face) | median face width px | median detector score | median genuine cosine | ms/image |',
      '|---|---|---|---|---|---|---|---|---|',
      ...table.map((t) => `| ${t.variant} | ${t.probes} | ${t.rank1} | ${t.rank5} | ${t.lost} | ${t.medianFaceWidth} | ${t.medianScore} | ${t.medianGenuine} | ${t.msPerImage} |`),
    ].join('\n'),
  });
}
