// What an examiner compares for one candidate's fingers: the probe finger and the enrolled finger it matched, both
// as minutiae, and the pairs the matcher counted. The enrolled side is biometric data of the subject, so it is
// shown only where the caller may see the identity (as the case view's enrolled samples).
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { calibrateFingerScore } from '../finger/calibrate.ts';
import { fingerPairing, templateMinutiae } from '../finger/matcher.ts';
import type { FingerMinutiae } from '../finger/types.ts';
import type { FingerModality, PreparedFinger } from '../fusion/modalities.ts';
import { extractProbes, parseTransaction } from '../ingest/itl/index.ts';
import type { Principal } from '../store/keys.ts';
import { caseCandidateViews, loadCase, type MatchedSample } from './access.ts';
import { probeRecords } from './probes.ts';

export interface FingerComparison {
  caseId: string;
  handle: string;
  fingers: {
    probeIndex: number;
    sampleId: number;
    score: number;
    probe: FingerMinutiae;
    enrolled: FingerMinutiae;
    pairs: [number, number][];
    transform: { rotation: number; tx: number; ty: number };
  }[];
}

/** The check's probe fingers in the order the check searched them (the `probe` index of each match). */
async function probeFingers(ctx: AppContext, finger: FingerModality, checkId: string): Promise<PreparedFinger[]> {
  return (await probeRecords(ctx.db, checkId)).filter((x) => x.modality === 'finger').flatMap((x) => {
    const bytes = new Uint8Array(x.data);
    if (x.format === 'ansi-nist-itl') {
      return extractProbes(parseTransaction(bytes)).fingers.map((f) => finger.fromMinutiae(f.minutiae, x.format, f.position));
    }
    return finger.prepare(bytes, x.position ?? undefined);
  });
}

export async function fingerComparison(ctx: AppContext, finger: FingerModality, p: Principal, caseId: string, handle: string, requestId: string): Promise<FingerComparison> {
  const k = await loadCase(ctx, p, caseId);
  const told = await caseCandidateViews(ctx, p, k, requestId, (c) => c.handle === handle);
  const c = told.viewed[0];
  if (!c) throw new AppError('NOT_FOUND', 'no such candidate in this case');
  if (!c.identityVisible) {
    throw new AppError('FORBIDDEN', "the owner agency has not disclosed this candidate: its enrolled fingers are not shown");
  }
  const matches = ((c.row.matched ?? []) as MatchedSample[]).filter((m) => m.modality === 'finger' && m.probe !== undefined);
  if (!matches.length) return { caseId: k.id, handle, fingers: [] };
  const probes = await probeFingers(ctx, finger, k.check_id);
  const samples = await ctx.db.query<{ id: string; template: Buffer }>(
    "SELECT id, template FROM samples WHERE modality = 'finger' AND id = ANY($1::bigint[])", [matches.map((m) => m.sampleId)]);
  const fingers = matches.flatMap((m) => {
    const probe = probes[m.probe!];
    const sample = samples.rows.find((s) => Number(s.id) === m.sampleId);
    if (!probe || !sample) return []; // the sample was deleted since the check
    const enrolled = new Uint8Array(sample.template);
    const pairing = fingerPairing(probe.template, enrolled);
    return [{
      probeIndex: m.probe!, sampleId: m.sampleId, score: +calibrateFingerScore(pairing.raw).toFixed(4),
      probe: templateMinutiae(probe.template), enrolled: templateMinutiae(enrolled),
      pairs: pairing.pairs, transform: pairing.transform,
    }];
  });
  return { caseId: k.id, handle, fingers: fingers.sort((a, b) => b.score - a.score) };
}
