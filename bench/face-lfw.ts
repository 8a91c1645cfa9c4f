// lfw_dev through the HTTP API with default settings (the service as `npm start` runs it, its own embedded
// PostgreSQL): enrol the first image of each mated identity + the 600 distractors, check with every other
// image (rank-1, refused calls, decisions), the same for poor-capture variants of the probes of a stated
// subset of identities, and 1:1 verifications over stated samples of pairs.csv, originals and per variant
// (AUC, EER, FNMR at FMR 1 % / 0.1 %, and how often impostor pairs score >= 2 / >= 3 on the calibrated scale).
// In the same run, the references (face-api's and human's own pipelines, bench/lib/face-references.ts), each in a
// child process of this script (--reference-worker) beside the service: they make the same images the same way, and
// a digest of every image's bytes shows that each pipeline got exactly the same gallery, probes and pairs.
//   npx tsx bench/face-lfw.ts [--variant-every 3] [--pairs 300,1500] [--variant-pairs 50,200] [--references face-api,human]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { faceApiPipeline, humanPipeline, type ReferencePipeline } from './lib/face-references.ts';
import { lfwBytes, lfwDir, lfwImages, lfwPairs, lfwPresent, lfwProtocol, makeVariant, VARIANTS, type LfwImage, type LfwPair, type Variant } from './lib/lfw.ts';
import { packageVersion, writeReport } from './lib/report.ts';
import { ADMIN_KEY, api, benchDatabase, createKey, installedVersion, runConcurrent, startServiceChild } from './lib/service-bench.ts';
import { verificationFigures } from './lib/verification-metrics.ts';

if (!lfwPresent()) {
  console.log(`lfw_dev not found at ${lfwDir}: nothing to evaluate (set BIOCHECK_SHARED_DATA).`);
  process.exit(0);
}
const arg = (name: string, def: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : def; };
const VARIANT_EVERY = Number(arg('--variant-every', '3'));
/** --smoke: a few images only, to try the script (writes nothing). */
const SMOKE = process.argv.includes('--smoke');
const [GENUINE_PAIRS, IMPOSTOR_PAIRS] = (SMOKE ? '5,10' : arg('--pairs', '300,1500')).split(',').map(Number);
const [VARIANT_GENUINE, VARIANT_IMPOSTOR] = (SMOKE ? '3,6' : arg('--variant-pairs', '50,200')).split(',').map(Number);
const REFERENCES: Record<string, () => Promise<ReferencePipeline>> = { 'face-api': faceApiPipeline, human: humanPipeline };
const referenceNames = arg('--references', Object.keys(REFERENCES).join(',')).split(',').filter((r) => r in REFERENCES);
const CONCURRENCY = 2;
const hash = (s: string) => createHash('sha256').update(`biocheck-calibration|${s}`).digest();
/** The same subset bench/face-calibration.ts makes variants of. */
const inVariantSubset = (identity: string) => hash(identity).readUInt16BE(1) % VARIANT_EVERY === 0;
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

const images = SMOKE ? lfwImages().slice(0, 40) : lfwImages();
const { gallery, probes } = lfwProtocol(images);
const variantProbes = probes.filter((p) => inVariantSubset(p.identity));
const probeSet = (v: Variant) => (v === 'original' ? probes : variantProbes);

// Pair samples, the first by hash: originals from all of pairs.csv; per variant, pairs whose file_b is one of the
// variant probes (file_a stays the original), the same pairs for every variant.
const inSet = new Set(images.map((im) => im.file));
const allPairs = lfwPairs().filter((p) => inSet.has(p.a) && inSet.has(p.b));
const pairKey = (p: LfwPair) => hash(`${p.a}|${p.b}`).toString('hex');
const pick = (pool: LfwPair[], same: boolean, n: number) => pool.filter((p) => p.same === same).map((p) => ({ p, k: pairKey(p) }))
  .sort((x, y) => (x.k < y.k ? -1 : 1)).slice(0, n).map((x) => x.p);
const variantProbeFiles = new Set(variantProbes.map((p) => p.file));
const variantPool = allPairs.filter((p) => variantProbeFiles.has(p.b));
const originalPairs = [...pick(allPairs, true, GENUINE_PAIRS), ...pick(allPairs, false, IMPOSTOR_PAIRS)];
const variantPairs = [...pick(variantPool, true, VARIANT_GENUINE), ...pick(variantPool, false, VARIANT_IMPOSTOR)];
const pairsFor = (v: Variant) => (v === 'original' ? originalPairs : variantPairs);

