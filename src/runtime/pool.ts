// One pool per model: W worker threads, each with its own ORT session, fed by a bounded queue with
// dynamic batching (dispatch at maxBatch samples or when the oldest waited maxWaitMs).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Registry } from 'prom-client';
import { AppError } from '../errors.ts';
import type { ModelDescriptor } from './byo-config.ts';
import { defaultThreading, RUNTIME_DEFAULTS, type ExecutionProvider } from './config.ts';
import { inferenceMetrics, type InferenceMetrics } from './metrics.ts';
import { planFromSpec, type RunPlan } from './model-check.ts';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.ts';

export interface RuntimeLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}
export const consoleLogger: RuntimeLogger = {
  info: (m) => console.log(`[runtime] ${m}`),
  warn: (m) => console.warn(`[runtime] ${m}`),
  error: (m) => console.error(`[runtime] ${m}`),
};

/** Remembers provider fallbacks so that a set of pools warns once and skips a provider known missing. */
export class ProviderFallbacks {
  private readonly failed = new Map<ExecutionProvider, string>();
  constructor(private readonly logger: RuntimeLogger) {}
  /** The provider to try for a new session: the requested one unless it already failed here. */
  effective(requested: ExecutionProvider): ExecutionProvider {
    return this.failed.has(requested) ? 'cpu' : requested;
  }
  record(requested: ExecutionProvider, model: string, reason: string): void {
    if (this.failed.has(requested)) return;
    this.failed.set(requested, reason);
    this.logger.warn(`execution provider "${requested}" is not available (${reason}); model "${model}" and every later model run on "cpu"`);
  }
}

export interface PoolOptions {
  provider?: ExecutionProvider;
  /** Fall back to CPU when the provider cannot be created (default true); false makes it an error. */
  allowFallback?: boolean;
  workers?: number;
  intraOpNumThreads?: number;
  maxBatch?: number;
  maxWaitMs?: number;
  /** Samples that may wait in the queue; beyond it infer() rejects at once with OVERLOADED. */
  maxQueue?: number;
  metricsRegistry?: Registry;
  logger?: RuntimeLogger;
  fallbacks?: ProviderFallbacks;
  /** The model's bytes instead of reading descriptor.path (generated models, tests). */
  modelBytes?: Uint8Array;
}

export interface InferOptions {
  /** Absolute time (Date.now() ms) after which a still-queued request is dropped. */
  deadline?: number;
  signal?: AbortSignal;
}

export type SampleOutputs = Record<string, Float32Array>;

interface Request {
  data: Float32Array;
  enqueuedAt: number;
  resolve(v: SampleOutputs): void;
  reject(e: unknown): void;
  timer?: NodeJS.Timeout;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  index: number;
  worker: Worker;
  state: 'starting' | 'idle' | 'busy' | 'closing';
  batch?: { id: number; requests: Request[] };
  onMessage?: (m: FromWorker) => void;
}

/** Tuning of the pool's own behaviour. */
const TUNING = {
  /** Respawn delay after a crash, doubled per consecutive failed start, capped. */
  respawnBaseMs: 100,
  respawnMaxMs: 5_000,
  /** How long close() lets queued work drain, and a worker take to exit, before forcing. */
  drainTimeoutMs: 10_000,
  exitTimeoutMs: 2_000,
  /** Weight of the newest batch in the run-time average behind Retry-After. */
  ewmaAlpha: 0.2,
};

const here = import.meta.url;
/**
 * The worker's entry. Built to .js it is a plain file. Under tsx/vitest it is TypeScript: Node 20
 * does not apply `--import tsx` hooks to a worker's own entry module, so a one-line ESM bootstrap
 * imports tsx's API (located through its package.json exports) and loads worker.ts with tsImport.
 */
