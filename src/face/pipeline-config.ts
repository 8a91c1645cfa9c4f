// Tuned constants of the face pipeline (detection → landmarks → quality → alignment → embedding).

export const PIPELINE = {
  /** Tight crops (ORL, passport chips) hide the face's surroundings from the detector: pad the
   *  frame by this fraction of its longer side before detecting. */
  detectPadFraction: 0.25,
  /** Detections below this detector confidence are not faces. */
  minDetectionScore: 0.5,
  /** At most this many faces are analysed per image (the rest only count for MULTIPLE_FACES). */
  maxFaces: 5,
  /** The landmark net sees the face box grown by this fraction on each side. */
  landmarkPadFraction: 0.15,
  /** The presentation-attack model sees the face box grown to 1.4x (as human crops it for its models). */
  padCropScale: 1.4,
  /** Examiners' side-by-side crops: this size, the eyes this share of the width apart, their midpoint this far down. */
  displaySize: [240, 300] as [number, number],
  displayEyeShare: 0.3,
  displayEyeHeight: 0.42,
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
