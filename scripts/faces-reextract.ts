// `npm run faces:reextract`: after a change of face embedder (BIOCHECK_MODELS_CONFIG), re-extracts every stored
// face template made by another embedder from its stored enrolment image, with the embedder configured now.
// Run it with the service's environment (DATABASE_URL or DATA_DIR) while the service is stopped; it resumes
// where it stopped if interrupted. Samples it cannot re-extract are listed: delete or re-enrol them.
import { loadConfig } from '../src/config.ts';
import { embedderIdentity } from '../src/face/embedder-identity.ts';
import { openFacePipeline } from '../src/face/modality.ts';
import { reextractFaces } from '../src/face/reextract.ts';
import { createService } from '../src/service.ts';

const service = await createService(loadConfig(), [], { logger: false });
const { ctx } = service;
const { pools, pipeline } = await openFacePipeline(ctx);
let code = 0;
try {
  const identity = await embedderIdentity(pipeline.embedderModel);
  console.log(`[faces:reextract] embedder ${identity}`);
  const r = await reextractFaces(ctx.db, pipeline, identity, (p) => console.log(`[faces:reextract] ${p.done + p.failed}/${p.total} (${p.failed} failed)`));
  console.log(`[faces:reextract] done: ${r.done} of ${r.total} re-extracted, ${r.failed} failed`);
  for (const f of r.failures) console.log(`[faces:reextract]   sample ${f.sampleId}: ${f.reason}`);
  if (r.failed) {
    console.log('[faces:reextract] the service will not start while these remain: DELETE /v1/subjects/{id}/faces/{sampleId} them or re-enrol');
    code = 2;
  }
} finally {
  await pools.close();
  await service.close();
}
process.exit(code);