function workerEntry(): { filename: string | URL; eval: boolean } {
  if (!here.endsWith('.ts')) return { filename: new URL('./worker.js', here), eval: false };
  const require = createRequire(here);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const api = pathToFileURL(path.join(path.dirname(pkgPath), pkg.exports['./esm/api'].import.default)).href;
  const target = new URL('./worker.ts', here).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(target)}, ${JSON.stringify(here)}))`;
  return { filename: code, eval: true };
}
const WORKER_ENTRY = workerEntry();

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

export class InferencePool {
  readonly model: string;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly maxQueue: number;
  readonly workerCount: number;
  readonly intraOpNumThreads: number;
  readonly requestedProvider: ExecutionProvider;
  /** The provider the sessions actually run on (after any fallback). */
  provider: ExecutionProvider;
  /** Per-sample input dims, and per-sample output dims as seen at warm-up. */
  sampleDims: number[] = [];
  outputDims: Record<string, number[]> = {};
  /** false when the model takes one sample per run (fixed batch 1). */
  batchable = true;
  /** session.run calls so far (warm-up excluded). */
  runs = 0;

  private plan!: RunPlan;
  private sampleSize = 0;
  private readonly queue: Request[] = [];
  private readonly slots: Slot[] = [];
  private timer?: NodeJS.Timeout;
  private nextBatchId = 1;
  private closing = false;
  private closed = false;
  private consecutiveStartFailures = 0;
  private avgRunMs = 0;
  private avgBatch = 1;
  private readonly metrics: InferenceMetrics;
  private readonly logger: RuntimeLogger;
  private readonly fallbacks: ProviderFallbacks;
  private readonly allowFallback: boolean;
  private readonly modelSource: string | Uint8Array;
  private drained?: () => void;

  private constructor(readonly descriptor: ModelDescriptor, opts: PoolOptions) {
    this.model = descriptor.id;
    this.requestedProvider = opts.provider ?? RUNTIME_DEFAULTS.provider;
    this.provider = this.requestedProvider;
    const threading = defaultThreading(this.requestedProvider, opts.workers);
    this.workerCount = threading.workers;
    this.intraOpNumThreads = opts.intraOpNumThreads ?? threading.intraOpNumThreads;
    this.maxBatch = opts.maxBatch ?? RUNTIME_DEFAULTS.maxBatch;
    this.maxWaitMs = opts.maxWaitMs ?? RUNTIME_DEFAULTS.maxWaitMs;
    this.maxQueue = opts.maxQueue ?? RUNTIME_DEFAULTS.maxQueue;
    this.logger = opts.logger ?? consoleLogger;
    this.fallbacks = opts.fallbacks ?? new ProviderFallbacks(this.logger);
    this.allowFallback = opts.allowFallback ?? true;
    this.metrics = inferenceMetrics(opts.metricsRegistry);
    this.modelSource = opts.modelBytes ?? descriptor.path;
  }

  /** Starts the workers, checks the ONNX file against its spec and warms every session up. */
  static async create(descriptor: ModelDescriptor, opts: PoolOptions = {}): Promise<InferencePool> {
    const pool = new InferencePool(descriptor, opts);
    try {
      await pool.start();
    } catch (e) {
      await pool.terminateAll();
      throw e;
    }
    return pool;
  }

  private async start(): Promise<void> {
    // The first worker tells what the file really holds and which provider works; the others follow it.
    this.slots.push(await this.spawn(0, true));
    const rest = Array.from({ length: this.workerCount - 1 }, (_, i) => this.spawn(i + 1, false));
    const results = await Promise.allSettled(rest);
    for (const r of results) if (r.status === 'fulfilled') this.slots.push(r.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    this.metrics.workers.set({ model: this.model, provider: this.provider }, this.slots.length);
    this.logger.info(`model "${this.model}": ${this.slots.length} worker(s) x ${this.intraOpNumThreads} thread(s) on ${this.provider}, `
      + `${this.batchable ? `batches up to ${this.maxBatch}` : 'one sample per run (fixed batch 1)'}, wait ${this.maxWaitMs} ms, queue ${this.maxQueue}`);
  }

  /** Starts one worker through load and warm-up; `first` also derives the run plan. */
  private spawn(index: number, first: boolean): Promise<Slot> {
    const init: WorkerInit = {
      model: this.modelSource,
      // A provider already found missing is skipped, unless fallback is off (then it must fail here too).
      provider: !first ? this.provider : this.allowFallback ? this.fallbacks.effective(this.requestedProvider) : this.requestedProvider,
      allowFallback: this.allowFallback,
      intraOpNumThreads: this.intraOpNumThreads,
    };
    const worker = new Worker(WORKER_ENTRY.filename, { workerData: init, eval: WORKER_ENTRY.eval });
    const slot: Slot = { index, worker, state: 'starting' };
    return new Promise<Slot>((resolve, reject) => {
      // Remove only our own listeners: Worker keeps internal ones (it starts its port on 'newListener').
      const detach = () => {
        worker.off('error', onError);
        worker.off('exit', onExit);
        worker.off('message', onMessage);
      };
      const fail = (e: unknown) => {
        detach();
        void worker.terminate();
        reject(e);
      };
      const unavailable = (message: string) => fail(new AppError('MODEL_UNAVAILABLE', `model "${this.model}": ${message}`));
      const onError = (e: unknown) => unavailable(`worker failed to start: ${firstLine(e)}`);
      const onExit = (code: number) => unavailable(`worker exited with code ${code} while starting`);
      const onMessage = (m: FromWorker) => {
        try {
          if (m.type === 'init-error') return unavailable(m.message);
          if (m.type === 'loaded') {
            if (m.fallbackReason) this.fallbacks.record(this.requestedProvider, this.model, m.fallbackReason);
            if (first) {
              this.provider = m.provider;
              this.plan = planFromSpec(this.descriptor, m.io);
              this.batchable = this.plan.batchable;
              this.sampleDims = this.plan.sampleDims;
              this.sampleSize = this.sampleDims.reduce((a, b) => a * b, 1);
            }
            this.post(slot, { type: 'warmup', plan: { ...this.plan, maxBatch: this.effectiveMaxBatch } });
          } else if (m.type === 'ready') {
            if (m.batchError && this.batchable) {
              if (!first) return unavailable(`batch of ${this.maxBatch} failed at warm-up: ${m.batchError}`);
              this.batchable = false;
              this.logger.warn(`model "${this.model}" fails at batch ${this.maxBatch} (${m.batchError}); running samples one by one`);
            }
            if (first) this.outputDims = m.outputDims;
            detach();
            this.attach(slot);
            resolve(slot);
          }
        } catch (e) {
          fail(e);
        }
      };
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.on('message', onMessage);
    });
  }

  private get effectiveMaxBatch(): number {
    return this.batchable ? this.maxBatch : 1;
  }

  private post(slot: Slot, m: ToWorker, transfer: ArrayBuffer[] = []) {
    slot.worker.postMessage(m, transfer);
  }

  /** Wires a started worker into the pool: results, errors, crash and respawn. */
  private attach(slot: Slot): void {
    slot.state = 'idle';
    slot.worker.on('message', (m: FromWorker) => this.onWorkerMessage(slot, m));
    slot.worker.on('error', (e) => this.logger.error(`model "${this.model}" worker ${slot.index} crashed: ${firstLine(e)}`));
    slot.worker.on('exit', (code) => this.onWorkerExit(slot, code));
  }

  private onWorkerMessage(slot: Slot, m: FromWorker): void {
    const batch = slot.batch;
    if (!batch || (m.type !== 'result' && m.type !== 'run-error') || m.id !== batch.id) return;
    slot.batch = undefined;
    slot.state = 'idle';
    this.metrics.inFlight.dec({ model: this.model }, batch.requests.length);
    if (m.type === 'run-error') {
      this.metrics.rejected.inc({ model: this.model, reason: 'run_error' }, batch.requests.length);
      const err = new AppError('INTERNAL', `model "${this.model}" failed on a batch of ${batch.requests.length}: ${m.message}`);
      for (const r of batch.requests) r.reject(err);
    } else {
      this.runs++;
      this.avgRunMs += TUNING.ewmaAlpha * (m.runMs - this.avgRunMs);
      this.avgBatch += TUNING.ewmaAlpha * (batch.requests.length - this.avgBatch);
      this.metrics.runSeconds.observe({ model: this.model }, m.runMs / 1000);
      this.deliver(batch.requests, m.outputs);
    }
    this.dispatch();
    this.checkDrained();
  }

  /** Splits batch outputs (first dimension = batch) back to their requests, as zero-copy views. */
  private deliver(requests: Request[], outputs: { name: string; data: Float32Array; dims: number[] }[]): void {
    const n = requests.length;
    const now = performance.now();
    if (!this.batchable) {
      const r = requests[0];
      this.metrics.latencySeconds.observe({ model: this.model }, (now - r.enqueuedAt) / 1000);
      r.resolve(Object.fromEntries(outputs.map((o) => [o.name, o.data])));
      return;
    }
    const bad = outputs.find((o) => o.dims[0] !== n);
    if (bad) {
      const err = new AppError('INTERNAL', `model "${this.model}" output "${bad.name}" has dims [${bad.dims}] for a batch of ${n}`);
      for (const r of requests) r.reject(err);
      return;
    }
    requests.forEach((r, i) => {
      const result: SampleOutputs = {};
      for (const o of outputs) {
        const per = o.data.length / n;
        result[o.name] = o.data.subarray(i * per, (i + 1) * per);
      }
      this.metrics.latencySeconds.observe({ model: this.model }, (now - r.enqueuedAt) / 1000);
      r.resolve(result);
    });
  }

  private onWorkerExit(slot: Slot, code: number): void {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    this.metrics.workers.set({ model: this.model, provider: this.provider }, this.slots.length);
    const batch = slot.batch;
    slot.batch = undefined;
    if (batch) {
      this.metrics.inFlight.dec({ model: this.model }, batch.requests.length);
      this.metrics.rejected.inc({ model: this.model, reason: 'worker_crash' }, batch.requests.length);
      const err = new AppError('MODEL_UNAVAILABLE',
        `model "${this.model}": its inference worker stopped (exit code ${code}) while running a batch of ${batch.requests.length}; retry`,
        undefined, 1);
      for (const r of batch.requests) r.reject(err);
    }
    if (slot.state === 'closing' || this.closed) return this.checkDrained();
    this.logger.error(`model "${this.model}" worker ${slot.index} exited with code ${code}${batch ? ` during a batch of ${batch.requests.length}` : ''}; starting a new one`);
    this.respawn(slot.index);
    this.checkDrained();
  }

  private respawn(index: number): void {
    const delay = this.consecutiveStartFailures === 0 ? 0
      : Math.min(TUNING.respawnMaxMs, TUNING.respawnBaseMs * 2 ** (this.consecutiveStartFailures - 1));
    setTimeout(() => {
      if (this.closing) return;
      this.spawn(index, false).then(
        (slot) => {
          this.consecutiveStartFailures = 0;
          if (this.closing) { slot.state = 'closing'; void slot.worker.terminate(); return; }
          this.slots.push(slot);
          this.metrics.workers.set({ model: this.model, provider: this.provider }, this.slots.length);
          this.dispatch();
        },
        (e) => {
          this.consecutiveStartFailures++;
          this.logger.error(`model "${this.model}" worker ${index} failed to restart: ${firstLine(e)}`);
          if (this.slots.length === 0) this.failQueued(new AppError('MODEL_UNAVAILABLE', `model "${this.model}" has no running worker; retry`, undefined, 1), 'worker_crash');
          this.respawn(index);
        },
      );
    }, delay).unref();
  }

  /**
   * Queues one sample; resolves with its outputs by name. Output arrays are zero-copy views into
   * the batch's result buffer (copy with .slice() to keep one long while dropping the rest).
   */
  infer(input: Float32Array, opts: InferOptions = {}): Promise<SampleOutputs> {
    return this.enqueue([input], opts)[0];
  }

  /**
   * Queues several samples at once, all admitted or (no room for all) all refused; resolves with
   * their outputs in order, or rejects with the first failure.
   */
  inferBatch(inputs: Float32Array[], opts: InferOptions = {}): Promise<SampleOutputs[]> {
    return Promise.all(this.enqueue(inputs, opts));
  }

  /** One promise per sample: for callers that handle each sample's outcome on its own. */
  enqueue(inputs: Float32Array[], opts: InferOptions = {}): Promise<SampleOutputs>[] {
    const refuse = (e: AppError) => inputs.map(() => Promise.reject(e));
    if (this.closing) return refuse(new AppError('MODEL_UNAVAILABLE', `model "${this.model}" is shutting down`, undefined, 1));
    const wrong = inputs.find((x) => !(x instanceof Float32Array) || x.length !== this.sampleSize);
    if (wrong) {
      return refuse(new AppError('INTERNAL', `model "${this.model}" takes Float32Array samples of ${this.sampleSize} values [${this.sampleDims}], got ${wrong instanceof Float32Array ? wrong.length : typeof wrong}`));
    }
    if (this.queue.length + inputs.length > this.maxQueue) {
      this.metrics.rejected.inc({ model: this.model, reason: 'queue_full' }, inputs.length);
      return refuse(new AppError('OVERLOADED',
        `model "${this.model}" has ${this.queue.length} samples queued (limit ${this.maxQueue}); retry later`,
        { model: this.model }, this.retryAfterSeconds()));
    }
    if (opts.signal?.aborted) return inputs.map(() => Promise.reject(opts.signal!.reason));
    const now = performance.now();
    const promises = inputs.map((data) => new Promise<SampleOutputs>((resolve, reject) => {
      const r: Request = { data, enqueuedAt: now, resolve, reject };
      if (opts.deadline !== undefined) {
        r.timer = setTimeout(() => this.drop(r, 'deadline', new AppError('OVERLOADED',
          `model "${this.model}": the request's deadline passed while it waited in the queue`, { model: this.model }, this.retryAfterSeconds())),
        Math.max(0, opts.deadline - Date.now()));
        r.timer.unref();
      }
      if (opts.signal) {
        const signal = opts.signal;
        r.signal = signal;
        r.onAbort = () => this.drop(r, 'aborted', signal.reason);
        signal.addEventListener('abort', r.onAbort, { once: true });
      }
      this.queue.push(r);
    }));
    this.metrics.queueDepth.set({ model: this.model }, this.queue.length);
    this.dispatch();
    return promises;
  }

  /** Removes a request still in the queue (deadline passed, caller aborted). */
  private drop(r: Request, reason: 'deadline' | 'aborted', err: unknown): void {
    const at = this.queue.indexOf(r);
    if (at < 0) return; // already dispatched: its result will simply be ignored by the caller
    this.queue.splice(at, 1);
    this.release(r);
    this.metrics.queueDepth.set({ model: this.model }, this.queue.length);
    this.metrics.rejected.inc({ model: this.model, reason });
    r.reject(err);
    this.checkDrained();
  }

  private release(r: Request): void {
    if (r.timer) clearTimeout(r.timer);
    if (r.signal && r.onAbort) r.signal.removeEventListener('abort', r.onAbort);
  }

  /** Sends batches to idle workers: full batches at once, partial ones once the oldest waited maxWaitMs. */
  private dispatch(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const cap = this.effectiveMaxBatch;
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.state === 'idle');
      if (!slot) return; // a finishing batch calls dispatch again
      const waited = performance.now() - this.queue[0].enqueuedAt;
      if (this.queue.length < cap && waited < this.maxWaitMs && !this.closing) {
        this.timer = setTimeout(() => this.dispatch(), Math.max(0, this.maxWaitMs - waited));
        return;
      }
      this.send(slot, this.queue.splice(0, cap));
    }
  }

  private send(slot: Slot, requests: Request[]): void {
    const n = requests.length;
    const data = new Float32Array(n * this.sampleSize);
    requests.forEach((r, i) => {
      this.release(r);
      data.set(r.data, i * this.sampleSize);
    });
    const id = this.nextBatchId++;
    slot.state = 'busy';
    slot.batch = { id, requests };
    this.metrics.queueDepth.set({ model: this.model }, this.queue.length);
    this.metrics.inFlight.inc({ model: this.model }, n);
    this.metrics.batchSize.observe({ model: this.model }, n);
    this.post(slot, { type: 'run', id, data, batch: n }, [data.buffer]);
  }

  private failQueued(err: AppError, reason: string): void {
    const all = this.queue.splice(0);
    if (!all.length) return;
    this.metrics.rejected.inc({ model: this.model, reason }, all.length);
    this.metrics.queueDepth.set({ model: this.model }, 0);
    for (const r of all) { this.release(r); r.reject(err); }
  }

  /** Seconds a refused client should wait: the queue's drain time at the recent throughput. */
  private retryAfterSeconds(): number {
    const workers = Math.max(1, this.slots.length);
    const perSecond = this.avgRunMs > 0 ? (workers * this.avgBatch * 1000) / this.avgRunMs : Infinity;
    return Math.max(1, Math.ceil(this.queue.length / perSecond));
  }

  get queueDepth(): number { return this.queue.length; }
  get inFlight(): number { return this.slots.reduce((a, s) => a + (s.batch?.requests.length ?? 0), 0); }
  get liveWorkers(): number { return this.slots.length; }

  /**
   * Failure drills (tests): `crash` makes worker `index` throw an uncaught error when its next batch
   * arrives, before ORT runs it; `terminate` ends an idle worker from outside. Terminating a worker
   * *inside* session.run is not offered: onnxruntime-node then aborts the whole process.
   */
  debugFailWorker(kind: 'crash' | 'terminate', index = 0): void {
    const slot = this.slots.find((s) => s.index === index);
    if (!slot) throw new Error(`no live worker ${index}`);
    if (kind === 'crash') this.post(slot, { type: 'crash-on-next-run' });
    else if (slot.batch) throw new Error(`worker ${index} is running a batch; terminating it now would abort the process`);
    else void slot.worker.terminate();
  }

  private checkDrained(): void {
    if (this.drained && this.queue.length === 0 && this.slots.every((s) => !s.batch)) this.drained();
  }

  /** Stops taking requests, lets queued and running ones finish (bounded), then ends the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    this.dispatch();
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, TUNING.drainTimeoutMs);
      this.drained = () => { clearTimeout(t); resolve(); };
      this.checkDrained();
    });
    this.drained = undefined;
    this.failQueued(new AppError('MODEL_UNAVAILABLE', `model "${this.model}" shut down before the request ran`, undefined, 1), 'closed');
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.terminateAll();
    this.metrics.queueDepth.remove({ model: this.model });
    this.metrics.inFlight.remove({ model: this.model });
    this.metrics.workers.remove({ model: this.model, provider: this.provider });
  }

  private async terminateAll(): Promise<void> {
    await Promise.all(this.slots.splice(0).map((slot) => new Promise<void>((resolve) => {
      slot.state = 'closing';
      // Forcing is for workers stuck outside ORT: one inside session.run would abort the process.
      const force = setTimeout(() => { if (!slot.batch) void slot.worker.terminate(); }, TUNING.exitTimeoutMs);
      slot.worker.once('exit', () => { clearTimeout(force); resolve(); });
      try {
        this.post(slot, { type: 'close' });
      } catch {
        void slot.worker.terminate();
      }
    })));
  }
}
