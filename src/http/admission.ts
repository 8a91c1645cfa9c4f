// Bounded admission in front of the expensive routes (checks, enrolments, verifications): at most
// `maxInFlight` handlers run at once, at most `maxQueue` wait (each at most `maxWaitMs`), and anything
// beyond is answered at once with 503 OVERLOADED and Retry-After, so overload never turns into timeouts
// or unbounded memory. A request whose predicted wait (queue length x mean service time / slots) exceeds
// half the max wait is refused on arrival instead of after waiting for nothing. Routes opt in with `config: { admission: true }` or by being listed below.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig { admission?: boolean }
}

export interface AdmissionLimits {
  /** Handlers running at once. */
  maxInFlight: number;
  /** Requests waiting for a slot; one more is refused at once. */
  maxQueue: number;
  /** Longest a request waits for a slot before it is refused. */
  maxWaitMs: number;
}

/** The routes that search or extract (CPU-bound native search, ONNX, several queries each). */
export const ADMITTED_ROUTES: readonly string[] = [
  'POST /v1/checks',
  'POST /v1/subjects/:id/fingerprints',
  'POST /v1/subjects/:id/faces',
  'POST /v1/verifications',
];

/** Seconds a refused client is told to wait. */
const RETRY_AFTER_S = 1;

type Reason = 'queue_full' | 'expected_wait' | 'wait_timeout';

/** Weight of the newest handler duration in the running mean used to predict queue waits. */
const EWMA_ALPHA = 0.2;
/** A request queues only while its predicted wait is at most this share of the max wait: the prediction is a mean,
 *  and one that waits past maxWaitMs and is refused then is the slow refusal an overloaded service must not give. */
const QUEUE_WAIT_SHARE = 0.5;

interface Waiter { grant: () => void; timer: NodeJS.Timeout }

/** A counting semaphore with a bounded FIFO queue and a per-waiter deadline. */
export class Admission {
  private running = 0;
  private waiting: Waiter[] = [];
  private rejectedBy: Record<Reason, number> = { queue_full: 0, expected_wait: 0, wait_timeout: 0 };
  /** Running mean of how long an admitted request holds its slot (ms); 0 until one finished. */
  private serviceMs = 0;
  constructor(readonly limits: AdmissionLimits, private onReject: (reason: Reason) => void = () => {}) {
    if (limits.maxInFlight < 1) throw new Error('admission: maxInFlight must be at least 1');
  }

  get inFlight(): number { return this.running; }
  get queued(): number { return this.waiting.length; }
  get rejected(): Readonly<Record<Reason, number>> { return this.rejectedBy; }

  /** Resolves with a release function once a slot is held; rejects with OVERLOADED when none comes. */
  acquire(): Promise<() => void> {
    if (this.running < this.limits.maxInFlight && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    // Refuse at once, rather than after maxWaitMs, a request that would not get a slot in time anyway.
    const refusal = this.refusalOnArrival();
    if (refusal) return Promise.reject(refusal);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        grant: () => { clearTimeout(w.timer); this.running++; resolve(this.releaser()); },
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(w);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(this.refuse('wait_timeout'));
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(w);
    });
  }

  /**
   * The refusal a request arriving now would get, decided before anything is read or looked up for it (its body,
   * its key), so that saying no costs nothing; null when it may queue.
   */
  refusalOnArrival(): AppError | null {
    if (this.running < this.limits.maxInFlight && this.waiting.length === 0) return null;
    if (this.waiting.length >= this.limits.maxQueue) return this.refuse('queue_full');
    if (this.expectedWaitMs(this.waiting.length + 1) > this.limits.maxWaitMs * QUEUE_WAIT_SHARE) return this.refuse('expected_wait');
    return null;
  }

  /** Predicted wait of the n-th in line: n slot turnovers at maxInFlight slots, each the mean service time. */
  expectedWaitMs(n: number): number {
    return (n * this.serviceMs) / this.limits.maxInFlight;
  }

  private releaser(): () => void {
    let done = false;
    const since = performance.now();
    return () => {
      if (done) return;
      done = true;
      const took = performance.now() - since;
      this.serviceMs = this.serviceMs === 0 ? took : this.serviceMs + EWMA_ALPHA * (took - this.serviceMs);
      this.running--;
      const next = this.waiting.shift();
      if (next) next.grant();
    };
  }

  private refuse(reason: Reason): AppError {
    this.rejectedBy[reason]++;
    this.onReject(reason);
    const why = reason === 'queue_full' ? 'the wait queue is full'
      : reason === 'expected_wait' ? `the queue ahead would take over ${this.limits.maxWaitMs} ms` : `no slot freed within ${this.limits.maxWaitMs} ms`;
    return new AppError('OVERLOADED', `the service is at capacity (${why}); retry shortly`, { reason }, RETRY_AFTER_S);
  }
}

/**
 * Exposes the gauges and wraps the handlers of admitted routes. Call before the routes are added and before the
 * auth hook: an overloaded service refuses on arrival, before it reads the body or looks the key up.
 */
export function installAdmission(app: FastifyInstance, limits: AdmissionLimits, registry: Registry): Admission {
  const rejected = new Counter({
    name: 'biocheck_admission_rejected_total', help: 'Requests refused by admission control (503 OVERLOADED), by reason',
    labelNames: ['reason'], registers: [registry],
  });
  const admission = new Admission(limits, (reason) => rejected.inc({ reason }));
  new Gauge({
    name: 'biocheck_admission_in_flight', help: 'Admitted requests running now', registers: [registry],
    collect() { this.set(admission.inFlight); },
  });
  new Gauge({
    name: 'biocheck_admission_queued', help: 'Requests waiting for an admission slot', registers: [registry],
    collect() { this.set(admission.queued); },
  });
  new Gauge({
    name: 'biocheck_admission_limit', help: 'Admission limits', labelNames: ['limit'], registers: [registry],
    collect() {
      this.set({ limit: 'in_flight' }, limits.maxInFlight);
      this.set({ limit: 'queue' }, limits.maxQueue);
      this.set({ limit: 'wait_ms' }, limits.maxWaitMs);
    },
  });
  const admitted = new Set<string>();
  app.addHook('onRequest', async (req) => {
    if (!admitted.has(`${req.method} ${req.routeOptions.url}`)) return;
    const refusal = admission.refusalOnArrival();
    if (refusal) throw refusal;
  });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const listed = methods.some((m) => ADMITTED_ROUTES.includes(`${m} ${route.url}`));
    if (!listed && !route.config?.admission) return;
    for (const m of methods) admitted.add(`${m} ${route.url}`);
    const handler = route.handler as (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) => unknown;
    route.handler = async function admitted(this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
      const release = await admission.acquire();
      try {
        // A client that gave up while queued gets no work done for it.
        if (req.raw.socket?.destroyed === true) throw new AppError('OVERLOADED', 'the client left while the request waited');
        return await handler.call(this, req, reply);
      } finally {
        release();
      }
    } as RouteHandlerMethod;
  });
  return admission;
}
