// The connections capability: the background worker (unless BIOCHECK_CONNECTIONS=off) and its routes.
import type { AppContext } from '../context.ts';
import type { Modalities } from '../fusion/modalities.ts';
import { connectionRoutes } from '../http/routes/connections.ts';
import type { Module } from '../service.ts';
import { ConnectionWorker } from './worker.ts';

export function connectionsModule(mods: Modalities): Module {
  return {
    name: 'connections',
    async start(ctx: AppContext) {
      if (!ctx.config.connections.enabled) return;
      const worker = new ConnectionWorker(ctx, mods, ctx.config.connections.paceMs, ctx.config.connections.batch);
      ctx.samples.onDeleted((ids) => {
        worker.refreshSamples([...ids.face, ...ids.finger]).catch((e) => ctx.log.error({ err: e }, 'refreshing connections after a deletion failed'));
      });
      worker.start();
      ctx.closer.add('connection worker', () => worker.stop());
    },
    routes: connectionRoutes,
  };
}
