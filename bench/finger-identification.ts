// Honest 1:N fingerprint identification on a gallery of distinct fingers: synthetic fingers (bench/lib/synth-finger,
// impression 0 enrolled) plus real FVC2004 fingers (one impression enrolled). Every mated probe has exactly one mate
// in the gallery; non-mated probes have none. FNIR at rank 1 and at the service's per-search thresholds for FPIR 1e-3
// and 1e-4, for the two-stage search (service defaults and a sweep of the rerank share) and the exhaustive search on
// the same probes; then 1, 2 and 4-finger probes through the service's fusion, positions known and unknown.
//   npm run bench:finger-identification                      (100k distinct fingers)
//   FINGER_ID_SIZE=20000 npm run bench:finger-identification
import { calibrateFingerScore, CALIBRATION_CAP, encodeFinger, FingerGallery, type FingerHit, type FingerSearchOptions } from '../src/finger/index.ts';
import { matcherAddon } from '../src/finger/native.ts';
import { MIN_MINUTIAE } from '../src/finger/modality.ts';
import type { FingerMinutiae } from '../src/finger/types.ts';
import { requiredScore } from '../src/fusion/decide.ts';
import { fuseSubject, type SubjectEvidence } from '../src/fusion/fuse.ts';
import { FVC_DBS, fvcRoot, loadFvcDb } from './lib/finger-fvc.ts';
import { openSetRates, type SearchOutcome } from './lib/identification-metrics.ts';
import { packageVersion, sharedData, writeReport } from './lib/report.ts';
import { FOUR_FINGERS, syntheticRecords, type GalleryRequest } from './lib/synth-finger/gallery-cache.ts';
import { fromIso } from './lib/synth-finger/index.ts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const N = env('FINGER_ID_SIZE', 100_000);
const SEED = 2026;
const SYNTH_MATED = env('FINGER_ID_SYNTH_MATED', 80), SYNTH_NON_MATED = env('FINGER_ID_SYNTH_NON_MATED', 40);  // fingers, multiples of 4
const REAL_PROBE_IMPRESSIONS = [2, 3, 4];
const SHARES = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05];
const DEPTH = 50;  // what the service asks each search for (src/fusion/check.ts MIN_SEARCH_DEPTH)
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

// --- The gallery: N distinct synthetic fingers (positions 2, 3, 7, 8 in turn: four-finger subjects), then the
// real fingers 1-5 of each FVC2004 DB (impression 1, position unknown). ---
const synthReq = (from: number, to: number, impression: number): GalleryRequest => ({ seed: SEED, from, to, impression, positions: 'four' });
const gallery = new FingerGallery();
const enrolled = new Set<number>();
{
  const records = await syntheticRecords(synthReq(0, N, 0), log);
  const items: { id: number; template: Uint8Array }[] = [];
  const flush = async () => { await gallery.addMany(items.splice(0)); };
  for (const [id, rec] of records.entries()) {
    const f = fromIso(rec);
    if (f.minutiae.length < MIN_MINUTIAE) continue;  // the service refuses such an enrolment
    items.push({ id, template: encodeFinger(f) });
    enrolled.add(id);
    if (items.length === 20_000) await flush();
  }
  await flush();
}
const real = FVC_DBS.flatMap((db) => loadFvcDb(sharedData, db));
const realId = new Map<string, number>();
const realEnrolled = real.filter((f) => f.finger % 100 <= 5 && f.impression === 1);
await gallery.addMany(realEnrolled.map((f, i) => {
  realId.set(`${f.db}/${f.finger}`, N + i);
  enrolled.add(N + i);
  return { id: N + i, template: encodeFinger(f.minutiae) };
}));
log(`gallery: ${gallery.size} fingers (${gallery.size - realEnrolled.length} synthetic, ${realEnrolled.length} real), ${(gallery.memoryBytes / 2 ** 20).toFixed(0)} MiB native`);

