// ORT profiling of the face models a check runs (detector, landmarks, embedder): per model, the optimised graph's
// node count by op type, where the time goes per op type (ORT's own profiler, kernel time), the share spent in layout
// reorders (ReorderInput/ReorderOutput around NCHWc convolutions, Transpose), and the plain latency at 1 thread with the
// service's session options, set against the model's arithmetic (multiply-adds of its Conv/Gemm/MatMul nodes, from
// the shapes the profiler records) and against the same model with ORT's NCHWc layout transformer off ('extended').
//
//   npx tsx bench/face-model-profile.ts [--runs=30] [--models=human-blazeface,faceapi-landmark68,faceapi-dlib-resnet] [--name=face-model-profile]
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { packageVersion, repoRoot, writeReport } from './lib/report.ts';
import { median, round } from './lib/service-bench.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k, v ?? 'true']; }));
const RUNS = Number(args.runs ?? 30);
const MODELS = (args.models ?? 'human-blazeface,faceapi-landmark68,faceapi-dlib-resnet').split(',');
const NAME = args.name ?? 'face-model-profile';
const REORDER = /Reorder|Transpose/;
const WARMUP = 3;
/** Optimisation levels compared for plain latency: 'all' is the service's (NCHWc blocked convolutions), 'extended' stops short of the layout transformer. */
const LEVELS = ['all', 'extended'] as const;
const log = (m: string) => console.log(`[face-model-profile] ${m}`);

interface ManifestModel { id: string; role: string; file: string; input: { name: string; shape: number[] } }
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'models/manifest.json'), 'utf8')) as { models: ManifestModel[] };

/** The service's session options (src/runtime/worker.ts), one thread. */
const options = (extra: ort.InferenceSession.SessionOptions = {}): ort.InferenceSession.SessionOptions => ({
  executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } }, ...extra,
});

