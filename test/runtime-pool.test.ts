// The inference pool on real ORT sessions over tiny generated graphs: parity with a direct run,
// dynamic batching, the bounded queue, deadlines, the event loop, worker crashes, fixed-batch models.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { Registry } from 'prom-client';
import { GraphBuilder } from '../models/onnx/builder.ts';
import { AppError } from '../src/errors.ts';
import { InferencePool, type RuntimeLogger } from '../src/runtime/pool.ts';
import { seededWeights, syntheticEmbedder, syntheticSlowModel } from '../src/runtime/synthetic-models.ts';

function recordingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const logger: RuntimeLogger = {
    info: (msg) => lines.push({ level: 'info', msg }),
    warn: (msg) => lines.push({ level: 'warn', msg }),
    error: (msg) => lines.push({ level: 'error', msg }),
  };
  return { lines, logger };
}

function randomSample(n: number, seed: number): Float32Array {
  return seededWeights(n, 2, seed).map((x) => x * 100 + 127);
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('InferencePool on a tiny embedder', () => {
  const model = syntheticEmbedder({ size: 16, dim: 8, widths: [8, 16] });
  const sample = 16 * 16 * 3;
  const metrics = new Registry();
  let pool: InferencePool;
  let direct: ort.InferenceSession;

  beforeAll(async () => {
    pool = await InferencePool.create(model.descriptor, {
      modelBytes: model.bytes, workers: 1, intraOpNumThreads: 1, maxBatch: 4, maxWaitMs: 20, maxQueue: 64,
      metricsRegistry: metrics, logger: recordingLogger().logger,
    });
    direct = await ort.InferenceSession.create(model.bytes);
  });
  afterAll(async () => {
    await pool?.close();
    await direct?.release();
  });

  it('returns what a direct single-sample session.run returns, per request', async () => {
    const inputs = Array.from({ length: 7 }, (_, i) => randomSample(sample, 100 + i));
    const viaPool = await Promise.all(inputs.map((x) => pool.infer(x)));
    for (const [i, x] of inputs.entries()) {
      const out = await direct.run({ image: new ort.Tensor('float32', x, [1, 16, 16, 3]) });
      const want = out.embedding.data as Float32Array;
      expect(viaPool[i].embedding).toHaveLength(8);
      expect(maxAbsDiff(viaPool[i].embedding, want)).toBeLessThan(1e-5);
    }
    // Different inputs give different embeddings (the split did not hand one row to everyone).
    expect(maxAbsDiff(viaPool[0].embedding, viaPool[1].embedding)).toBeGreaterThan(1e-4);
    expect(pool.sampleDims).toEqual([16, 16, 3]);
    expect(pool.outputDims).toEqual({ embedding: [8] });
  });

  it('batches concurrent requests: fewer runs than requests, never more than maxBatch', async () => {
    const runsBefore = pool.runs;
    const hist = metrics.getSingleMetric('biocheck_inference_batch_size')!;
    type Sample = { value: number; labels: Record<string, unknown>; metricName?: string };
    const samples = async () => (await hist.get()).values as Sample[];
    const countOf = async () => (await samples()).find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const countBefore = await countOf();
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => pool.infer(randomSample(sample, i))));
    const runs = pool.runs - runsBefore;
    expect(results).toHaveLength(16);
    expect(runs).toBeLessThan(16);
    expect(runs).toBeGreaterThanOrEqual(4); // 16 samples at maxBatch 4
    const values = await samples();
    expect((await countOf()) - countBefore).toBe(runs);
    const over4 = values.filter((v) => v.metricName?.endsWith('_bucket') && v.labels.le === 4)[0].value;
    expect(over4).toBe(await countOf()); // every batch so far had ≤ 4 samples
  });

  it('inferBatch admits all samples together and keeps their order', async () => {
    const inputs = [randomSample(sample, 1), randomSample(sample, 2), randomSample(sample, 3)];
    const [a, b, c] = await pool.inferBatch(inputs);
    const single = await pool.infer(inputs[1]);
    expect(maxAbsDiff(b.embedding, single.embedding)).toBeLessThan(1e-5);
    expect(maxAbsDiff(a.embedding, c.embedding)).toBeGreaterThan(1e-4);
  });

  it('refuses a sample of the wrong size with an AppError', async () => {
    await expect(pool.infer(new Float32Array(10))).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('drops a request whose AbortSignal fires while it is queued', async () => {
    const ctrl = new AbortController();
    const p = pool.infer(randomSample(sample, 9), { signal: ctrl.signal });
    ctrl.abort(new Error('client went away'));
    await expect(p).rejects.toThrow('client went away');
    expect(pool.queueDepth).toBe(0);
  });

  it('publishes its gauges and counters with the model label', async () => {
    const text = await metrics.metrics();
    for (const name of ['queue_depth', 'in_flight', 'batch_size_bucket', 'run_seconds_count', 'latency_seconds_count', 'workers']) {
      expect(text).toContain(`biocheck_inference_${name}{`);
    }
    expect(text).toMatch(/biocheck_inference_rejected_total\{model="tiny-embedder",reason="aborted"\} 1/);
  });
});

describe('InferencePool under load and failure (slow model)', () => {
  const slow = syntheticSlowModel({ width: 1024, depth: 96 });
  const width = 1024;
  const metrics = new Registry();
  const log = recordingLogger();
  let pool: InferencePool;

  beforeAll(async () => {
    pool = await InferencePool.create(slow.descriptor, {
      modelBytes: slow.bytes, workers: 1, intraOpNumThreads: 1, maxBatch: 4, maxWaitMs: 0, maxQueue: 16,
      metricsRegistry: metrics, logger: log.logger,
    });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('rejects at once with OVERLOADED and a Retry-After when the queue is full', async () => {
    const busy = pool.enqueue(Array.from({ length: 4 }, (_, i) => randomSample(width, i))); // in flight
    expect(pool.inFlight).toBe(4);
    const queued = pool.enqueue(Array.from({ length: 16 }, (_, i) => randomSample(width, 50 + i)));
    expect(pool.queueDepth).toBe(16);
    let refused: unknown;
    pool.infer(randomSample(width, 99)).catch((e) => { refused = e; });
    await Promise.resolve();
    await Promise.resolve();
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'OVERLOADED', status: 503 });
    expect((refused as AppError).retryAfter).toBeGreaterThanOrEqual(1);
    // An all-or-nothing batch that does not fit is refused whole.
    await expect(pool.inferBatch([randomSample(width, 1), randomSample(width, 2)])).rejects.toMatchObject({ code: 'OVERLOADED' });
    await Promise.all([...busy, ...queued]);
    expect(await metrics.metrics()).toMatch(/biocheck_inference_rejected_total\{model="slow",reason="queue_full"\} 3/);
  });

  it('drops a queued request whose deadline passes', async () => {
    const busy = pool.inferBatch(Array.from({ length: 4 }, (_, i) => randomSample(width, i)));
    const late = pool.infer(randomSample(width, 7), { deadline: Date.now() + 1 });
    await expect(late).rejects.toMatchObject({ code: 'OVERLOADED', message: expect.stringContaining('deadline') });
    await busy;
  });

  it('keeps the event loop responsive while a batch runs, unlike session.run on the main thread', async () => {
    const gapsDuring = async (work: () => Promise<unknown>) => {
      let last = performance.now();
      let maxGap = 0;
      const tick = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 2);
      const t0 = performance.now();
      await work();
      const end = performance.now();
      const total = end - t0;
      clearInterval(tick);
      maxGap = Math.max(maxGap, end - last); // a loop blocked to the end never ticked at all
      return { maxGap, total };
    };
    const batch = Array.from({ length: 16 }, (_, i) => randomSample(width, i));
    const pooled = await gapsDuring(() => pool.inferBatch(batch));
    const session = await ort.InferenceSession.create(slow.bytes, { intraOpNumThreads: 1 });
    const joined = new Float32Array(4 * width);
    batch.slice(0, 4).forEach((x, i) => joined.set(x, i * width));
    const blocking = await gapsDuring(() => session.run({ x: new ort.Tensor('float32', joined, [4, width]) }));
    await session.release();
    // On the main thread the loop stalls for the whole run; through the pool it keeps ticking.
    expect(blocking.maxGap).toBeGreaterThan(0.5 * blocking.total);
    expect(pooled.maxGap).toBeLessThan(0.5 * pooled.total);
  });

  it('replaces a worker that crashes during a batch: the batch fails clearly, later requests succeed', async () => {
    pool.debugFailWorker('crash', 0);
    const outcomes = await Promise.allSettled(pool.enqueue(Array.from({ length: 4 }, (_, i) => randomSample(width, i))));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    const reason = (outcomes[0] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(AppError);
    expect(reason).toMatchObject({ code: 'MODEL_UNAVAILABLE', retryAfter: 1 });
    expect(reason.message).toMatch(/worker stopped .* batch of 4/);
    expect(log.lines.some((l) => l.level === 'error' && /crash drill/.test(l.msg))).toBe(true);
    expect(log.lines.some((l) => l.level === 'error' && /exited with code 1 during a batch of 4; starting a new one/.test(l.msg))).toBe(true);
    const after = await pool.infer(randomSample(width, 3));
    expect(after.y).toHaveLength(width);
    expect(pool.liveWorkers).toBe(1);
    expect(await metrics.metrics()).toMatch(/biocheck_inference_rejected_total\{model="slow",reason="worker_crash"\} 4/);
  });

  it('replaces a worker killed from outside while idle', async () => {
    const exits = log.lines.length;
    pool.debugFailWorker('terminate', 0);
    await until(() => log.lines.slice(exits).some((l) => /exited with code/.test(l.msg)));
    const after = await pool.infer(randomSample(width, 4)); // waits in the queue for the new worker
    expect(after.y).toHaveLength(width);
    expect(pool.liveWorkers).toBe(1);
  });

  it('close() lets queued requests finish, then refuses new ones', async () => {
    const pending = pool.inferBatch(Array.from({ length: 4 }, (_, i) => randomSample(width, i)));
    await pool.close();
    const done = await pending;
    expect(done.every((o) => o.y.length === width)).toBe(true);
    await expect(pool.infer(randomSample(width, 1))).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    expect(pool.liveWorkers).toBe(0);
  });
});

describe('models that take one sample per run', () => {
  it('runs a fixed-batch-1 model sample by sample, with the same results as the batched model', async () => {
    const fixed = syntheticEmbedder({ id: 'fixed', fixedBatch: true });
    const free = syntheticEmbedder({ id: 'free' }); // same seed, same weights
    const opts = { workers: 1, intraOpNumThreads: 1, maxBatch: 8, maxWaitMs: 5, metricsRegistry: new Registry(), logger: recordingLogger().logger };
    const [a, b] = await Promise.all([
      InferencePool.create(fixed.descriptor, { ...opts, modelBytes: fixed.bytes }),
      InferencePool.create(free.descriptor, { ...opts, modelBytes: free.bytes }),
    ]);
    try {
      expect(a.batchable).toBe(false);
      expect(b.batchable).toBe(true);
      const inputs = Array.from({ length: 6 }, (_, i) => randomSample(16 * 16 * 3, i));
      const viaFixed = await Promise.all(inputs.map((x) => a.infer(x)));
      const viaFree = await Promise.all(inputs.map((x) => b.infer(x)));
      expect(a.runs).toBe(6);
      expect(b.runs).toBeLessThan(6);
      viaFixed.forEach((o, i) => expect(maxAbsDiff(o.embedding, viaFree[i].embedding)).toBeLessThan(1e-5));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('falls back to one sample per run, with a warning, when a free batch dimension fails at warm-up', async () => {
    // Declares a free batch but reshapes to [1, …] inside: only batch 1 works.
    const g = new GraphBuilder('liar');
    g.input('x', ['N', 4, 4, 3]);
    const flat = g.op('Reshape', ['x', g.constInt64('shape', [2], [1, 48])]);
    g.op('MatMul', [flat, g.constFloat('w', [48, 2], seededWeights(96, 48, 5))], {}, 'y');
    g.output('y', ['N', 2]);
    const log = recordingLogger();
    const pool = await InferencePool.create(
      { id: 'liar', role: 'embedder', path: '(generated)', origin: 'config', extra: {},
        input: { name: 'x', shape: [-1, 4, 4, 3], layout: 'NHWC', colour: 'rgb', mean: [0, 0, 0], std: [1, 1, 1] },
        outputs: [{ name: 'y', shape: [], description: '' }] },
      { modelBytes: g.toBytes(), workers: 1, intraOpNumThreads: 1, maxBatch: 4, metricsRegistry: new Registry(), logger: log.logger },
    );
    try {
      expect(pool.batchable).toBe(false);
      expect(log.lines.some((l) => l.level === 'warn' && /one by one/.test(l.msg))).toBe(true);
      const outs = await Promise.all([1, 2, 3].map((s) => pool.infer(randomSample(48, s))));
      expect(outs.every((o) => o.y.length === 2)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
