// The faces of a case as an examiner compares them: the probe's face, or a candidate's enrolled face, aligned so
// that the eyes sit at the same place in every crop. An enrolled face is shown only where the caller may see the
// candidate's identity (as the case view's enrolled samples).
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { FaceModality } from '../fusion/modalities.ts';
import type { Principal } from '../store/keys.ts';
import { listWatchlists } from '../store/watchlists.ts';
import { loadCase } from './access.ts';
import { identityVisible } from './views.ts';

/** which: 'probe', or the id of an enrolled face sample that matched a candidate of this case. */
export async function caseFaceCrop(ctx: AppContext, face: FaceModality, p: Principal, caseId: string, which: string): Promise<{ caseId: string; png: Uint8Array }> {
  const k = await loadCase(ctx, p, caseId);
  let image: Buffer | undefined;
  if (which === 'probe') {
    image = (await ctx.db.query<{ data: Buffer }>("SELECT data FROM check_probes WHERE check_id = $1 AND modality = 'face' ORDER BY id LIMIT 1", [k.check_id])).rows[0]?.data;
    if (!image) throw new AppError('NOT_FOUND', 'this case keeps no probe face');
  } else {
    const sampleId = Number(which);
    const rows = (await ctx.db.query<{ watchlist: string; matched: { sampleId: number; modality: string }[]; disclosed_at: Date | null }>(
      'SELECT watchlist, matched, disclosed_at FROM case_candidates WHERE case_id = $1', [k.id])).rows;
    const owner = rows.find((c) => c.matched.some((m) => m.modality === 'face' && m.sampleId === sampleId));
    const wl = await listWatchlists(ctx.db);
    const w = owner && wl.find((x) => x.id === owner.watchlist);
    // Not matched in this case, or not visible to this caller: the same answer, so the sample's existence stays hidden.
    if (!owner || !w || !identityVisible(p, w, owner.disclosed_at?.toISOString() ?? null)) throw new AppError('NOT_FOUND', 'no such face in this case');
    image = (await ctx.db.query<{ source: Buffer | null }>("SELECT source FROM samples WHERE id = $1 AND modality = 'face'", [sampleId])).rows[0]?.source ?? undefined;
    if (!image) throw new AppError('NOT_FOUND', 'the enrolled face is no longer stored');
  }
  return { caseId: k.id, png: await face.displayCrop!(new Uint8Array(image)) };
}