/** Every image as sent, made once: the service and the references get exactly the same bytes. */
const bytesMemo = new Map<string, Promise<Uint8Array>>();
const imageBytes = (file: string, v: Variant) => {
  const k = `${v}|${file}`;
  if (!bytesMemo.has(k)) bytesMemo.set(k, makeVariant(lfwBytes(file), v));
  return bytesMemo.get(k)!;
};

/** sha256 over every image a pipeline was given (key and bytes, in key order). */
async function bytesDigest(keys: Iterable<string>): Promise<string> {
  const h = createHash('sha256');
  for (const k of [...keys].sort()) { const [v, file] = k.split('|') as [Variant, string]; h.update(k).update(await imageBytes(file, v)); }
  return h.digest('hex').slice(0, 16);
}

type Verification = ReturnType<typeof verificationFigures> & { variant: Variant; genuine: number; impostor: number; refused: number };
const verification = (v: Variant, g: number[], im: number[], refused: number): Verification => ({ variant: v, genuine: g.length, impostor: im.length, refused, ...verificationFigures(g, im) });
interface IdentificationRow { variant: Variant; probes: number; rank1: number; refused: number; refusedCodes: Record<string, number>; seconds: number }
interface PipelineResult { name: string; describe: string; enrolled: number; identification: IdentificationRow[]; verification: Verification[]; seconds: number; imagesDigest: string; images: number }

/** A reference pipeline on the same bytes: its descriptors of the gallery, nearest gallery entry per probe, pair scores. */
async function referenceRun(ref: ReferencePipeline): Promise<PipelineResult> {
  const t0 = performance.now();
  const memo = new Map<string, Float32Array | null>();
  const embed = async (file: string, v: Variant) => {
    const k = `${v}|${file}`;
    if (!memo.has(k)) memo.set(k, await ref.embed(await imageBytes(file, v)));
    return memo.get(k)!;
  };
  const enrolled: { identity: string; e: Float32Array }[] = [];
  for (const im of gallery) { const e = await embed(im.file, 'original'); if (e) enrolled.push({ identity: im.identity, e }); }
  const identification: IdentificationRow[] = [];
  for (const v of VARIANTS) {
    const set = probeSet(v);
    const row: IdentificationRow = { variant: v, probes: set.length, rank1: 0, refused: 0, refusedCodes: {}, seconds: 0 };
    const t = performance.now();
    for (const p of set) {
      const e = await embed(p.file, v);
      if (!e) { row.refused++; row.refusedCodes['no face'] = row.refused; continue; }
      let best = { identity: '', s: -Infinity };
      for (const g of enrolled) { const s = ref.similarity(e, g.e); if (s > best.s) best = { identity: g.identity, s }; }
      if (best.identity === p.identity) row.rank1++;
    }
    row.seconds = (performance.now() - t) / 1000;
    identification.push(row);
    console.log(JSON.stringify({ reference: ref.name, ...row }));
  }
  const verifications: Verification[] = [];
  for (const v of VARIANTS) {
    const g: number[] = []; const im: number[] = [];
    let refused = 0;
    for (const p of pairsFor(v)) {
      const a = await embed(p.a, 'original'); const b = await embed(p.b, v);
      if (!a || !b) refused++;
      (p.same ? g : im).push(a && b ? ref.similarity(a, b) : -Infinity);
    }
    verifications.push(verification(v, g, im, refused));
  }
  return {
    name: ref.name, describe: ref.describe, enrolled: enrolled.length, identification, verification: verifications, seconds: (performance.now() - t0) / 1000,
    imagesDigest: await bytesDigest(memo.keys()), images: memo.size,
  };
}


/** A reference in a child process of this script, so it runs beside the service rather than after it. */
function referenceChild(name: string): Promise<PipelineResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'face-lfw-ref-'));
  const out = path.join(dir, 'result.json');
  const args = [...process.argv.slice(2), '--reference-worker', name, '--out', out];
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve, reject) => child.on('exit', (code) => {
    try {
      if (code !== 0) throw new Error(`reference ${name}: exit code ${code}`);
      resolve(JSON.parse(readFileSync(out, 'utf8')));
    } catch (e) { reject(e); } finally { rmSync(dir, { recursive: true, force: true }); }
  }));
}

