// The inference runtime's entry point: one pool per role (detector, landmarks, embedder, pad).
import type { ModelRole } from '../../models/spec.ts';
import { AppError } from '../errors.ts';
import { MODEL_ROLES } from './byo-config.ts';
import { runtimeConfigFromEnv, type RuntimeConfig } from './config.ts';
import { loadModelRegistry, type LoadRegistryOptions, type ModelRegistry } from './model-registry.ts';
import { consoleLogger, InferencePool, ProviderFallbacks, type PoolOptions } from './pool.ts';

export { ARCFACE_112_TEMPLATE, ModelConfigError, parseByoConfig } from './byo-config.ts';
export type { AlignmentSpec, ByoModelConfigFile, ByoModelEntry, ModelDescriptor } from './byo-config.ts';
export { defaultThreading, EXECUTION_PROVIDERS, runtimeConfigFromEnv, RuntimeConfigError } from './config.ts';
export type { ExecutionProvider, RuntimeConfig } from './config.ts';
export { loadModelRegistry, sha256File } from './model-registry.ts';
export type { LoadRegistryOptions, ModelRegistry } from './model-registry.ts';
export { consoleLogger, InferencePool, ProviderFallbacks } from './pool.ts';
export type { InferOptions, PoolOptions, RuntimeLogger, SampleOutputs } from './pool.ts';

type PoolTuning = Pick<PoolOptions, 'maxBatch' | 'maxWaitMs' | 'maxQueue' | 'workers' | 'intraOpNumThreads'>;

export interface InferencePoolsOptions extends Omit<PoolOptions, 'modelBytes' | 'fallbacks'> {
  /** Roles to start (default: every role a model serves). */
  roles?: ModelRole[];
  /** Per-role batching/threading overrides (a detector batches less than an embedder). */
  perRole?: Partial<Record<ModelRole, PoolTuning>>;
}

export interface InferencePools {
  registry: ModelRegistry;
  pools: ReadonlyMap<ModelRole, InferencePool>;
  has(role: ModelRole): boolean;
  /** The pool serving `role`; MODEL_UNAVAILABLE when no model serves it. */
  get(role: ModelRole): InferencePool;
  close(): Promise<void>;
}

/**
 * Loads the registry (unless given one) and starts a pool per role. Pools start one after the other
 * so that a missing GPU provider is found once, warned once, and skipped by the later pools.
 */
export async function createInferencePools(
  source: ModelRegistry | LoadRegistryOptions = {},
  options: InferencePoolsOptions = {},
): Promise<InferencePools> {
  const registry = 'roles' in source && 'models' in source && source.models instanceof Map
    ? source as ModelRegistry
    : await loadModelRegistry(source as LoadRegistryOptions);
  const fallbacks = new ProviderFallbacks(options.logger ?? consoleLogger);
  const pools = new Map<ModelRole, InferencePool>();
  const wanted = options.roles ?? MODEL_ROLES.filter((r) => registry.roles[r]);
  try {
    for (const role of wanted) {
      const desc = registry.roles[role];
      if (!desc) throw new AppError('MODEL_UNAVAILABLE', `no model serves the role "${role}"`);
      const { roles: _roles, perRole, ...base } = options;
      pools.set(role, await InferencePool.create(desc, { ...base, ...perRole?.[role], fallbacks }));
    }
  } catch (e) {
    await Promise.all([...pools.values()].map((p) => p.close()));
    throw e;
  }
  return {
    registry,
    pools,
    has: (role) => pools.has(role),
    get(role) {
      const p = pools.get(role);
      if (!p) throw new AppError('MODEL_UNAVAILABLE', `no model serves the role "${role}"`);
      return p;
    },
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close()));
    },
  };
}

/** createInferencePools with the BIOCHECK_* environment (see config.ts) as defaults. */
export function createInferencePoolsFromEnv(
  options: InferencePoolsOptions & { modelsDir?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<InferencePools> {
  const { modelsDir, env, ...rest } = options;
  const cfg: RuntimeConfig = runtimeConfigFromEnv(env);
  return createInferencePools(
    { ...(modelsDir ? { modelsDir } : {}), ...(cfg.modelsConfigPath ? { config: cfg.modelsConfigPath } : {}) },
    {
      provider: cfg.provider, maxBatch: cfg.maxBatch, maxWaitMs: cfg.maxWaitMs, maxQueue: cfg.maxQueue,
      ...(cfg.workers !== undefined ? { workers: cfg.workers } : {}),
      ...rest,
    },
  );
}
