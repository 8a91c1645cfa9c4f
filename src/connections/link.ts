// One connection's score from the comparisons between two subjects' samples, on the check scale.
import { levelOf, type Level } from '../fusion/decide.ts';
import { fuseSubject } from '../fusion/fuse.ts';
import { LINK_THRESHOLDS } from './tuning.ts';

export interface Evidence { probeSample: number; targetSample: number; modality: 'face' | 'finger'; score: number; raw: number }

export interface PairScore {
  score: number;
  scores: { face?: number; finger?: number };
  level: Level;
  /** The samples of both subjects the score rests on. */
  samples: number[];
}

/**
 * The best face comparison, and each finger compared once: a finger pair found from both sides is one
 * comparison, and a sample takes part in at most one finger comparison (greedy by score), so that
 * independent evidence only is fused (Fisher's method, as in checks).
 */
export function scorePair(evidence: readonly Evidence[], gallerySize: number): PairScore {
  const faces = evidence.filter((e) => e.modality === 'face').sort((a, b) => b.score - a.score);
  const used = new Set<number>();
  const fingers: { probe: number; score: number; raw: number; sampleId: number }[] = [];
  for (const e of evidence.filter((x) => x.modality === 'finger').sort((a, b) => b.score - a.score)) {
    if (used.has(e.probeSample) || used.has(e.targetSample)) continue;
    used.add(e.probeSample);
    used.add(e.targetSample);
    fingers.push({ probe: fingers.length, score: e.score, raw: e.raw, sampleId: e.targetSample });
  }
  const face = faces[0];
  const fused = fuseSubject({ subjectId: '', fingers, ...(face ? { face: { score: face.score, raw: face.raw, sampleId: face.targetSample } } : {}) });
  return {
    score: fused.score,
    scores: fused.scores,
    level: levelOf(fused.score, LINK_THRESHOLDS, gallerySize),
    samples: [...new Set([...(face ? [face.probeSample, face.targetSample] : []), ...used])].sort((a, b) => a - b),
  };
}