const workerName = arg('--reference-worker', '');
if (workerName) {
  writeFileSync(arg('--out', ''), JSON.stringify(await referenceRun(await REFERENCES[workerName]())));
  process.exit(0);
}
const referenceRuns = Promise.all(referenceNames.map(referenceChild));

const db = await benchDatabase('face-lfw');
const dataDir = path.join(db.dir, 'data');
const svc = await startServiceChild({ databaseUrl: db.url, dataDir });
let service!: PipelineResult & { enrolRefused: Record<string, number>; enrolWarned: Record<string, number>; enrolSeconds: number; decisions: Record<string, { hit: number; review: number; warned: number }>; claim: { impostorAt2: number; impostorAt3: number; genuineMatch: number } };
try {
  const enroller = await createKey(svc.base, 'enroller', 'XX');
  const kiosk = await createKey(svc.base, 'kiosk', 'XX');
  // Rank-1 needs the top candidate whatever its level: an examiner's investigative check lists it (a kiosk's
  // standard check lists hit and review candidates only).
  const examiner = await createKey(svc.base, 'examiner', 'XX');
  const w = await api(svc.base, 'POST', '/v1/watchlists', { key: ADMIN_KEY, json: { id: 'lfw', name: 'lfw_dev gallery', agency: 'XX', disclosure: 'full' } });
  if (w.status !== 201) throw new Error(`watchlist: ${w.status} ${JSON.stringify(w.body)}`);
  const tService = performance.now();

  // Enrolment of the gallery, raw JPEG bodies as a watchlist owner would send them.
  const subjectOf = new Map<string, string>();
  const enrolRefused: Record<string, number> = {};
  const enrolWarned: Record<string, number> = {};
  const t0 = performance.now();
  await runConcurrent(gallery.length, CONCURRENCY, async (i) => {
    const im = gallery[i];
    const s = await api(svc.base, 'POST', '/v1/subjects', { key: enroller, json: { watchlist: 'lfw', reference: im.identity, name: im.identity } });
    const e = await api(svc.base, 'POST', `/v1/subjects/${s.body.id}/faces`, { key: enroller, raw: await imageBytes(im.file, 'original'), contentType: 'image/jpeg' });
    if (e.status === 201) {
      subjectOf.set(im.identity, s.body.id);
      for (const r of e.body.quality.reasons as string[]) enrolWarned[r] = (enrolWarned[r] ?? 0) + 1;
    } else enrolRefused[e.body?.error?.code ?? String(e.status)] = (enrolRefused[e.body?.error?.code ?? String(e.status)] ?? 0) + 1;
  });
  const enrolSeconds = (performance.now() - t0) / 1000;

  // Checks: every probe as taken, and the variants of the subset's probes.
  const identification: IdentificationRow[] = [];
  const decisions: Record<string, { hit: number; review: number; warned: number }> = {};
  for (const v of VARIANTS) {
    const set = probeSet(v);
    const row: IdentificationRow = { variant: v, probes: set.length, rank1: 0, refused: 0, refusedCodes: {}, seconds: 0 };
    const d = decisions[v] = { hit: 0, review: 0, warned: 0 };
    const t = performance.now();
    await runConcurrent(set.length, CONCURRENCY, async (i) => {
      const p = set[i];
      const r = await api(svc.base, 'POST', '/v1/checks', { key: examiner, json: { face: b64(await imageBytes(p.file, v)), limit: 5, mode: 'investigative' } });
      if (r.status !== 200) { row.refused++; const c = r.body?.error?.code ?? String(r.status); row.refusedCodes[c] = (row.refusedCodes[c] ?? 0) + 1; return; }
      if (r.body.candidates[0]?.subjectId && r.body.candidates[0].subjectId === subjectOf.get(p.identity)) row.rank1++;
      if (r.body.decision === 'hit') d.hit++;
      if (r.body.decision === 'review') d.review++;
      if (r.body.quality?.reasons?.length) d.warned++;
    });
    row.seconds = (performance.now() - t) / 1000;
    identification.push(row);
    console.log(JSON.stringify(row));
  }

  // 1:1 verifications: file_a original, file_b as the variant. A refused call is a non-match.
  const verifications: Verification[] = [];
  let claim = { impostorAt2: 0, impostorAt3: 0, genuineMatch: 0 };
  for (const v of VARIANTS) {
    const sample = pairsFor(v);
    const g: number[] = []; const im: number[] = []; const gScore: number[] = []; const imScore: number[] = [];
    let refused = 0;
    await runConcurrent(sample.length, CONCURRENCY, async (i) => {
      const p = sample[i];
      const r = await api(svc.base, 'POST', '/v1/verifications', { key: kiosk, json: { face: b64(await imageBytes(p.a, 'original')), against: { face: b64(await imageBytes(p.b, v)) } } });
      const ok = r.status === 200;
      if (!ok) refused++;
      (p.same ? g : im).push(ok ? r.body.raw : -1);
      (p.same ? gScore : imScore).push(ok ? r.body.score : 0);
    });
    verifications.push(verification(v, g, im, refused));
    if (v === 'original') {
      claim = {
        impostorAt2: imScore.filter((s) => s >= 2).length / im.length, impostorAt3: imScore.filter((s) => s >= 3).length / im.length,
        genuineMatch: gScore.filter((s) => s >= 3).length / g.length,
      };
    }
    console.log(JSON.stringify(verifications.at(-1)));
  }
  service = {
    name: 'biocheck', describe: 'the service over HTTP, default settings', enrolled: subjectOf.size, identification, verification: verifications,
    seconds: (performance.now() - tService) / 1000, imagesDigest: await bytesDigest(bytesMemo.keys()), images: bytesMemo.size, enrolRefused, enrolWarned, enrolSeconds, decisions, claim,
  };
} finally {
  await svc.stop();
  await db.dispose();
}

