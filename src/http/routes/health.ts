// Liveness and readiness.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';

export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/health', { schema: { tags: ['service'], summary: 'The process answers' } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { tags: ['service'], summary: 'Database, models and indexes loaded' } }, async (_req, reply) => {
    const s = await ctx.readiness.status();
    if (!s.ready) reply.status(503).header('Retry-After', '2');
    return { status: s.ready ? 'ready' : 'not-ready', checks: s.checks };
  });
}
