// Fuses per-comparison scores (each -log10 FMR) into one subject score on the same scale.
// Independent comparisons (the face, each probe finger) are combined with Fisher's method: the fused
// false-match rate is the chance that k impostor comparisons together look at least this good.
// A modality the probe or the subject lacks is simply absent (k is smaller): it does not penalise.
import { MAX_SCORE, fmrFromScore, scoreFromFmr } from './scale.ts';

export function fuseScores(scores: number[]): number {
  const k = scores.length;
  if (k === 0) return 0;
  if (k === 1) return Math.min(MAX_SCORE, Math.max(0, scores[0]));
  // q = product of the FMRs; P(chi2_{2k} >= -2 ln q) = q * sum_{i<k} (-ln q)^i / i!
  const lnq = scores.reduce((s, x) => s + Math.log(fmrFromScore(x)), 0);
  let term = 1;
  let sum = 1;
  for (let i = 1; i < k; i++) { term *= -lnq / i; sum += term; }
  const log10Fmr = (lnq + Math.log(sum)) / Math.LN10;
  return scoreFromFmr(10 ** log10Fmr);
}

export interface SubjectEvidence {
  subjectId: string;
  /** Best face comparison among the subject's face samples, if the probe had a face and the subject has faces. */
  face?: { score: number; raw: number; sampleId: number };
  /** Per probe finger, the best comparison with the subject's fingers. */
  fingers: { probe: number; score: number; raw: number; sampleId: number }[];
}

export interface FusedCandidate {
  subjectId: string;
  score: number;
  scores: { face?: number; finger?: number };
  matched: { sampleId: number; modality: 'face' | 'finger'; score: number; raw: number; probe?: number }[];
}

export function fuseSubject(e: SubjectEvidence): FusedCandidate {
  const fingerScores = e.fingers.map((f) => f.score);
  const finger = fingerScores.length ? fuseScores(fingerScores) : undefined;
  const all = [...(e.face ? [e.face.score] : []), ...fingerScores];
  return {
    subjectId: e.subjectId,
    score: fuseScores(all),
    scores: { ...(e.face ? { face: e.face.score } : {}), ...(finger !== undefined ? { finger } : {}) },
    matched: [
      ...(e.face ? [{ sampleId: e.face.sampleId, modality: 'face' as const, score: e.face.score, raw: e.face.raw }] : []),
      ...e.fingers.map((f) => ({ sampleId: f.sampleId, modality: 'finger' as const, score: f.score, raw: f.raw, probe: f.probe })),
    ],
  };
}