// --- Probes ---
interface Probe { label: string; kind: string; finger: FingerMinutiae; mate?: number }
const synthMated = (await syntheticRecords(synthReq(0, SYNTH_MATED, 1), log)).map(fromIso);
const synthNon = (await syntheticRecords(synthReq(N, N + SYNTH_NON_MATED, 1), log)).map(fromIso);
const probes: Probe[] = [
  ...real.filter((f) => f.finger % 100 <= 5 && REAL_PROBE_IMPRESSIONS.includes(f.impression))
    .map((f) => ({ label: `${f.db}/${f.file}`, kind: 'real mated', finger: f.minutiae, mate: realId.get(`${f.db}/${f.finger}`) })),
  ...real.filter((f) => f.finger % 100 > 5 && f.impression === 1).map((f) => ({ label: `${f.db}/${f.file}`, kind: 'real non-mated', finger: f.minutiae })),
  ...synthMated.map((f, i) => ({ label: `synthetic ${i}`, kind: 'synthetic mated', finger: f, mate: i }))
    .filter((p) => enrolled.has(p.mate) && p.finger.minutiae.length >= MIN_MINUTIAE),
  ...synthNon.map((f, i) => ({ label: `synthetic ${N + i}`, kind: 'synthetic non-mated', finger: f })).filter((p) => p.finger.minutiae.length >= MIN_MINUTIAE),
];
const unknownPosition = (f: FingerMinutiae) => encodeFinger({ ...f, position: 0 });
const probeTemplates = probes.map((p) => unknownPosition(p.finger));
log(`probes: ${probes.length} (${['real mated', 'real non-mated', 'synthetic mated', 'synthetic non-mated'].map((k) => `${probes.filter((p) => p.kind === k).length} ${k}`).join(', ')})`);

// --- Single-finger searches ---
const t3 = requiredScore(1e-3, gallery.size), t4 = requiredScore(1e-4, gallery.size);
const toOutcome = (hits: FingerHit[], mate?: number): SearchOutcome => ({
  candidates: hits.map((h) => ({ key: String(h.id), score: calibrateFingerScore(h.score) })), mate: mate === undefined ? undefined : String(mate),
});
interface ModeResult { mode: string; share: number; outcomes: SearchOutcome[]; kept: boolean[]; compared: number; cpuS: number; wallS: number; firstStageMs: number }
async function runMode(mode: string, options: FingerSearchOptions, share: number, only?: number[]): Promise<ModeResult> {
  const outcomes: SearchOutcome[] = [];
  const kept: boolean[] = [];
  let compared = 0, firstStageMs = 0;
  // Asking for every candidate back shows whether the first stage kept the mate; the outcome keeps the first DEPTH.
  const k = options.exhaustive ? DEPTH : Math.min(10_000, Math.max(DEPTH, options.rerankMin ?? 500, Math.ceil((options.rerankFraction ?? 0.01) * gallery.size)));
  const c0 = process.cpuUsage(), w0 = performance.now();
  for (const i of only ?? probes.keys()) {
    const st = await gallery.searchWithStats(probeTemplates[i], { ...options, k });
    compared += st.compared; firstStageMs += st.firstStageMs;
    kept.push(st.hits.some((h) => h.id === probes[i].mate));
    outcomes.push(toOutcome(st.hits.slice(0, DEPTH), probes[i].mate));
  }
  const c = process.cpuUsage(c0), n = outcomes.length;
  log(`${mode}: ${n} searches`);
  return { mode, share, outcomes, kept, compared: compared / n, cpuS: (c.user + c.system) / 1e6 / n, wallS: (performance.now() - w0) / 1000 / n, firstStageMs: firstStageMs / n };
}
const EXHAUSTIVE_PROBES = env('FINGER_ID_EXHAUSTIVE_PROBES', probes.length);
// Probes for the exhaustive reference (the costly part): every one by default, else an even spread over the kinds.
const exhaustiveSet = [...probes.keys()].filter((i) => i % Math.max(1, Math.round(probes.length / EXHAUSTIVE_PROBES)) === 0);
const modes: ModeResult[] = [];
modes.push(await runMode('two-stage, service defaults (rerank 2 %, at least 500)', {}, 0.01));
// The rerank-share curve, for the first stage the service uses (rare-key scores) and the original vote count.
for (const firstStage of ['rare-keys', 'votes'] as const) {
  for (const share of SHARES) modes.push(await runMode(`two-stage (${firstStage}), rerank ${share * 100} %`, { rerankFraction: share, rerankMin: 0, firstStage }, share));
}
const exhaustive = await runMode('exhaustive', { exhaustive: true }, 1, exhaustiveSet);
const sameProbes = (m: ModeResult): SearchOutcome[] => (m === exhaustive ? m.outcomes : exhaustiveSet.map((i) => m.outcomes[i]));

