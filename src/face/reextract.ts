// Re-extraction of the face gallery after a change of embedder: every stored template made by another
// embedder is computed again from its stored enrolment image, one sample per transaction (resumable).
import { AppError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { countLive, replaceTemplate, staleSamples } from '../store/samples.ts';
import { compatibleExtractors } from './embedder-identity.ts';
import type { FacePipeline } from './pipeline.ts';

export interface ReextractProgress { done: number; total: number; failed: number }
export interface ReextractResult extends ReextractProgress { failures: { sampleId: number; reason: string }[] }

const PAGE = 100;

export async function reextractFaces(db: Db, pipeline: FacePipeline, identity: string, onProgress: (p: ReextractProgress) => void = () => {}): Promise<ReextractResult> {
  const ours = compatibleExtractors(identity);
  const total = (await countLive(db, 'face')) - (await countLive(db, 'face', ours));
  const failures: ReextractResult['failures'] = [];
  let done = 0;
  let after = 0;
  for (;;) {
    const page = await staleSamples(db, 'face', ours, after, PAGE);
    if (!page.length) break;
    for (const s of page) {
      after = s.id;
      if (!s.source) { failures.push({ sampleId: s.id, reason: 'no stored enrolment image' }); continue; }
      try {
        // The image was accepted at enrolment: use it whatever the quality thresholds say today.
        const r = await pipeline.analyse(new Uint8Array(s.source), 'enrol', { policy: 'inform' });
        const e = r.embedding;
        if (await replaceTemplate(db, s.id, new Uint8Array(e.buffer, e.byteOffset, e.byteLength), identity)) done++;
      } catch (err) {
        failures.push({ sampleId: s.id, reason: err instanceof AppError ? err.code : String(err) });
      }
    }
    onProgress({ done, total, failed: failures.length });
  }
  return { done, total, failed: failures.length, failures };
}
