// The two cluster roles of the one codebase. front: the service of `npm start` whose face and finger modalities
// search the shards over NATS (no gallery of its own). worker: no HTTP, one shard of the galleries.
import type { AppContext } from '../context.ts';
import type { Config } from '../config.ts';
import { connectionsModule } from '../connections/module.ts';
import { compatibleExtractors, embedderIdentity } from '../face/embedder-identity.ts';
import { DEFAULT_FACE_ROLES } from '../face/modality.ts';
import type { Modalities } from '../fusion/modalities.ts';
import { biometricRoutesModule } from '../modules.ts';
import { loadModelRegistry, runtimeConfigFromEnv } from '../runtime/index.ts';
import type { Module } from '../service.ts';
import { Db } from '../store/db.ts';
import { ClusterLink } from './link.ts';
import { RemoteFaceModality } from './remote-face.ts';
import { RemoteFingerModality } from './remote-finger.ts';
import { ShardWorker, type WorkerLog } from './worker.ts';

/** NATS, the changes stream, and one readiness condition per shard; the modules after it use the link. */
export function clusterLinkModule(onOpen: (link: ClusterLink) => void): Module {
  return {
    name: 'cluster',
    async start(ctx: AppContext) {
      const link = await ClusterLink.open(ctx);
      ctx.closer.add('cluster link', () => link.close());
      link.coverage.register((name, check) => ctx.readiness.register(name, check));
      onOpen(link);
    },
  };
}

/** The front's modules: `which` leaves out a modality (a test or a fingerprint-only front). */
export function frontModules(which: { face?: boolean; finger?: boolean; connections?: boolean } = {}): Module[] {
  const mods: Modalities = {};
  let link: ClusterLink | undefined;
  const linked = () => { if (!link) throw new Error('the cluster link starts before the modalities'); return link; };
  const out: Module[] = [clusterLinkModule((l) => { link = l; }), biometricRoutesModule(mods)];
  if (which.finger !== false) out.push({ name: 'fingerprints', async start() { mods.finger = new RemoteFingerModality(linked()); } });
  if (which.face !== false) {
    out.push({
      name: 'faces',
      async start(ctx) {
        const face = await RemoteFaceModality.start(ctx, linked());
        ctx.closer.add('face models', () => face.close());
        mods.face = face;
      },
    });
  }
  // The connection search runs on the front through the same modalities (its searches fan out like a check's).
  if (which.connections !== false) out.push(connectionsModule(mods));
  return out;
}

/** The embedder's extractor values, read from the model registry without starting the models. */
export async function faceExtractors(): Promise<string[]> {
  const rt = runtimeConfigFromEnv();
  const registry = await loadModelRegistry({ config: rt.modelsConfigPath ?? { roles: { ...DEFAULT_FACE_ROLES } } });
  const embedder = registry.roles.embedder;
  if (!embedder) throw new Error('no face embedder is configured: the worker cannot tell which face templates to load');
  return compatibleExtractors(await embedderIdentity(embedder));
}

/** BIOCHECK_ROLE=worker: runs until SIGTERM or SIGINT. */
export async function runWorker(config: Config): Promise<void> {
  const { shard, shards, replica } = config.cluster;
  const tag = `[biocheck worker ${shard}/${shards} r${replica}]`;
  const log: WorkerLog = {
    info: (m) => console.log(`${tag} ${m}`),
    error: (m, err) => console.error(`${tag} ${m}${err ? `: ${err instanceof Error ? err.message : String(err)}` : ''}`),
  };
  const db = new Db(config.databaseUrl!);
  const worker = new ShardWorker(config.cluster, db, await faceExtractors(), log, config.face.exactSearchMax);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    await worker.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  try {
    await worker.start();
  } catch (e) {
    await worker.stop();
    await db.close();
    throw e;
  }
}
