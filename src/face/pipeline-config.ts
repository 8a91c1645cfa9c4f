// Tuned constants of the face pipeline (detection → landmarks → quality → alignment → embedding).

export const PIPELINE = {
  /** Tight crops (ORL, passport chips) hide the face's surroundings from the detector: pad the
   *  frame by this fraction of its longer side before detecting. */
  detectPadFraction: 0.25,
  /** Detections at or above this detector confidence are faces. */
  minDetectionScore: 0.5,
  /** When none reaches minDetectionScore, the single best detection down to this confidence is used (with
   *  a LOW_DETECTOR_CONFIDENCE warning): small, blurred, dark captures score low. Measured on lfw_dev's
   *  all-combined variant (38 px, blurred, dark, turned, JPEG q20): 26 % of faces found at 0.5, 72 % at
   *  0.3; plain synthetic noise scores below 0.22, a blurred flat colour field up to 0.34. */
  fallbackDetectionScore: 0.35,
  /** Embed the aligned face and its mirror image and average the two (test-time augmentation). */
  flipAverage: true,
  /** At most this many faces are analysed per image (the rest only count for MULTIPLE_FACES). */
  maxFaces: 5,
  /** The landmark net sees the face box grown by this fraction on each side. */
  landmarkPadFraction: 0.15,
  /** The presentation-attack model sees the face box grown to 1.4x (as human crops it for its models). */
  padCropScale: 1.4,
} as const;

/** Minimum presentation-attack "real" score (0..1) to accept a capture; unset = measure and report only,
 *  because the shipped model is not validated here against real attacks. */
export function padMinScore(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.BIOCHECK_PAD_MIN_SCORE?.trim();
  if (!raw) return undefined;
  const v = Number(raw);
  if (!(v >= 0 && v <= 1)) throw new Error(`BIOCHECK_PAD_MIN_SCORE=${raw}: expected a number in 0..1`);
  return v;
}
