// What every route and service shares: configuration, the database, metrics, readiness, logging.
import type { Registry } from 'prom-client';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { Db } from './store/db.ts';
import type { Observations } from './observations.ts';

/** Named readiness conditions (database, models, indexes); /ready is 200 only when all hold. */
export class Readiness {
  private checks = new Map<string, () => boolean | Promise<boolean>>();
  register(name: string, check: () => boolean | Promise<boolean>): void { this.checks.set(name, check); }
  async status(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of this.checks) {
      try { checks[name] = await check(); } catch { checks[name] = false; }
    }
    return { ready: Object.values(checks).every(Boolean), checks };
  }
}

/** Things to close at shutdown, in reverse order of registration. */
export class Closer {
  private fns: { name: string; fn: () => Promise<void> | void }[] = [];
  add(name: string, fn: () => Promise<void> | void): void { this.fns.push({ name, fn }); }
  async closeAll(log: (m: string) => void): Promise<void> {
    for (const { name, fn } of this.fns.reverse()) {
      try { await fn(); } catch (e) { log(`closing ${name} failed: ${String(e)}`); }
    }
    this.fns = [];
  }
}

export interface DeletedSamples { face: number[]; finger: number[] }

/** Tells the search indexes what was deleted, after PostgreSQL committed it. */
export class SampleEvents {
  private deletedListeners: ((ids: DeletedSamples) => void)[] = [];
  onDeleted(fn: (ids: DeletedSamples) => void): void { this.deletedListeners.push(fn); }
  deleted(ids: DeletedSamples): void { for (const fn of this.deletedListeners) fn(ids); }
}

export interface AppContext {
  config: Config;
  db: Db;
  metrics: Registry;
  readiness: Readiness;
  closer: Closer;
  log: FastifyBaseLogger;
  samples: SampleEvents;
  /** Events and state the domain reports for operations (src/http/metrics.ts exports them). */
  observe: Observations;
  /** Services added by later layers (face, finger, checks...), keyed by name. */
  services: Record<string, unknown>;
}