interface ProfileEvent {
  cat: string; name: string; ts: number; dur: number;
  args?: { op_name?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
const shapeOf = (x: Record<string, number[]> | undefined) => (x ? Object.values(x)[0] : []);

/** Multiply-adds of one node: each weight element once per output position (Conv, NCHWc Conv included), or per row (Gemm, MatMul). */
function macs(e: ProfileEvent): number {
  const op = e.args?.op_name;
  const w = shapeOf(e.args?.input_type_shape?.[1]);
  const out = shapeOf(e.args?.output_type_shape?.[0]);
  if (op === 'Conv' || op === 'FusedConv') return prod(w) * out[0] * prod(out.slice(2, 4));
  if (op === 'Gemm' || op === 'MatMul' || op === 'FusedMatMul') return prod(w) * prod(out.slice(0, -1));
  return 0;
}

async function profileModel(m: ManifestModel) {
  const file = path.join(repoRoot, 'models', m.file);
  const shape = m.input.shape.map((d) => (d < 0 ? 1 : d));
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 256; // a fixed, image-like range of pixel values
  const feeds = { [m.input.name]: new ort.Tensor('float32', data, shape) };

  // Plain latency (no profiler) at each optimisation level, the runs interleaved so that a busy spell hits both alike.
  const plain = await Promise.all(LEVELS.map((level) => ort.InferenceSession.create(file, options({ graphOptimizationLevel: level }))));
  for (const p of plain) for (let i = 0; i < WARMUP; i++) await p.run(feeds);
  const ms: number[][] = LEVELS.map(() => []);
  const cpuUs = LEVELS.map(() => 0);
  for (let i = 0; i < RUNS; i++) {
    for (const [j, p] of plain.entries()) {
      const t = performance.now();
      const c = process.cpuUsage();
      await p.run(feeds);
      const dc = process.cpuUsage(c);
      ms[j].push(performance.now() - t);
      cpuUs[j] += dc.user + dc.system;
    }
  }
  for (const p of plain) await p.release();
  // CPU time (this process, all threads) is what a busy machine inflates least: waiting for a core costs wall time only.
  const byLevel = Object.fromEntries(LEVELS.map((level, j) => [level, { p50Ms: round(median(ms[j]), 2), minMs: round(Math.min(...ms[j]), 2), cpuMs: round(cpuUs[j] / 1000 / RUNS, 2) }]));

  // Profiled: kernel time per node, summed by op type over the runs.
  const dir = mkdtempSync(path.join(tmpdir(), 'biocheck-ort-profile-'));
  const s = await ort.InferenceSession.create(file, options({ enableProfiling: true, profileFilePrefix: path.join(dir, 'p') }));
  for (let i = 0; i < WARMUP + RUNS; i++) await s.run(feeds);
  s.endProfiling();
  await s.release();
  const out = readdirSync(dir).find((f) => f.endsWith('.json'));
  const events = out ? (JSON.parse(readFileSync(path.join(dir, out), 'utf8')) as ProfileEvent[]) : [];
  rmSync(dir, { recursive: true, force: true });
  // Kernel events after the warm-up runs only (the first runs allocate).
  const runs = events.filter((e) => e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  const after = runs[WARMUP - 1] ? runs[WARMUP - 1].ts + runs[WARMUP - 1].dur : 0;
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= after);
  const byOp = new Map<string, { us: number; nodes: Set<string>; macs: number }>();
  for (const e of kernels) {
    const op = e.args?.op_name ?? '?';
    const x = byOp.get(op) ?? { us: 0, nodes: new Set(), macs: 0 };
    x.us += e.dur;
    x.macs += macs(e);
    x.nodes.add(e.name);
    byOp.set(op, x);
  }
  const totalUs = [...byOp.values()].reduce((a, b) => a + b.us, 0);
  const ops = [...byOp.entries()].map(([op, x]) => ({
    op, nodes: x.nodes.size, msPerRun: round(x.us / 1000 / RUNS, 3), share: round((100 * x.us) / Math.max(1, totalUs), 1),
    mmacs: round(x.macs / RUNS / 1e6, 1), gmacPerS: x.macs ? round(x.macs / (x.us * 1e3), 1) : null,
  })).sort((a, b) => b.msPerRun - a.msPerRun);
  const reorderShare = round(ops.filter((o) => REORDER.test(o.op)).reduce((a, o) => a + o.share, 0), 1);
  const mmacs = round(ops.reduce((a, o) => a + o.mmacs, 0), 1);
  return {
    id: m.id, role: m.role, input: shape, ...byLevel.all, byLevel, mmacs, gmacPerSAtMin: round(mmacs / byLevel.all.minMs, 1), gmacPerCpuS: round(mmacs / byLevel.all.cpuMs, 1),
    kernelMsPerRun: round(totalUs / 1000 / RUNS, 2), nodes: ops.reduce((a, o) => a + o.nodes, 0), reorderShare, ops,
  };
}

const results = [];
for (const id of MODELS) {
  const m = manifest.models.find((x) => x.id === id);
  if (!m) throw new Error(`no model ${id} in models/manifest.json`);
  const r = await profileModel(m);
  log(`${id}: CPU ${r.cpuMs} ms, p50 ${r.p50Ms} ms (min ${r.minMs}; extended ${JSON.stringify(r.byLevel.extended)}), ${r.mmacs} M MACs, kernels ${r.kernelMsPerRun} ms/run over ${r.nodes} nodes, reorders ${r.reorderShare}%`);
  results.push(r);
}
const sumP50 = round(results.reduce((a, r) => a + r.p50Ms, 0), 1);
const sumCpu = round(results.reduce((a, r) => a + r.cpuMs, 0), 1);
const sumMin = round(results.reduce((a, r) => a + r.minMs, 0), 1);
writeReport({
  name: NAME, command: `npx tsx bench/face-model-profile.ts --runs=${RUNS} --models=${MODELS.join(',')}`,
  dataset: 'a fixed synthetic input of each model\'s shape (batch 1); timings do not depend on pixel values for these convolutional nets',
  versions: { 'onnxruntime-node': packageVersion('onnxruntime-node') },
  results: { runs: RUNS, models: results, sumP50Ms: sumP50, sumCpuMs: sumCpu, sumMinMs: sumMin },
  markdown: [
    'Session options as the service sets them (src/runtime/worker.ts): CPU provider, 1 intra-op thread, sequential, graph optimisation \'all\', no spinning. The optimised graph is what ORT runs (its NCHWc layout transformer inserts ReorderInput/ReorderOutput around the convolutions it blocks).',
    '', '| model | role | input | CPU ms/run (1 thread) | p50 ms | min ms | \'extended\' CPU ms | p50 ms | min ms | kernel ms/run (profiler) | nodes after optimisation | reorder + transpose share | M multiply-adds | GMAC per CPU-s | GMAC/s at min |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.id} | ${r.role} | ${r.input.join('x')} | ${r.cpuMs} | ${r.p50Ms} | ${r.minMs} | ${r.byLevel.extended.cpuMs} | ${r.byLevel.extended.p50Ms} | ${r.byLevel.extended.minMs} | ${r.kernelMsPerRun} | ${r.nodes} | ${r.reorderShare}% | ${r.mmacs} | ${r.gmacPerCpuS} | ${r.gmacPerSAtMin} |`),
    '', `One face (detect + landmarks + embed, no decode or alignment), sum of the three models: **CPU ${sumCpu} ms**, wall p50 ${sumP50} ms, wall min ${sumMin} ms (target ≤ 30 ms CPU per image).`,
    ...results.flatMap((r) => ['', `### ${r.id}: time per op type`, '', '| op | nodes | ms per run | share | M multiply-adds | GMAC/s |', '|---|---|---|---|---|---|', ...r.ops.map((o) => `| ${o.op} | ${o.nodes} | ${o.msPerRun} | ${o.share}% | ${o.mmacs || ''} | ${o.gmacPerS ?? ''} |`)]),
    '', 'The machine is shared with other jobs (2 cores): read the shares, which a busy machine moves little, before the milliseconds.',
  ].join('\n'),
});
