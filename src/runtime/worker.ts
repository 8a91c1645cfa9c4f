// One inference worker: holds one ORT session and runs the batches its pool sends, off the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { SessionIo } from './model-check.ts';
import type { FromWorker, OutputTensor, ToWorker, WarmupPlan, WorkerInit } from './worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('runtime/worker.ts must run as a worker thread');
const init = workerData as WorkerInit;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

function sessionOptions(provider: string): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    intraOpNumThreads: init.intraOpNumThreads,
    // One model per worker, one run at a time: inter-op parallelism would only oversubscribe the cores.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Several pools share few cores: threads spinning while idle steal them from the others
    // (measured: dlib descriptor 23-37 ms with spinning, 11.6 ms without, on 2 loaded cores).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

async function createSession(): Promise<{ session: ort.InferenceSession; provider: WorkerInit['provider']; fallbackReason?: string }> {
  const open = (p: string) => typeof init.model === 'string'
    ? ort.InferenceSession.create(init.model, sessionOptions(p))
    : ort.InferenceSession.create(init.model, sessionOptions(p));
  try {
    return { session: await open(init.provider), provider: init.provider };
  } catch (e) {
    if (init.provider === 'cpu' || !init.allowFallback) throw e;
    const reason = (e as Error).message.split('\n')[0];
    return { session: await open('cpu'), provider: 'cpu', fallbackReason: reason };
  }
}

function describeIo(s: ort.InferenceSession): SessionIo {
  const meta = (m: readonly ort.InferenceSession.ValueMetadata[]) => m.map((v) => (v.isTensor
    ? { name: v.name, type: v.type, shape: [...v.shape] }
    : { name: v.name }));
  return {
    inputNames: [...s.inputNames], outputNames: [...s.outputNames],
    inputs: meta(s.inputMetadata ?? []), outputs: meta(s.outputMetadata ?? []),
  };
}

/** Output data as Float32Array (the pool's contract), converting other numeric types. */
function asFloat32(t: ort.Tensor): Float32Array {
  const d = t.data;
  if (d instanceof Float32Array) return d;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float32Array.from(d, (x) => Number(x));
  if (ArrayBuffer.isView(d)) return Float32Array.from(d as unknown as ArrayLike<number>);
  throw new Error(`output of type ${t.type} cannot be returned as numbers`);
}

let session: ort.InferenceSession;
let plan: WarmupPlan;
let crashOnNextRun = false;

async function run(data: Float32Array, batch: number): Promise<OutputTensor[]> {
  const input = new ort.Tensor('float32', data, [batch, ...plan.sampleDims]);
  const out = await session.run({ [plan.inputName]: input }, plan.outputNames);
  return plan.outputNames.map((name) => ({ name, data: asFloat32(out[name]), dims: [...out[name].dims] }));
}

async function warmup(p: WarmupPlan): Promise<void> {
  plan = p;
  const sample = p.sampleDims.reduce((a, b) => a * b, 1);
  const one = await run(new Float32Array(sample), 1);
  const outputDims = Object.fromEntries(one.map((o) => [o.name, o.dims[0] === 1 ? o.dims.slice(1) : o.dims]));
  let batchError: string | undefined;
  if (p.maxBatch > 1) {
    try {
      const many = await run(new Float32Array(sample * p.maxBatch), p.maxBatch);
      const bad = many.find((o) => o.dims[0] !== p.maxBatch);
      if (bad) batchError = `output "${bad.name}" has dims [${bad.dims}] for a batch of ${p.maxBatch}: its first dimension is not the batch`;
    } catch (e) {
      batchError = (e as Error).message.split('\n')[0];
    }
  }
  post({ type: 'ready', outputDims, ...(batchError ? { batchError } : {}) });
}

/** Transfers the output buffers when they are transferable; copies otherwise. */
function postResult(id: number, outputs: OutputTensor[], runMs: number) {
  const buffers = [...new Set(outputs.map((o) => o.data.buffer as ArrayBuffer))];
  try {
    post({ type: 'result', id, outputs, runMs }, buffers);
  } catch {
    post({ type: 'result', id, outputs: outputs.map((o) => ({ ...o, data: o.data.slice() })), runMs });
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'warmup') {
    warmup(msg.plan).catch((e) => post({ type: 'init-error', message: `warm-up failed: ${(e as Error).message.split('\n')[0]}` }));
  } else if (msg.type === 'crash-on-next-run') {
    crashOnNextRun = true;
  } else if (msg.type === 'run') {
    if (crashOnNextRun) throw new Error('crash drill: worker failing on purpose');
    const t0 = performance.now();
    run(msg.data, msg.batch).then(
      (outputs) => postResult(msg.id, outputs, performance.now() - t0),
      (e) => post({ type: 'run-error', id: msg.id, message: (e as Error).message.split('\n')[0] }),
    );
  } else if (msg.type === 'close') {
    Promise.resolve(session?.release()).finally(() => port.close());
  }
});

createSession().then(
  (r) => {
    session = r.session;
    post({ type: 'loaded', provider: r.provider, ...(r.fallbackReason ? { fallbackReason: r.fallbackReason } : {}), io: describeIo(r.session) });
  },
  (e) => post({ type: 'init-error', message: `cannot load the model with provider ${init.provider}: ${(e as Error).message.split('\n')[0]}` }),
);
