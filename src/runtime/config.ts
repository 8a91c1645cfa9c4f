// Environment settings of the inference runtime. src/config.ts imports `runtimeConfigFromEnv`;
// every BIOCHECK_* variable the runtime reads is parsed here, once.
import { availableParallelism } from 'node:os';

export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'webgpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** Defaults, tuned on a 2-core CPU box; override per deployment through the environment. */
export const RUNTIME_DEFAULTS = {
  provider: 'cpu' as ExecutionProvider,
  maxBatch: 8,
  /** Long enough for concurrent requests to meet, short next to one embedder run (~10+ ms). */
  maxWaitMs: 2,
  maxQueue: 256,
  /** Upper bound on worker threads per CPU pool: beyond it threads only fight over the cores. */
  maxCpuWorkers: 4,
} as const;

export interface RuntimeConfig {
  provider: ExecutionProvider;
  /** Path of the bring-your-own-model JSON config, if any. */
  modelsConfigPath?: string;
  maxBatch: number;
  maxWaitMs: number;
  maxQueue: number;
  /** Worker threads per model pool; undefined = chosen from the cores (see `defaultThreading`). */
  workers?: number;
}

/** A setting the operator got wrong: thrown at start, never sent to clients. */
export class RuntimeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeConfigError';
  }
}

function intVar(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new RuntimeConfigError(`${name}=${JSON.stringify(raw)}: expected a whole number`);
  const v = Number(raw);
  if (v < min || v > max) throw new RuntimeConfigError(`${name}=${v}: expected ${min}..${max}`);
  return v;
}

function numberVar(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new RuntimeConfigError(`${name}=${JSON.stringify(raw)}: expected a number`);
  if (v < min || v > max) throw new RuntimeConfigError(`${name}=${v}: expected ${min}..${max}`);
  return v;
}

export function parseProvider(raw: string, source = 'execution provider'): ExecutionProvider {
  const v = raw.trim().toLowerCase();
  if (!(EXECUTION_PROVIDERS as readonly string[]).includes(v)) {
    throw new RuntimeConfigError(`${source}=${JSON.stringify(raw)}: expected one of ${EXECUTION_PROVIDERS.join(', ')}`);
  }
  return v as ExecutionProvider;
}

/**
 * Reads BIOCHECK_EXECUTION_PROVIDER, BIOCHECK_MODELS_CONFIG, BIOCHECK_INFER_MAX_BATCH,
 * BIOCHECK_INFER_MAX_WAIT_MS, BIOCHECK_INFER_MAX_QUEUE and BIOCHECK_INFER_WORKERS.
 */
export function runtimeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const providerRaw = env.BIOCHECK_EXECUTION_PROVIDER;
  const modelsConfigPath = env.BIOCHECK_MODELS_CONFIG?.trim() || undefined;
  const workers = intVar(env, 'BIOCHECK_INFER_WORKERS', 1, 256);
  return {
    provider: providerRaw?.trim() ? parseProvider(providerRaw, 'BIOCHECK_EXECUTION_PROVIDER') : RUNTIME_DEFAULTS.provider,
    ...(modelsConfigPath ? { modelsConfigPath } : {}),
    maxBatch: intVar(env, 'BIOCHECK_INFER_MAX_BATCH', 1, 1024) ?? RUNTIME_DEFAULTS.maxBatch,
    maxWaitMs: numberVar(env, 'BIOCHECK_INFER_MAX_WAIT_MS', 0, 10_000) ?? RUNTIME_DEFAULTS.maxWaitMs,
    maxQueue: intVar(env, 'BIOCHECK_INFER_MAX_QUEUE', 1, 1_000_000) ?? RUNTIME_DEFAULTS.maxQueue,
    ...(workers !== undefined ? { workers } : {}),
  };
}

/**
 * Workers and ORT intra-op threads per worker so that workers * threads ≈ cores.
 * A GPU provider gets one worker: each session holds its own copy of the weights on the device,
 * and the device serialises the runs anyway.
 */
export function defaultThreading(
  provider: ExecutionProvider,
  workers?: number,
  cores = availableParallelism(),
): { workers: number; intraOpNumThreads: number } {
  // intra-op threads still matter on a GPU: for nodes the provider leaves to the CPU, or after a fallback.
  if (provider !== 'cpu') return { workers: workers ?? 1, intraOpNumThreads: Math.max(1, Math.floor(cores / (workers ?? 1))) };
  // Up to maxCpuWorkers single-batch workers, the cores shared among them: on 2 cores, 2 x 1 thread
  // served concurrent clients ~1.5x better than 1 x 2 (bench/results/inference-pool.md).
  const w = workers ?? Math.max(1, Math.min(RUNTIME_DEFAULTS.maxCpuWorkers, cores));
  return { workers: w, intraOpNumThreads: Math.max(1, Math.floor(cores / w)) };
}
