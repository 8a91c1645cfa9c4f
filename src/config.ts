// Service configuration from the environment: one place, parsed and validated once at start. Every bad value is
// reported (all at once, each naming its variable) and stops the service before it touches anything.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { loadQualityThresholds, type QualityThresholds } from './face/frontend-config.ts';
import { padMinScore } from './face/pipeline-config.ts';
import type { AdmissionLimits } from './http/admission.ts';
import { runtimeConfigFromEnv, type RuntimeConfig } from './runtime/config.ts';
import { ADMIN_KEY_LENGTH } from './store/keys.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  adminKey?: string;
  logLevel: string;
  /** Largest JSON or raw body accepted on any route, in bytes. */
  bodyLimit: number;
  /** Largest image or template accepted inside a request, in bytes. */
  maxUploadBytes: number;
  /** Per-key request budget: tokens per second and burst. */
  rateLimit: { perSecond: number; burst: number };
  /** How long graceful shutdown waits for in-flight requests. */
  shutdownGraceMs: number;
  /** Bounded admission in front of checks, enrolments and verifications (503 OVERLOADED beyond). */
  admission: AdmissionLimits;
  /** Keep probes (images, templates) of no-hit checks. Off: travellers who match nothing leave no trace. */
  retainNoHitProbes: boolean;
  /** Days a check's probe is kept, longer while its case is pending or a hit on it awaits the owner's decision (0: no limit). */
  probeRetentionDays: number;
  /** The background connection search (N:N): on by default; `paceMs` pauses between batches to leave CPU to checks;
   *  `batch` samples per worker transaction (unset: the tuned default). */
  connections: { enabled: boolean; paceMs: number; batch?: number };
  /** A query unanswered this long marks the database down (503 DATABASE_UNAVAILABLE until a probe answers). */
  dbQueryTimeoutMs: number;
  /** The face side: exact search up to `exactSearchMax` enrolled faces (the HNSW graph beyond), the quality
   *  thresholds, presentation-attack detection (`pad.minScore` replaces the model's calibrated threshold) and
   *  the inference runtime (provider, batching, BYO models). */
  face: {
    exactSearchMax: number;
    quality: { enrol: QualityThresholds; check: QualityThresholds };
    pad: { enabled: boolean; minScore?: number };
    runtime: RuntimeConfig;
  };
  /** Another build of the vector search addon (BIOCHECK_VECTOR_ADDON), instead of native/build's. */
  vectorAddon?: string;
  /** A bearer token that may read /metrics only (Prometheus), beside admin keys. */
  metricsToken?: string;
  /** Bench only, never production: checks and every other change write no audit entry (BIOCHECK_BENCH_SKIP_AUDIT,
   *  refused unless BIOCHECK_BENCH=1), the reference for what the audit write costs. */
  benchSkipAudit: boolean;
  /** Scale-out (docs/scale-out.md): `single` is the one process of `npm start`; `front` serves HTTP and sends each
   *  search to every shard's workers over NATS; `worker` holds one shard of the galleries. */
  cluster: ClusterConfig;
}

export type ClusterRole = 'single' | 'front' | 'worker';
export interface ClusterConfig {
  role: ClusterRole;
  natsUrl: string;
  shards: number;
  /** The worker's shard (0..shards-1) and its replica number (names its durable JetStream consumer). */
  shard: number;
  replica: number;
  /** How long the front waits for a shard's answer before the check says the shard is missing. */
  searchDeadlineMs: number;
}

/** A setting the operator got wrong: every problem found, one per line; the service does not start. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration (environment):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const PAD_MODES = ['on', 'off'];

/** Reads one setting; a bad value is recorded (all are reported together) and the default stands in. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  raw(name: string): string | undefined {
    const v = this.env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  int(name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.raw(name);
    if (raw === undefined) return def;
    const v = Number(raw);
    if (!/^\d+$/.test(raw) || v < min || v > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: expected a whole number in ${min}..${max}`);
      return def;
    }
    return v;
  }

  bool(name: string, def: boolean): boolean {
    const raw = this.raw(name);
    if (raw === undefined) return def;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    this.problems.push(`${name}=${JSON.stringify(raw)}: expected true or false`);
    return def;
  }

  oneOf(name: string, allowed: string[], def: string): string {
    const raw = this.raw(name);
    if (raw === undefined) return def;
    if (allowed.includes(raw)) return raw;
    this.problems.push(`${name}=${JSON.stringify(raw)}: expected one of ${allowed.join(', ')}`);
    return def;
  }
}

/** A setting parsed by the module that owns it (its error names the variable); `fallback` stands in when it fails. */
function owned<T>(r: EnvReader, parse: () => T, fallback: T): T {
  try { return parse(); } catch (e) { r.problems.push(e instanceof Error ? e.message : String(e)); return fallback; }
}

/** A key-like secret (BIOCHECK_ADMIN_KEY, BIOCHECK_METRICS_TOKEN): an admin key that authenticate() could never
 *  accept must not start the service silently answering 401, and a short token would be guessable. */
function secret(r: EnvReader, env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const { min, max } = ADMIN_KEY_LENGTH;
  if (raw.length < min || raw.length > max || /\s/.test(raw)) {
    r.problems.push(`${name}: expected ${min}..${max} characters without spaces, got ${raw.length} characters`);
    return undefined;
  }
  return raw;
}

