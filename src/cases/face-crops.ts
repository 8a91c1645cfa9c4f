// The faces of a case as an examiner compares them: the probe's face, or a candidate's enrolled face, aligned so
// that the eyes sit at the same place in every crop. An enrolled face is shown only where the caller may see the
// candidate's identity (the case view's rule: access.ts asks views.ts).
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { FaceModality } from '../fusion/modalities.ts';
import type { Principal } from '../store/keys.ts';
import { caseCandidateViews, loadCase, type MatchedSample } from './access.ts';
import { probeRecords } from './probes.ts';

/** which: 'probe', or the id of an enrolled face sample that matched a candidate of this case. */
export async function caseFaceCrop(ctx: AppContext, face: FaceModality, p: Principal, caseId: string, which: string, requestId: string): Promise<{ caseId: string; png: Uint8Array }> {
  const k = await loadCase(ctx, p, caseId);
  let image: Buffer | undefined;
  if (which === 'probe') {
    image = (await probeRecords(ctx.db, k.check_id)).find((x) => x.modality === 'face')?.data;
    if (!image) throw new AppError('NOT_FOUND', 'this case keeps no probe face');
  } else {
    const sampleId = Number(which);
    const isThis = (m: MatchedSample) => m.modality === 'face' && m.sampleId === sampleId;
    const { viewed } = await caseCandidateViews(ctx, p, k, requestId, (c) => ((c.matched ?? []) as MatchedSample[]).some(isThis));
    // Not matched in this case, or not visible to this caller: the same answer, so the sample's existence stays hidden.
    if (!viewed.some((v) => v.identityVisible)) throw new AppError('NOT_FOUND', 'no such face in this case');
    image = (await ctx.db.query<{ source: Buffer | null }>("SELECT source FROM samples WHERE id = $1 AND modality = 'face'", [sampleId])).rows[0]?.source ?? undefined;
    if (!image) throw new AppError('NOT_FOUND', 'the enrolled face is no longer stored');
  }
  return { caseId: k.id, png: await face.displayCrop!(new Uint8Array(image)) };
}
