// Prometheus metrics: request counts and latency per route, plus gauges other layers register.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppContext } from '../context.ts';

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
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('Content-Type', ctx.metrics.contentType);
    return ctx.metrics.metrics();
  });
}