function clusterConfig(r: EnvReader): ClusterConfig {
  const shards = r.int('BIOCHECK_SHARDS', 1, 1, 1024);
  const shard = r.int('BIOCHECK_SHARD', 0, 0, 1023);
  if (shard >= shards) r.problems.push(`BIOCHECK_SHARD=${shard}: expected 0..${shards - 1} (BIOCHECK_SHARDS=${shards})`);
  const natsUrl = r.raw('BIOCHECK_NATS_URL') ?? 'nats://127.0.0.1:4222';
  if (!/^(nats|tls):\/\/[^\s]+$/.test(natsUrl)) r.problems.push("BIOCHECK_NATS_URL: expected nats://host:port or tls://host:port (its value is not shown: it may hold credentials)");
  return {
    role: r.oneOf('BIOCHECK_ROLE', ['single', 'front', 'worker'], 'single') as ClusterRole,
    natsUrl, shards, shard,
    replica: r.int('BIOCHECK_REPLICA', 0, 0, 1023),
    searchDeadlineMs: r.int('BIOCHECK_SEARCH_DEADLINE_MS', 2_000, 10, 600_000),
  };
}

export function loadConfig(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const r = new EnvReader(env);
  const cores = Math.max(2, 2 * availableParallelism());
  const cfg: Config = {
    port: r.int('PORT', 8080, 0, 65535),
    host: r.raw('HOST') ?? '127.0.0.1',
    databaseUrl: r.raw('DATABASE_URL'),
    dataDir: path.resolve(r.raw('DATA_DIR') ?? './data'),
    adminKey: secret(r, env, 'BIOCHECK_ADMIN_KEY'),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    bodyLimit: r.int('BIOCHECK_BODY_LIMIT', 16 * 1024 * 1024, 1024),
    maxUploadBytes: r.int('BIOCHECK_MAX_UPLOAD_BYTES', 10 * 1024 * 1024, 1024),
    rateLimit: {
      perSecond: r.int('BIOCHECK_RATE_PER_SECOND', 200, 1),
      burst: r.int('BIOCHECK_RATE_BURST', 400, 1),
    },
    shutdownGraceMs: r.int('BIOCHECK_SHUTDOWN_GRACE_MS', 10_000, 0),
    admission: {
      maxInFlight: r.int('BIOCHECK_MAX_IN_FLIGHT', cores, 1, 10_000),
      maxQueue: r.int('BIOCHECK_MAX_QUEUE', 8 * cores, 0, 1_000_000),
      maxWaitMs: r.int('BIOCHECK_MAX_QUEUE_WAIT_MS', 1_000, 1, 600_000),
    },
    retainNoHitProbes: r.bool('BIOCHECK_RETAIN_NO_HIT_PROBES', false),
    probeRetentionDays: r.int('BIOCHECK_PROBE_RETENTION_DAYS', 90, 0, 36_500),
    connections: {
      enabled: r.bool('BIOCHECK_CONNECTIONS', true),
      paceMs: r.int('BIOCHECK_CONNECTIONS_PACE_MS', 0, 0, 60_000),
      ...(r.raw('BIOCHECK_CONNECTIONS_BATCH') ? { batch: r.int('BIOCHECK_CONNECTIONS_BATCH', 128, 1, 10_000) } : {}),
    },
    dbQueryTimeoutMs: r.int('BIOCHECK_DB_QUERY_TIMEOUT_MS', 10_000, 1, 3_600_000),
    face: {
      exactSearchMax: r.int('BIOCHECK_FACE_EXACT_MAX', 1_000_000, 0),
      quality: owned(r, () => loadQualityThresholds(env), loadQualityThresholds({})),
      pad: {
        enabled: r.oneOf('BIOCHECK_PAD', PAD_MODES, 'off') === 'on',
        minScore: owned(r, () => padMinScore(env), undefined),
      },
      runtime: owned(r, () => runtimeConfigFromEnv(env), runtimeConfigFromEnv({})),
    },
    vectorAddon: r.raw('BIOCHECK_VECTOR_ADDON'),
    metricsToken: secret(r, env, 'BIOCHECK_METRICS_TOKEN'),
    benchSkipAudit: r.bool('BIOCHECK_BENCH_SKIP_AUDIT', false),
    cluster: clusterConfig(r),
  };
  // A service without its audit log breaks the log's promise: only a bench, saying so, may start one.
  if (cfg.benchSkipAudit && !r.bool('BIOCHECK_BENCH', false)) {
    r.problems.push('BIOCHECK_BENCH_SKIP_AUDIT: a bench-only switch (no audit entries); refused unless BIOCHECK_BENCH=1, never for production');
  }
  const databaseUrl = cfg.databaseUrl;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    r.problems.push('DATABASE_URL: expected postgres://user:password@host:port/database');
  }
  const rt = cfg.face.runtime;
  if (rt.modelsConfigPath && !existsSync(rt.modelsConfigPath)) r.problems.push(`BIOCHECK_MODELS_CONFIG: no such file ${rt.modelsConfigPath}`);
  if (cfg.vectorAddon && !existsSync(cfg.vectorAddon)) r.problems.push(`BIOCHECK_VECTOR_ADDON: no such file ${cfg.vectorAddon}`);
  if (cfg.cluster.role === 'worker' && !databaseUrl) r.problems.push('BIOCHECK_ROLE=worker: DATABASE_URL is needed (the workers load their shard from the PostgreSQL the front uses)');
  if (r.problems.length) throw new ConfigError(r.problems);
  return { ...cfg, ...overrides };
}
