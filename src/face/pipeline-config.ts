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
} as const;
