// The quality report every face answer carries (enrolments, checks, verifications): the measures, the
// ISO/IEC 29794-5-style unified score (0-100), and what falls short of the profile's thresholds as
// warnings. Other layers add fields beside these (e.g. presentationAttack); the shape stays an object.
import type { PresentationAttack } from './pad.ts';
import type { AnalysedFace } from './pipeline.ts';

export interface FaceQualityReport {
  /** Unified quality score 0-100 (weighted geometric mean of the measures' utilities). */
  score: number;
  faceWidthPx: number;
  interEyePx: number;
  sharpness: number;
  exposure: { mean: number; clippedLow: number; clippedHigh: number; contrast: number };
  yawDeg: number;
  pitchDeg: number;
  rollDeg: number;
  /** Faces in view that count; with several, the largest is the one used. */
  faceCount: number;
  detectorScore: number;
  /** Codes of the thresholds this capture misses (empty when none). */
  reasons: string[];
  /** The same as messages a caller can act on; under the strict policy these would have been a 422. */
  warnings: { code: string; message: string }[];
  presentationAttack?: PresentationAttack;
  [extra: string]: unknown;
}

const r1 = (v: number) => +v.toFixed(1);
const r3 = (v: number) => +v.toFixed(3);

export function qualityReport(r: AnalysedFace): FaceQualityReport {
  const q = r.quality;
  return {
    score: q.score0to100, faceWidthPx: r1(q.faceWidthPx), interEyePx: r1(q.interEyePx), sharpness: r3(q.sharpness),
    exposure: { mean: r1(q.exposure.mean), clippedLow: r3(q.exposure.clippedLow), clippedHigh: r3(q.exposure.clippedHigh), contrast: r3(q.exposure.contrast) },
    yawDeg: r1(q.yawDeg), pitchDeg: r1(q.pitchDeg), rollDeg: r1(q.rollDeg), faceCount: q.faceCount,
    detectorScore: r3(r.face.score),
    reasons: r.warnings.map((w) => w.code),
    warnings: r.warnings,
    ...(r.pad ? { presentationAttack: r.pad } : {}),
  };
}
