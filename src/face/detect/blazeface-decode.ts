// BlazeFace post-processing (anchors, box and keypoint decoding, NMS) as human does it
// (src/face/blazeface.ts there), driven by the manifest's `extra` so nothing is hard-coded
// here: anchor grid, output names, regressor layout and keypoint names come from the model.
import { AppError } from '../../errors.ts';

export interface BlazefaceConfig {
  inputSize: number;
  anchors: { strides: number[]; perCell: number[]; offset: number };
  scoreOutputs: string[];
  regressorOutputs: string[];
  regressor: { centre: number; size: number; keypoints: number };
  keypoints: string[];
}

export interface DecodeOptions {
  config: BlazefaceConfig;
  /** Keep detections whose sigmoid score is above this (human: 0.2). */
  scoreThreshold?: number;
  /** Suppress a box overlapping a kept one by more than this IoU (human: 0.1). */
  iouThreshold?: number;
  maxDetections?: number;
  /** Which sample of a batched output to decode. */
  batchIndex?: number;
}

export interface Detection {
  /** [x, y, w, h] in input pixels (the model's inputSize scale). */
  box: [number, number, number, number];
  score: number;
  keypoints: { name: string; x: number; y: number }[];
}

export const DECODE_DEFAULTS = { scoreThreshold: 0.2, iouThreshold: 0.1, maxDetections: 10 };

/** Anchor centres in input pixels: per stride, rows then columns then anchors per cell. */
export function blazefaceAnchors(inputSize: number, a: BlazefaceConfig['anchors']): Float32Array {
  const out: number[] = [];
  a.strides.forEach((stride, i) => {
    const cells = Math.ceil(inputSize / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        for (let n = 0; n < a.perCell[i]; n++) out.push(stride * (gx + a.offset), stride * (gy + a.offset));
      }
    }
  });
  return Float32Array.from(out);
}

const anchorCache = new Map<string, Float32Array>();
function anchorsFor(inputSize: number, a: BlazefaceConfig['anchors']): Float32Array {
  const key = `${inputSize}/${a.strides}/${a.perCell}/${a.offset}`;
  let v = anchorCache.get(key);
  if (!v) anchorCache.set(key, (v = blazefaceAnchors(inputSize, a)));
  return v;
}

/** IoU of two [x1, y1, x2, y2] boxes; 0 for empty boxes (as tfjs computes it). */
export function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const areaB = (b[2] - b[0]) * (b[3] - b[1]);
  if (areaA <= 0 || areaB <= 0) return 0;
  const w = Math.max(Math.min(a[2], b[2]) - Math.max(a[0], b[0]), 0);
  const h = Math.max(Math.min(a[3], b[3]) - Math.max(a[1], b[1]), 0);
  const inter = w * h;
  return inter / (areaA + areaB - inter);
}

/** Greedy NMS over candidates sorted by score (ties keep the lower index, as tfjs does). */
export function nms(boxes: Float32Array, scores: Float32Array, candidates: number[], maxOut: number, iouThreshold: number): number[] {
  const order = [...candidates].sort((i, j) => scores[j] - scores[i] || i - j);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxOut) break;
    const bi = boxes.subarray(4 * i, 4 * i + 4);
    if (kept.every((k) => iou(bi, boxes.subarray(4 * k, 4 * k + 4)) <= iouThreshold)) kept.push(i);
  }
  return kept;
}

function concatRows(outputs: Record<string, { data: ArrayLike<number>; dims: readonly number[] }>, names: string[], batch: number, width: number) {
  const parts = names.map((n) => {
    const t = outputs[n];
    if (!t) throw new AppError('INTERNAL', `blazeface decode: output ${n} missing`);
    const rows = t.dims[t.dims.length - 2];
    if (t.dims[t.dims.length - 1] !== width) throw new AppError('INTERNAL', `blazeface decode: output ${n} rows are ${t.dims[t.dims.length - 1]} wide, want ${width}`);
    return { t, rows };
  });
  const total = parts.reduce((s, p) => s + p.rows, 0);
  const out = new Float32Array(total * width);
  let o = 0;
  for (const { t, rows } of parts) {
    const start = batch * rows * width;
    for (let i = 0; i < rows * width; i++) out[o + i] = t.data[start + i];
    o += rows * width;
  }
  return { rows: total, data: out };
}

/**
 * Decodes one sample of BlazeFace's raw outputs (ONNX output name → tensor with `data` and
 * `dims`, as onnxruntime returns them) into scored boxes and keypoints in input pixels.
 */
export function decodeBlazeface(
  outputs: Record<string, { data: ArrayLike<number>; dims: readonly number[] }>,
  inputSize: number,
  opts: DecodeOptions,
): Detection[] {
  const c = opts.config;
  const b = opts.batchIndex ?? 0;
  const scoreThreshold = opts.scoreThreshold ?? DECODE_DEFAULTS.scoreThreshold;
  const iouThreshold = opts.iouThreshold ?? DECODE_DEFAULTS.iouThreshold;
  const maxDetections = opts.maxDetections ?? DECODE_DEFAULTS.maxDetections;
  const logits = concatRows(outputs, c.scoreOutputs, b, 1);
  const reg = concatRows(outputs, c.regressorOutputs, b, c.regressor.keypoints + 2 * c.keypoints.length);
  const anchors = anchorsFor(inputSize, c.anchors);
  if (anchors.length / 2 !== logits.rows || reg.rows !== logits.rows) {
    throw new AppError('INTERNAL', `blazeface decode: ${anchors.length / 2} anchors for ${logits.rows} scores and ${reg.rows} regressors`);
  }
  const n = logits.rows;
  const w = reg.data.length / n;
  const scores = new Float32Array(n);
  const boxes = new Float32Array(4 * n);
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    scores[i] = 1 / (1 + Math.exp(-logits.data[i]));
    if (!(scores[i] > scoreThreshold)) continue;
    candidates.push(i);
    const r = i * w;
    const cx = reg.data[r + c.regressor.centre] + anchors[2 * i];
    const cy = reg.data[r + c.regressor.centre + 1] + anchors[2 * i + 1];
    const hw = reg.data[r + c.regressor.size] / 2;
    const hh = reg.data[r + c.regressor.size + 1] / 2;
    boxes.set([cx - hw, cy - hh, cx + hw, cy + hh], 4 * i);
  }
  return nms(boxes, scores, candidates, maxDetections, iouThreshold).map((i) => {
    const r = i * w + c.regressor.keypoints;
    return {
      box: [boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2] - boxes[4 * i], boxes[4 * i + 3] - boxes[4 * i + 1]],
      score: scores[i],
      keypoints: c.keypoints.map((name, k) => ({
        name, x: reg.data[r + 2 * k] + anchors[2 * i], y: reg.data[r + 2 * k + 1] + anchors[2 * i + 1],
      })),
    };
  });
}