const references = await referenceRuns;
const pipelines: PipelineResult[] = [service, ...references];

/** Figures from a child come through JSON (NaN as null): shown as '-'. */
const fixed = (x: number | null, d: number) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(d));
const pct = (x: number | null, d = 1) => (x === null ? '-' : fixed(100 * x, d));
const codes = (c: Record<string, number>) => Object.entries(c).map(([k, n]) => `${k} ${n}`).join(', ');
const enrolRefusedN = Object.values(service.enrolRefused).reduce((a, b) => a + b, 0);
const subsetIds = new Set(variantProbes.map((p) => p.identity));
const byVariant = (r: PipelineResult, v: Variant) => ({ id: r.identification.find((x) => x.variant === v)!, ver: r.verification.find((x) => x.variant === v)! });
const md = [
  `The service as \`npm start\` runs it, default settings (quality policy "inform"), its own embedded PostgreSQL, over HTTP (${CONCURRENCY} requests in flight). Gallery: the first image of each of the ${new Set(gallery.filter((g) => g.role === 'mated').map((g) => g.identity)).size} mated identities + the ${gallery.filter((g) => g.role === 'distractor').length} distractors (${gallery.length}), enrolled as raw JPEG bodies. Probes: the other ${probes.length} mated images via POST /v1/checks (JSON base64, limit 5, an examiner's investigative mode so the top candidate is listed whatever its level); rank-1 = the first candidate is the probe's subject; a refused call counts as a miss. Poor-capture variants (bench/lib/lfw.ts: 25 % downscale to 38 px, JPEG q20, Gaussian blur sigma 2, 20° rotation, 35 % brightness, all combined) of the ${variantProbes.length} probes of ${subsetIds.size} identities (1 in ${VARIANT_EVERY} by hash, the subset bench/face-calibration.ts uses; the machine is shared by several jobs, so not every probe per variant). Gallery images are the originals.`,
  '',
  `References, in the same run (each in a child process beside the service), on exactly the same image bytes (gallery, probes, variants, pairs), one image at a time: ${references.map((r) => `**${r.name}**: ${r.describe}`).join('; ') || 'none'}. For a reference, rank-1 is its nearest enrolled descriptor by its own distance; "no face" is an image in which it finds none (a miss; a gallery image without a face is not enrolled).`,
  '',
  `Enrolment (service): ${gallery.length - enrolRefusedN} of ${gallery.length} enrolled, ${enrolRefusedN} refused (${codes(service.enrolRefused) || 'none'}) in ${service.enrolSeconds.toFixed(0)} s; quality warnings on the enrolled: ${Object.entries(service.enrolWarned).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}. References: ${references.map((r) => `${r.name} ${r.enrolled} of ${gallery.length} (no face in ${gallery.length - r.enrolled})`).join(', ') || 'none'}.`,
  '',
  '## Identification (1:N): rank-1 % and refused calls / no face',
  '',
  `| probe set | probes | ${pipelines.map((p) => `${p.name} rank-1 % | ${p.name} refused`).join(' | ')} |`,
  `|---|---|${pipelines.map(() => '---|---').join('|')}|`,
  ...VARIANTS.map((v) => `| ${v} | ${probeSet(v).length} | ${pipelines.map((p) => { const r = byVariant(p, v).id; return `${pct(r.rank1 / r.probes)} | ${r.refused}${r.refused ? ` (${codes(r.refusedCodes)})` : ''}`; }).join(' | ')} |`),
  '',
  'The service\'s decisions per probe set (investigative checks), probes with quality warnings, and seconds:',
  '',
  '| probe set | hit / review | probes with quality warnings | s |',
  '|---|---|---|---|',
  ...VARIANTS.map((v) => { const d = service.decisions[v]; return `| ${v} | ${d.hit} / ${d.review} | ${d.warned} | ${byVariant(service, v).id.seconds.toFixed(0)} |`; }),
  '',
  '## Verification (1:1)',
  '',
  `Service: POST /v1/verifications, file_a original, file_b as the variant; references: the same pairs scored by their own distance. Originals: the first ${GENUINE_PAIRS} genuine and ${IMPOSTOR_PAIRS} impostor pairs of pairs.csv by hash (of 1,236 and 6,180). Variants: the first ${VARIANT_GENUINE} genuine and ${VARIANT_IMPOSTOR} impostor pairs by hash whose file_b is a variant probe (${variantPairs.filter((p) => p.same).length} and ${variantPairs.filter((p) => !p.same).length} available here), the same pairs for every variant: with ${VARIANT_IMPOSTOR} impostors FNMR at FMR 0.1 % is the FNMR above the highest impostor. A refused call or an image without a face is a non-match.`,
  '',
  '| set | pipeline | genuine | impostor | refused / no face | AUC | EER % | FNMR@FMR1% % | FNMR@FMR0.1% % |',
  '|---|---|---|---|---|---|---|---|---|',
  ...VARIANTS.flatMap((v) => pipelines.map((p) => { const r = byVariant(p, v).ver; return `| ${v} | ${p.name} | ${r.genuine} | ${r.impostor} | ${r.refused} | ${fixed(r.auc, 4)} | ${pct(r.eer, 2)} | ${pct(r.fnmrAt1, 2)} | ${pct(r.fnmrAt01, 2)} |`; })),
  '',
  `Calibrated scores of the service on the original pairs: impostors >= 2 ${pct(service.claim.impostorAt2, 2)} % (claim 1 %), >= 3 ${pct(service.claim.impostorAt3, 2)} % (claim 0.1 %); genuine pairs at >= 3: ${pct(service.claim.genuineMatch)} %. The calibration check on held-out identities over all pairs (in process): bench/results/face-calibration.md.`,
  '',
  `Images given to each pipeline (count, sha256 of keys and bytes): ${pipelines.map((p) => `${p.name} ${p.images} (${p.imagesDigest})`).join(', ')}${new Set(pipelines.map((p) => p.imagesDigest)).size === 1 ? ': the same' : ': DIFFERENT'}.`,
  '',
  `Wall time (references in child processes beside the service): service ${service.seconds.toFixed(0)} s; ${references.map((r) => `${r.name} ${r.seconds.toFixed(0)} s`).join(', ')}.`,
];
if (SMOKE) console.log(md.join('\n'));
else {
  writeReport({
    name: 'face-lfw', command: `npx tsx bench/face-lfw.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    dataset: `lfw_dev (${lfwDir})`,
    versions: {
      'onnxruntime-node': packageVersion('onnxruntime-node'), sharp: installedVersion('sharp'), fastify: packageVersion('fastify'),
      '@vladmandic/face-api': packageVersion('@vladmandic/face-api'), '@vladmandic/human': packageVersion('@vladmandic/human'), '@tensorflow/tfjs': packageVersion('@tensorflow/tfjs'),
    },
    results: { pipelines, variantEvery: VARIANT_EVERY, pairs: { original: [GENUINE_PAIRS, IMPOSTOR_PAIRS], variant: [VARIANT_GENUINE, VARIANT_IMPOSTOR] } },
    markdown: md.join('\n'),
  });
}
