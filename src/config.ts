// Service configuration from the environment: one place, parsed and validated once at start.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { AdmissionLimits } from './http/admission.ts';

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
  /** The background connection search (N:N): on by default; `paceMs` pauses between batches to leave CPU to checks;
   *  `batch` samples per worker transaction (unset: the tuned default). */
  connections: { enabled: boolean; paceMs: number; batch?: number };
}

function int(name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  return v;
}

function bool(name: string, def: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

export function loadConfig(overrides: Partial<Config> = {}): Config {
  const cfg: Config = {
    port: int('PORT', 8080, 0, 65535),
    host: process.env.HOST || '127.0.0.1',
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: path.resolve(process.env.DATA_DIR || './data'),
    adminKey: process.env.BIOCHECK_ADMIN_KEY || undefined,
    logLevel: process.env.LOG_LEVEL || 'info',
    bodyLimit: int('BIOCHECK_BODY_LIMIT', 16 * 1024 * 1024, 1024),
    maxUploadBytes: int('BIOCHECK_MAX_UPLOAD_BYTES', 10 * 1024 * 1024, 1024),
    rateLimit: {
      perSecond: int('BIOCHECK_RATE_PER_SECOND', 200, 1),
      burst: int('BIOCHECK_RATE_BURST', 400, 1),
    },
    shutdownGraceMs: int('BIOCHECK_SHUTDOWN_GRACE_MS', 10_000, 0),
    admission: {
      maxInFlight: int('BIOCHECK_MAX_IN_FLIGHT', Math.max(2, 2 * availableParallelism()), 1, 10_000),
      maxQueue: int('BIOCHECK_MAX_QUEUE', 8 * Math.max(2, 2 * availableParallelism()), 0, 1_000_000),
      maxWaitMs: int('BIOCHECK_MAX_QUEUE_WAIT_MS', 1_000, 1, 600_000),
    },
    retainNoHitProbes: bool('BIOCHECK_RETAIN_NO_HIT_PROBES', false),
    connections: {
      enabled: bool('BIOCHECK_CONNECTIONS', true),
      paceMs: int('BIOCHECK_CONNECTIONS_PACE_MS', 0, 0, 60_000),
      ...(process.env.BIOCHECK_CONNECTIONS_BATCH ? { batch: int('BIOCHECK_CONNECTIONS_BATCH', 128, 1, 10_000) } : {}),
    },
  };
  return { ...cfg, ...overrides };
}
