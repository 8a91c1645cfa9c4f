// Cosine similarity of two L2-normalised embeddings → -log10(FMR), per embedder, measured on impostor
// pairs (bench/face-accuracy.ts writes the table). Until an embedder is measured, a conservative curve.
import { interpolateCalibration } from '../fusion/scale.ts';
import { MEASURED_FACE_CALIBRATIONS } from './calibration-data.ts';
import { OPTION_FACE_CALIBRATIONS } from './calibration-options.ts';

export interface FaceCalibration {
  embedder: string; source: string; points: [number, number][];
  /** Where the table is measured: empirical up to maxScore (cosine maxRaw); above it, extrapolated. */
  measured?: { maxScore: number; maxRaw: number; impostors: number; note: string };
}

/** The default embedder's (and faceres') tables, then those of the optional embedders (bench/face-embedders.ts). */
export const FACE_CALIBRATIONS: FaceCalibration[] = [
  ...MEASURED_FACE_CALIBRATIONS,
  ...OPTION_FACE_CALIBRATIONS.filter((c) => !MEASURED_FACE_CALIBRATIONS.some((m) => m.embedder === c.embedder)),
];

/** Claims little evidence below a high similarity: a stale or missing table never inflates scores. */
const CONSERVATIVE: [number, number][] = [[0.5, 0], [0.8, 1], [0.9, 2], [0.95, 3], [0.99, 4]];

export function faceCalibration(embedder: string): (raw: number) => number {
  const table = FACE_CALIBRATIONS.find((c) => c.embedder === embedder)?.points ?? CONSERVATIVE;
  return (raw) => interpolateCalibration(table, raw);
}
