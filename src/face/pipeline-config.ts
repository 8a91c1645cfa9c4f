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
  /** Examiners' side-by-side crops: this size, the eyes this share of the width apart, their midpoint this far down. */
  displaySize: [240, 300] as [number, number],
  displayEyeShare: 0.3,
  displayEyeHeight: 0.42,
} as const;

/** Presentation-attack decisions: a face whose real-face score is below the model's threshold is called an
 *  attack. Thresholds are calibrated in bench/face-pad.ts (bench/results/face-pad.md) for the stated BPCER. */
export const PAD_DECISION: Record<string, { threshold: number; calibration: string }> = {
  /** BPCER 1 % on colour bona fide photos (nuaa_dev live frames + lfw_dev); there APCER 0 % on nuaa_dev's
   *  printed photos (held-out half: threshold 0.09, APCER 0 %, BPCER lfw 0.6 %); ORL's greyscale crops: 20 %. */
  'faceplugin-liveness': { threshold: 0.12, calibration: 'BPCER 1 % on nuaa_dev bona fide + lfw_dev, bench/face-pad.ts, 2026-12-02' },
  /** A model without a calibration here (human's, a BYO one): the midpoint of its 0..1 score. */
  default: { threshold: 0.5, calibration: 'uncalibrated midpoint' },
};

/** BIOCHECK_PAD_MIN_SCORE: a real-face score threshold (0..1) replacing the model's calibrated one. */
export function padMinScore(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.BIOCHECK_PAD_MIN_SCORE?.trim();
  if (!raw) return undefined;
  const v = Number(raw);
  if (!(v >= 0 && v <= 1)) throw new Error(`BIOCHECK_PAD_MIN_SCORE=${raw}: expected a number in 0..1`);
  return v;
}

/** Second detection passes where the whole frame gives no sure face (src/face/detect/second-pass.ts). */
export const SECOND_PASS = {
  /** Tiles when the frame's longer side is more than this many detector inputs; a tile is tileShrink inputs
   *  wide (at least 1/maxTilesPerSide of the frame), neighbours overlap by tileOverlap. */
  tileWhenShrinkAbove: 3,
  tileShrink: 2,
  maxTilesPerSide: 6,
  tileOverlap: 0.3,
  /** Detections of two passes overlapping by more than this IoU are one face. */
  sameFaceIou: 0.3,
} as const;

/** Small and blurred faces before landmarks and the embedder (src/face/degraded.ts). Measured on lfw_dev's
 *  poor-capture variants (bench/face-degraded.ts): upscaling 15 px faces raised rank-1 from 26 % to 33-36 %
 *  (to 64 or 100 px alike; a sharpened upscale or jittered alignments did not add); the unsharp mask below
 *  raised blurred (sigma 2) probes from 67 % to 86-87 % (amount 1: 82 %, 5: 86 %). */
export const POOR_CAPTURE = {
  /** Faces narrower than this (detector box, image pixels) are upscaled. lfw originals are about 60 px. */
  smallFaceWidthPx: 40,
  upscaleToWidthPx: 64,
  maxUpscale: 6,
  /** The upscaled or sharpened region: this many times the face box, centred on it. */
  regionScale: 3,
  /** Faces whose measured sharpness (quality.ts; the check profile's TOO_BLURRY threshold is 0.13) is below
   *  this are sharpened for the embedder: sigma this fraction of the face width, this amount. */
  sharpenBelowSharpness: 0.13,
  sharpenSigmaOverFaceWidth: 1 / 60,
  sharpenAmount: 3,
} as const;
