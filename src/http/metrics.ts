// Prometheus metrics: request counts and latency per route, the domain's figures (domain-metrics.ts), and gauges
// other layers register. /metrics needs an admin key or the scrape token (BIOCHECK_METRICS_TOKEN): per-watchlist
// figures would tell anyone the size and hit rate of a hit/no-hit list.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppContext } from '../context.ts';
import { installDomainMetrics } from './domain-metrics.ts';
import { bearer } from './schemas.ts';

export function createRegistry(): Registry {
  const r = new Registry();
  collectDefaultMetrics({ register: r, prefix: 'biocheck_process_' });
  return r;
}

export function installMetrics(app: FastifyInstance, ctx: AppContext): void {
  const requests = new Counter({
    name: 'biocheck_http_requests_total', help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'], registers: [ctx.metrics],
  });
  const latency = new Histogram({
    name: 'biocheck_http_request_duration_seconds', help: 'HTTP request latency by route',
    labelNames: ['method', 'route'], registers: [ctx.metrics],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  new Gauge({
    name: 'biocheck_db_pool_connections', help: 'PostgreSQL pool connections by state', labelNames: ['state'],
    registers: [ctx.metrics],
    collect() {
      const s = ctx.db.stats();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route template, not the URL, so ids do not explode the label set.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  installDomainMetrics(app, ctx);
  const token = ctx.config.metricsToken;
  app.get('/metrics', {
    config: { roles: ['admin'], ...(token ? { token: sameSecret(token) } : {}) },
    schema: { tags: ['service'], summary: 'Prometheus metrics (admin key or BIOCHECK_METRICS_TOKEN)', security: bearer },
  }, async (_req, reply) => {
    reply.header('Content-Type', ctx.metrics.contentType);
    return ctx.metrics.metrics();
  });
}

/** Compares in constant time (digests of equal length), so the answer's timing says nothing about the token. */
function sameSecret(secret: string): (presented: string) => boolean {
  const want = createHash('sha256').update(secret).digest();
  return (presented) => timingSafeEqual(createHash('sha256').update(presented).digest(), want);
}
