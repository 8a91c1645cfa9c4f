// Which embedder made a stored face template: its id and the sha256 of its ONNX file. Templates of two
// models (or two versions of one) are never compared; a change of embedder is found at start.
import { sha256File, type ModelDescriptor } from '../runtime/index.ts';
import type { Db } from '../store/db.ts';
import { countByExtractor } from '../store/samples.ts';

export async function embedderIdentity(desc: ModelDescriptor): Promise<string> {
  return `${desc.id}@sha256:${desc.sha256 ?? await sha256File(desc.path)}`;
}

/** Extractor values this embedder's templates carry: its identity, and its bare id on samples stored
 *  before identities carried the file's hash. */
export const compatibleExtractors = (identity: string): string[] => [identity, identity.split('@')[0]];

const short = (e: string) => e.replace(/@sha256:([0-9a-f]{12})[0-9a-f]*/, '@sha256:$1…');

/** Throws a one-line message saying what to do when stored face templates come from another embedder. */
export async function refuseOtherEmbedders(db: Db, identity: string): Promise<void> {
  const ok = compatibleExtractors(identity);
  const others = (await countByExtractor(db, 'face')).filter((e) => !ok.includes(e.extractor));
  if (!others.length) return;
  const list = others.map((e) => `${short(e.extractor)}: ${e.samples} sample(s)`).join(', ');
  throw new Error(`the configured face embedder is ${short(identity)}, but stored face templates were made by another (${list}); `
    + 'run `npm run faces:reextract` (same environment) to re-extract them from the stored enrolment images, or configure the previous embedder again');
}
