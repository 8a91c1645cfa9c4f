// Assembles the service: database (embedded or DATABASE_URL), migrations, bootstrap key, HTTP app.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { Closer, Readiness, SampleEvents, type AppContext } from './context.ts';
import { buildApp, type RouteInstaller } from './http/app.ts';
import { startProbeRetention } from './cases/retention.ts';
import { createRegistry } from './http/metrics.ts';
import { Observations } from './observations.ts';
import { Db } from './store/db.ts';
import { startEmbeddedPostgres } from './store/embedded.ts';
import { countAdminKeys, createKey, importAdminKey } from './store/keys.ts';
import { migrate } from './store/migrate.ts';
import { sealAudit } from './store/audit-chain.ts';
import { AuditSealer } from './store/audit-sealer.ts';
import { skipAuditForBench } from './store/audit.ts';

/** Agency of the bootstrap admin key. */
const BOOTSTRAP_AGENCY = 'ADMIN';

/** A later layer: starts its services (models, indexes) and adds its routes. */
export interface Module {
  name: string;
  start(ctx: AppContext): Promise<void>;
  routes?: RouteInstaller;
}

export interface Service {
  app: FastifyInstance; ctx: AppContext; close(): Promise<void>; bootstrapKey?: string;
  /** Starts the modules (models, indexes); with `deferModules` the caller runs it after listening. */
  startModules(): Promise<void>;
}

export async function createService(config: Config, modules: Module[] = [], opts: { logger?: boolean | object; deferModules?: boolean } = {}): Promise<Service> {
  const closer = new Closer();
  const early = (m: string) => { if (opts.logger !== false) console.log(`[biocheck] ${m}`); };
  let url = config.databaseUrl;
  if (!url) {
    const pg = await startEmbeddedPostgres(config.dataDir, early);
    closer.add('embedded PostgreSQL', () => pg.stop());
    url = pg.url;
  }
  const db = new Db(url, undefined, config.dbQueryTimeoutMs);
  closer.add('database pool', () => db.close());
  try {
    await migrate(db, early);
    let bootstrapKey: string | undefined;
    if (config.adminKey) await importAdminKey(db, config.adminKey, BOOTSTRAP_AGENCY);
    else if ((await countAdminKeys(db)) === 0) {
      bootstrapKey = (await createKey(db.pool, 'admin', BOOTSTRAP_AGENCY, 'bootstrap', null)).key;
    }
    skipAuditForBench(config.benchSkipAudit);
    if (config.benchSkipAudit) early('BENCH ONLY: BIOCHECK_BENCH_SKIP_AUDIT is set, no audit entries are written (never for production)');
    // Entries a previous run committed but did not seal (a crash) are sealed before anything new is appended.
    await sealAudit(db);
    const ctx: AppContext = {
      config, db, metrics: createRegistry(), readiness: new Readiness(), closer,
      log: undefined as unknown as AppContext['log'], samples: new SampleEvents(), observe: new Observations(), services: {},
    };
    ctx.readiness.register('database', () => db.ping());
    const sealer = new AuditSealer(db, undefined, (e) => ctx.log?.warn({ err: e }, 'audit sealing failed; will retry'));
    closer.add('audit sealer', () => sealer.stop());
    const app = await buildApp(ctx, modules.flatMap((m) => (m.routes ? [m.routes] : [])), opts.logger ?? true);
    startProbeRetention(ctx);
    let started: Promise<void> | undefined;
    const loaded = new Set<string>();
    for (const m of modules) ctx.readiness.register(m.name, () => loaded.has(m.name));
    const startModules = () => {
      started ??= (async () => { for (const m of modules) { await m.start(ctx); loaded.add(m.name); } })();
      return started;
    };
    if (!opts.deferModules) await startModules();
    return {
      app, ctx, bootstrapKey, startModules,
      close: async () => {
        await app.close();
        await closer.closeAll((m) => early(m));
      },
    };
  } catch (e) {
    await closer.closeAll(early);
    throw e;
  }
}
