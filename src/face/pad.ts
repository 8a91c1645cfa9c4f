// Presentation-attack detection (ISO/IEC 30107 "PAD") behind the `pad` role: how each model wants its
// face crop and how its output becomes a real-face score, and the decision at the calibrated threshold.
import type { InferencePool, ModelDescriptor } from '../runtime/index.ts';
import { cropAndResize, toTensor } from './align.ts';
import type { Box, RgbImage } from './image.ts';
import { inputSize, tensorSpec } from './model-input.ts';
import { PAD_DECISION, PIPELINE } from './pipeline-config.ts';

/** What every face answer carries with PAD on: higher realScore = more likely a live face. */
export interface PresentationAttack { realScore: number; attack: boolean }

interface PadExtra {
  /** MiniFASNet-style crop: the box scaled by `scale` (less if the image is smaller), kept inside the image;
   *  `antialias: false` resizes it with plain bilinear sampling, as the model's own preprocessing (OpenCV) does. */
  crop?: { scale?: number; clampToImage?: boolean; antialias?: boolean };
  /** Output read as logits: softmax, then the live class. */
  score?: { softmax?: boolean; liveIndex?: number };
}

/** The region a clamped-crop model sees: the box widened by up to `scale` around its centre, shifted
 *  (not cut) to stay inside the image, as the Silent-Face/MiniFASNet preprocessing does. */
export function clampedCropBox(box: Box, scale: number, width: number, height: number): Box {
  const s = Math.min((height - 1) / box.height, (width - 1) / box.width, scale);
  const w = box.width * s;
  const h = box.height * s;
  const x = Math.min(Math.max(0, box.x + box.width / 2 - w / 2), Math.max(0, width - 1 - w));
  const y = Math.min(Math.max(0, box.y + box.height / 2 - h / 2), Math.max(0, height - 1 - h));
  return { x, y, width: w, height: h };
}

export function softmax(logits: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(logits));
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The model's real-face score (0..1) for the face in `box`. */
export async function realFaceScore(pool: InferencePool, desc: ModelDescriptor, image: RgbImage, box: Box): Promise<number> {
  const extra = desc.extra as PadExtra;
  const size = inputSize(desc);
  const crop = extra.crop?.clampToImage
    ? cropAndResize(image, clampedCropBox(box, extra.crop.scale ?? 1, image.width, image.height), size, 0, { keepAspect: false, antialias: extra.crop.antialias ?? true })
    : cropAndResize(image, box, size, ((extra.crop?.scale ?? PIPELINE.padCropScale) - 1) / 2);
  const out = await pool.infer(toTensor(crop, tensorSpec(desc)));
  const raw = out[desc.outputs[0]?.name ?? ''] ?? Object.values(out)[0];
  const score = extra.score?.softmax ? softmax(raw)[extra.score.liveIndex ?? 0] : raw[0];
  return Math.min(1, Math.max(0, score));
}

/** The threshold below which a face is called an attack: the configured one, else the model's calibration. */
export function padThreshold(modelId: string, configured?: number): number {
  return configured ?? PAD_DECISION[modelId]?.threshold ?? PAD_DECISION.default.threshold;
}

export const padDecision = (realScore: number, threshold: number): PresentationAttack =>
  ({ realScore: +realScore.toFixed(4), attack: realScore < threshold });
