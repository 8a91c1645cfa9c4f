// The capabilities the service runs with by default, each started after the database is up.
import type { AppContext } from './context.ts';
import { connectionsModule } from './connections/module.ts';
import { FaceService } from './face/modality.ts';
import { FingerService } from './finger/modality.ts';
import type { Modalities } from './fusion/modalities.ts';
import { useVectorAddon } from './search/native.ts';
import { ITL_ENROL_PARSERS, ITL_PARSERS, itlResponder } from './http/itl.ts';
import { checkRoutes } from './http/routes/checks.ts';
import { comparisonRoutes } from './http/routes/comparison.ts';
import { enrolRoutes } from './http/routes/enrol.ts';
import { verificationRoutes } from './http/routes/verifications.ts';
import type { Module } from './service.ts';

/** Fingerprints: native galleries loaded from PostgreSQL; deletions leave the galleries at once. */
export function fingerModule(mods: Modalities): Module {
  return {
    name: 'fingerprints',
    async start(ctx: AppContext) {
      const svc = new FingerService();
      ctx.observe.index('finger', () => ({ state: mods.finger === svc ? 'ready' : 'building', size: svc.size }));
      await svc.load(ctx.db, (m) => ctx.log.info(m));
      ctx.samples.onDeleted((ids) => { svc.remove(ids.finger).catch((e) => ctx.log.error({ err: e }, 'removing deleted fingers from the gallery failed')); });
      mods.finger = svc;
    },
  };
}

/** Faces: ONNX models in worker pools, the HNSW index from its snapshot plus PostgreSQL. */
export function faceModule(mods: Modalities): Module {
  return {
    name: 'faces',
    async start(ctx: AppContext) {
      if (ctx.config.vectorAddon) useVectorAddon(ctx.config.vectorAddon);
      ctx.observe.index('face', () => ({ state: 'building', size: 0 }));
      const svc = await FaceService.start(ctx);
      ctx.observe.index('face', () => svc.indexState());
      ctx.closer.add('face models and index', () => svc.close());
      ctx.samples.onDeleted((ids) => svc.remove(ids.face));
      mods.face = svc;
    },
  };
}

/** The biometric routes (enrolment, checks, verification), served by whatever modalities are loaded. */
export function biometricRoutesModule(mods: Modalities): Module {
  return {
    name: 'biometric routes',
    async start() {},
    routes: (app, ctx) => {
      enrolRoutes(mods, ITL_ENROL_PARSERS)(app, ctx);
      checkRoutes(mods, { parsers: ITL_PARSERS, responders: [itlResponder] })(app, ctx);
      verificationRoutes(mods)(app, ctx);
      comparisonRoutes(mods)(app, ctx);
    },
  };
}

export async function defaultModules(): Promise<Module[]> {
  const mods: Modalities = {};
  return [biometricRoutesModule(mods), fingerModule(mods), faceModule(mods), connectionsModule(mods)];
}