const pct = (v: number) => (Number.isNaN(v) ? 'n/a' : (v * 100).toFixed(1));
const rows: string[] = [];
const byKind = (m: ModeResult, kinds: string[]) => (m === exhaustive ? exhaustiveSet : [...probes.keys()]).map((i, j) => ({ i, o: m.outcomes[j], kept: m.kept[j] })).filter(({ i }) => kinds.some((k) => probes[i].kind.startsWith(k)));
const results: Record<string, unknown>[] = [];
for (const m of [...modes, exhaustive]) {
  for (const [label, kinds] of [['all', ['real', 'synthetic']], ['real', ['real']], ['synthetic', ['synthetic']]] as const) {
    const sel = byKind(m, [...kinds]), os = sel.map((x) => x.o);
    const matedSel = sel.filter((x) => x.o.mate !== undefined), keptShare = matedSel.filter((x) => x.kept).length / matedSel.length;
    const r3 = openSetRates(os, t3), r4 = openSetRates(os, t4);
    const ex = label === 'all' && m !== exhaustive ? openSetRates(sameProbes(m), t3) : undefined;
    results.push({ mode: m.mode, share: m.share, probes: label, ...r3, mateKeptByFirstStage: keptShare, fnirAtFpir1e4: r4.fnirAtThreshold, fpirMeasured1e4: r4.fpirMeasured, comparedPerSearch: m.compared, cpuSPerSearch: m.cpuS, wallSPerSearch: m.wallS, firstStageMs: m.firstStageMs, onExhaustiveProbes: ex });
    rows.push(`| ${m.mode} | ${label} | ${r3.mated} / ${r3.nonMated} | ${m === exhaustive ? '' : pct(keptShare)} | ${pct(r3.fnirRank1)}${ex ? ` (${pct(ex.fnirRank1)})` : ''} | ${pct(r3.fnirAtThreshold)}${ex ? ` (${pct(ex.fnirAtThreshold)})` : ''} | ${pct(r4.fnirAtThreshold)} | ${pct(r3.fpirMeasured)} / ${pct(r4.fpirMeasured)} | ${pct(m.compared / gallery.size)} | ${label === 'all' ? Math.round(gallery.size / m.cpuS) : ''} |`);
  }
}

// --- Multi-finger probes through the service's fusion (synthetic four-finger subjects) ---
const subjects = Math.ceil(N / 4) + realEnrolled.length;
const subjectOf = (id: number) => (id < N ? `s${Math.floor(id / 4)}` : `r${id}`);
const multiRows: string[] = [];
const multiResults: Record<string, unknown>[] = [];
const groups = (fingers: FingerMinutiae[], base: number, mated: boolean) => Array.from({ length: Math.floor(fingers.length / 4) }, (_, s) => ({
  fingers: fingers.slice(4 * s, 4 * s + 4), mate: mated ? `s${Math.floor((base + 4 * s) / 4)}` : undefined,
}));
const subjectsProbed = [...groups(synthMated, 0, true), ...groups(synthNon, N, false)];
for (const count of [1, 2, 4]) {
  for (const known of [true, false]) {
    const outcomes: SearchOutcome[] = [];
    for (const subj of subjectsProbed) {
      const evidence = new Map<string, SubjectEvidence>();
      for (const [probe, f] of subj.fingers.slice(0, count).entries()) {
        if (f.minutiae.length < MIN_MINUTIAE) continue;
        const position = known ? FOUR_FINGERS[probe] : 0;
        const hits = await gallery.search(encodeFinger({ ...f, position }), { k: DEPTH, ...(known ? { positions: [position] } : {}) });
        for (const h of hits) {
          const key = subjectOf(h.id), score = calibrateFingerScore(h.score);
          const e = evidence.get(key) ?? { subjectId: key, fingers: [] };
          const cur = e.fingers.find((x) => x.probe === probe);
          if (!cur) e.fingers.push({ probe, score, raw: h.score, sampleId: h.id });
          else if (score > cur.score) Object.assign(cur, { score, raw: h.score, sampleId: h.id });
          evidence.set(key, e);
        }
      }
      const fused = [...evidence.values()].map(fuseSubject).sort((a, b) => b.score - a.score);
      outcomes.push({ candidates: fused.map((c) => ({ key: c.subjectId, score: c.score })), mate: subj.mate });
    }
    const m3 = openSetRates(outcomes, requiredScore(1e-3, subjects)), m4 = openSetRates(outcomes, requiredScore(1e-4, subjects));
    multiResults.push({ fingers: count, positionsKnown: known, ...m3, fnirAtFpir1e4: m4.fnirAtThreshold, fpirMeasured1e4: m4.fpirMeasured });
    multiRows.push(`| ${count} | ${known ? 'known' : 'unknown'} | ${m3.mated} / ${m3.nonMated} | ${pct(m3.fnirRank1)} | ${pct(m3.fnirAtThreshold)} | ${pct(m4.fnirAtThreshold)} | ${pct(m3.fpirMeasured)} / ${pct(m4.fpirMeasured)} |`);
    log(`multi-finger ${count} ${known ? 'known' : 'unknown'} done`);
  }
}

