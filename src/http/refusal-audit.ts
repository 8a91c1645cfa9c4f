// Refused /v1 calls go on the audit record under the caller's key: 401 where the key named one (revoked or
// with a wrong secret; unknown prefixes together under no key), 403, 404 to an authenticated caller (what
// another agency's resource answers), 429. A burst must not flood the log: the first refusal of a kind per
// key, route and minute is appended at once, the repeats after it as one count when the minute is over.
// Written after the response is sent, so the refusal's timing does not depend on it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { audit, type AuditEntry } from '../store/audit.ts';
import { keyNamedBy, type Principal } from '../store/keys.ts';
import { bearerKey } from './auth.ts';

declare module 'fastify' {
  interface FastifyRequest { errorCode?: string }
}

export const REFUSAL_WINDOW_MS = 60_000;
/** How often finished minutes are written out. */
const FLUSH_EVERY_MS = 10_000;
/** Aggregates kept at once; beyond, refusals count in one overflow aggregate (memory stays bounded). */
const MAX_BUCKETS = 10_000;
const AUDITED = new Set([401, 403, 404, 429]);
/** A refusal of the kinds audited here (the metrics count the same ones by code). */
export const isAuditedRefusal = (url: string, status: number): boolean => AUDITED.has(status) && url.startsWith('/v1/');

export interface Refusal {
  who: Omit<Principal, 'label'> | null; status: number; code: string; method: string; route: string; path: string; requestId: string;
}

interface Bucket { minute: number; first: Refusal; repeats: number }

/** Per key, kind and minute: the first refusal goes out at once, the rest as one count per minute. */
export class RefusalAggregator {
  private buckets = new Map<string, Bucket>();
  constructor(private write: (e: AuditEntry) => Promise<void>, private windowMs = REFUSAL_WINDOW_MS, private maxBuckets = MAX_BUCKETS) {}

  /** Returns the entry to write now, if this is the first of its kind in its minute. */
  record(r: Refusal, now = Date.now()): AuditEntry | null {
    const minute = Math.floor(now / this.windowMs);
    const id = `${r.who?.keyId ?? '-'}|${r.status}|${r.code}|${r.method} ${r.route}|${minute}`;
    const b = this.buckets.get(id);
    if (b) { b.repeats++; return null; }
    if (this.buckets.size >= this.maxBuckets) {
      // Too many kinds at once: count the rest together, under no key, written when the minute is over.
      const overflow = `overflow|${minute}`;
      const o = this.buckets.get(overflow) ?? { minute, first: { ...r, who: null, status: 0, code: '*', method: '*', route: '*' }, repeats: 0 };
      o.repeats++;
      this.buckets.set(overflow, o);
      return null;
    }
    this.buckets.set(id, { minute, first: r, repeats: 0 });
    return entry(r, { path: r.path.slice(0, 200) });
  }

  /** The repeat counts of finished minutes (all of them with `all`), removed from memory. */
  drain(now = Date.now(), all = false): AuditEntry[] {
    const minute = Math.floor(now / this.windowMs);
    const out: AuditEntry[] = [];
    for (const [id, b] of this.buckets) {
      if (!all && b.minute >= minute) continue;
      this.buckets.delete(id);
      if (b.repeats === 0) continue;
      out.push({
        ...entry(b.first, { repeats: b.repeats, since: new Date(b.minute * this.windowMs).toISOString(), ...(id.startsWith('overflow|') ? { overflow: true } : {}) }),
        action: 'request.refused.repeats', requestId: null,
      });
    }
    return out;
  }

  async flush(now = Date.now(), all = false): Promise<void> {
    for (const e of this.drain(now, all)) await this.write(e);
  }
}

const entry = (r: Refusal, extra: Record<string, unknown>): AuditEntry => ({
  keyId: r.who?.keyId ?? null, role: r.who?.role ?? null, agency: r.who?.agency ?? null, action: 'request.refused',
  requestId: r.requestId, details: { status: r.status, code: r.code, method: r.method, route: r.route, ...extra },
});

/** Who a refused request came from, if it is to be audited at all. */
async function refusedBy(ctx: AppContext, request: FastifyRequest, status: number): Promise<{ who: Refusal['who'] } | null> {
  if (request.principal) return { who: request.principal };
  if (status !== 401) return null; // 403/404/429 before authentication: no key to put it under
  const key = bearerKey(request);
  if (!key) return null;
  return { who: await keyNamedBy(ctx.db, key) };
}

export function installRefusalAudit(app: FastifyInstance, ctx: AppContext): RefusalAggregator {
  const write = (e: AuditEntry) => audit(ctx.db, e).catch((err) => ctx.log.warn({ err: String(err) }, 'refusal audit entry not written'));
  const agg = new RefusalAggregator(write);
  const timer = setInterval(() => { void agg.flush(); }, FLUSH_EVERY_MS);
  timer.unref();
  ctx.closer.add('refusal audit', async () => { clearInterval(timer); await agg.flush(Date.now(), true); });
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    if (!isAuditedRefusal(request.url, status)) return;
    try {
      const by = await refusedBy(ctx, request, status);
      if (!by) return;
      const e = agg.record({
        who: by.who, status, code: request.errorCode ?? String(status), method: request.method,
        route: request.routeOptions.url ?? 'unmatched', path: request.url.split('?')[0], requestId: request.id,
      });
      if (e) await write(e);
    } catch (err) {
      request.log.warn({ err: String(err) }, 'refusal not audited');
    }
  });
  return agg;
}
