// Every tuned constant and threshold of the face front end (decode, align, quality), in one
// place. Quality thresholds can be overridden at start-up with the env variable
// BIOCHECK_FACE_QUALITY holding JSON: {"enrol": {...}, "check": {...}} (partial objects).

// ---------------------------------------------------------------- decode limits (src/ingest/image/limits.ts)
export { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../ingest/image/limits.ts';

// ---------------------------------------------------------------- alignment
export type Template5 = {
  /** Output size [width, height] in pixels. */
  size: [number, number];
  /** Landmarks in output pixels, order: image-left eye, image-right eye, nose tip,
   *  image-left mouth corner, image-right mouth corner (see align.ts for the convention). */
  points: [number, number][];
};

/** The standard InsightFace/ArcFace 112x112 five-point template (pixel centres at integers). */
export const ARCFACE_112_TEMPLATE: Readonly<Template5> = {
  size: [112, 112],
  points: [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
  ],
};

/** Before bilinear warping, halve the source (box filter) while the warp shrinks by more than
 *  this factor: bilinear sampling alone aliases when it skips source pixels. */
export const ALIGN_MAX_SHRINK_BEFORE_PYRAMID = 0.5;

// ---------------------------------------------------------------- quality measures
export const QUALITY_MEASURE = {
  /** The inner face box is resampled to this width before the Laplacian, so sharpness does not
   *  depend on the face's pixel size (measured: the same face at 100% and 50% scale within 5%). */
  sharpnessCanonicalWidth: 64,
  /** Fraction of the face box (centred) used for sharpness and exposure: skips hair/background. */
  innerBoxFraction: 0.8,
  /** Grey levels at or below / at or above count as clipped. */
  clipLowLevel: 8,
  clipHighLevel: 247,
  /** Contrast = (p95 - p5) / 255 of face-box luminance. */
  contrastLowPercentile: 0.05,
  contrastHighPercentile: 0.95,
  /** Pose from 5 landmarks (weak-perspective model of a mean face; see quality.ts):
   *  nose tip depth in front of the eye/mouth plane, in units of the eye-line to mouth-line
   *  distance, and the nose tip's frontal position between eye line (0) and mouth line (1). */
  noseDepthOverEyeMouth: 0.45,
  noseFrontalT: 0.5,
  /** Another detected face counts for MULTIPLE_FACES when its box width is at least this
   *  fraction of the assessed face's and its detector score at least minOtherFaceScore. */
  otherFaceMinRelativeWidth: 0.4,
  otherFaceMinScore: 0.5,
  /** score0to100 ramps: each component rises linearly from `bad` (0) to `good` (1). */
  scoreRamps: {
    interEyePx: { bad: 15, good: 60 },
    sharpness: { bad: 0.06, good: 0.25 },
    contrast: { bad: 0.1, good: 0.35 },
    /** exposure mean distance from mid-grey (128): good within 50, bad at 110. */
    exposureOffset: { bad: 110, good: 50 },
    clipped: { bad: 0.3, good: 0.02 },
    poseDeg: { bad: 45, good: 10 },
  },
} as const;

export interface QualityThresholds {
  minFaceWidthPx: number;
  minInterEyePx: number;
  minSharpness: number;
  minExposureMean: number;
  maxExposureMean: number;
  maxClippedLow: number;
  maxClippedHigh: number;
  minContrast: number;
  maxYawDeg: number;
  maxPitchDeg: number;
  maxRollDeg: number;
  /** Faces allowed in the image (1: any other significant face gives MULTIPLE_FACES). */
  maxFaces: number;
  /** Detector confidence below this gives LOW_DETECTOR_CONFIDENCE (such a face is found only by the
   *  pipeline's fallback for poor captures: see PIPELINE.fallbackDetectionScore). */
  minDetectorScore: number;
}

/** Enrolment (strict, ICAO-portrait-like) and check (lenient, live capture) thresholds.
 *  ICAO 9303 asks for >= 90 px between the eyes in a portrait; we enrol from 40 px because
 *  embedders work at 112-150 px face crops (about 35-45 px inter-eye). */
export const DEFAULT_QUALITY_THRESHOLDS: Readonly<{ enrol: QualityThresholds; check: QualityThresholds }> = {
  enrol: {
    minFaceWidthPx: 90,
    minInterEyePx: 40,
    minSharpness: 0.2,
    minExposureMean: 70,
    maxExposureMean: 200,
    maxClippedLow: 0.1,
    maxClippedHigh: 0.1,
    minContrast: 0.2,
    maxYawDeg: 20,
    maxPitchDeg: 20,
    maxRollDeg: 15,
    maxFaces: 1,
    minDetectorScore: 0.5,
  },
  check: {
    minFaceWidthPx: 40,
    minInterEyePx: 18,
    minSharpness: 0.13,
    minExposureMean: 45,
    maxExposureMean: 220,
    maxClippedLow: 0.3,
    maxClippedHigh: 0.3,
    minContrast: 0.1,
    maxYawDeg: 40,
    maxPitchDeg: 30,
    maxRollDeg: 35,
    maxFaces: 1,
    minDetectorScore: 0.5,
  },
};

export type QualityProfile = 'enrol' | 'check';

/** Defaults merged with BIOCHECK_FACE_QUALITY (JSON). A malformed override is a start-up error. */
export function loadQualityThresholds(
  env: Record<string, string | undefined> = process.env,
): { enrol: QualityThresholds; check: QualityThresholds } {
  const raw = env.BIOCHECK_FACE_QUALITY;
  const out = { enrol: { ...DEFAULT_QUALITY_THRESHOLDS.enrol }, check: { ...DEFAULT_QUALITY_THRESHOLDS.check } };
  if (raw === undefined || raw.trim() === '') return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new Error(`BIOCHECK_FACE_QUALITY is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('BIOCHECK_FACE_QUALITY must be a JSON object {"enrol": {...}, "check": {...}}');
  }
  for (const [profile, values] of Object.entries(parsed as Record<string, unknown>)) {
    if (profile !== 'enrol' && profile !== 'check') {
      throw new Error(`BIOCHECK_FACE_QUALITY: unknown profile "${profile}" (expected "enrol" or "check")`);
    }
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new Error(`BIOCHECK_FACE_QUALITY.${profile} must be an object`);
    }
    const target = out[profile] as unknown as Record<string, number>;
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      if (!(key in target)) throw new Error(`BIOCHECK_FACE_QUALITY.${profile}: unknown threshold "${key}"`);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new Error(`BIOCHECK_FACE_QUALITY.${profile}.${key} must be a finite number`);
      }
      target[key] = value;
    }
  }
  return out;
}