const md = [
  `Gallery: ${gallery.size} distinct fingers: ${gallery.size - realEnrolled.length} synthetic (seed ${SEED}, impression 0; fingers with fewer than ${MIN_MINUTIAE} minutiae are not enrolled, as the service refuses them) and ${realEnrolled.length} real (FVC2004 DB1-4 fingers 1-5, impression 1). Probes: real mated = impressions ${REAL_PROBE_IMPRESSIONS.join(', ')} of those real fingers; real non-mated = impression 1 of fingers 6-10 (not enrolled); synthetic mated = impression 1 of synthetic fingers 0..${SYNTH_MATED - 1}; synthetic non-mated = impression 1 of ${SYNTH_NON_MATED} synthetic fingers never enrolled. Each mated probe has exactly one mate in the gallery. Probes searched with position unknown, ${DEPTH} candidates (the service's search depth).`, '',
  `Thresholds are the service's (src/fusion/decide.ts): a candidate needs -log10(FPIR) + log10(gallery size) on the calibrated scale, here ${t3.toFixed(2)} for FPIR 1e-3 and ${t4.toFixed(2)} for 1e-4 (each finger counted as one subject). The finger calibration is capped at ${CALIBRATION_CAP} (src/finger/calibration.ts), so above ${10 ** (CALIBRATION_CAP - 3)} enrolled fingers a single finger reaches the FPIR 1e-3 threshold only at the cap, and above ${10 ** (CALIBRATION_CAP - 4)} it never reaches the FPIR 1e-4 one.`, '',
  `FNIR in brackets: the same mode on only the ${exhaustiveSet.length} probes the exhaustive search ran on. Measured FPIR: share of the non-mated probes at hand with any candidate over the threshold (too few probes to measure 1e-3; a sanity check of the calibration).`, '',
  '| search | probes | mated / non-mated | mate kept by the first stage % | FNIR rank 1 % | FNIR @ FPIR 1e-3 % | FNIR @ FPIR 1e-4 % | measured FPIR % at the 1e-3 / 1e-4 thresholds | penetration (share fully compared) % | effective comparisons per CPU-second |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows, '',
  `Multi-finger probes: ${subjectsProbed.filter((s) => s.mate).length} mated and ${subjectsProbed.filter((s) => !s.mate).length} non-mated synthetic four-finger subjects (fingers 4s..4s+3 at positions ${FOUR_FINGERS.join(', ')}); the first 1, 2 or all 4 of their fingers searched (two-stage, service defaults), per-subject evidence gathered as src/fusion/check.ts does (best score per probe finger) and fused by src/fusion/fuse.ts (fuseSubject). Known positions: each probe finger carries its position and searches only entries at that position; unknown: it searches every entry. Threshold: the service's, for ${subjects} subjects (${requiredScore(1e-3, subjects).toFixed(2)} at FPIR 1e-3, ${requiredScore(1e-4, subjects).toFixed(2)} at 1e-4).`, '',
  '| probe fingers | positions | mated / non-mated subjects | FNIR rank 1 % | FNIR @ FPIR 1e-3 % | FNIR @ FPIR 1e-4 % | measured FPIR % at 1e-3 / 1e-4 |',
  '|---|---|---|---|---|---|---|',
  ...multiRows, '',
  'Effective comparisons per CPU-second: gallery size x searches / CPU seconds of the process (process.cpuUsage over all native threads), so it does not depend on how much of the shared machine other work took.',
];
writeReport({
  name: process.env.FINGER_ID_NAME ?? 'finger-identification',
  command: `FINGER_ID_SIZE=${N} npm run bench:finger-identification`,
  dataset: `${fvcRoot(sharedData)} (FVC2004 B templates) and synthetic fingers from bench/lib/synth-finger, seed ${SEED}`,
  versions: { matcher: matcherAddon().version, comparison: matcherAddon().comparisonSimd, 'node-addon-api': packageVersion('node-addon-api') },
  results: { gallery: gallery.size, thresholds: { fpir1e3: t3, fpir1e4: t4 }, single: results, multi: multiResults },
  markdown: md.join('\n'),
});
