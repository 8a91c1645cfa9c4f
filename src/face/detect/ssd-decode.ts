// Post-processing of the faceapi-ssd-mobilenetv1 ONNX model: the graph already decodes boxes
// against its anchors (outputs `boxes` [N, 5118, 4] as [ymin, xmin, ymax, xmax] relative to
// the square model input, and `scores` [N, 5118]); what remains is face-api's greedy
// non-maximum suppression and the mapping back to the source image's pixels.

export interface Box { x: number; y: number; width: number; height: number }
export interface Detection { score: number; box: Box }

export interface SsdDecodeOptions {
  /** Keep boxes scoring strictly above this (face-api's SsdMobilenetv1Options default 0.5). */
  minConfidence: number;
  /** A box overlapping an already kept one by more than this IoU is dropped (face-api: 0.5). */
  iouThreshold: number;
  /** At most this many detections per image (face-api default 100). */
  maxResults: number;
}

export const SSD_DECODE_DEFAULTS: Readonly<SsdDecodeOptions> = { minConfidence: 0.5, iouThreshold: 0.5, maxResults: 100 };

/** IoU of boxes i and j in [ymin, xmin, ymax, xmax] rows, tolerant of swapped corners (as face-api is). */
export function boxIou(boxes: Float32Array, i: number, j: number): number {
  const a = boxes.subarray(i * 4, i * 4 + 4);
  const b = boxes.subarray(j * 4, j * 4 + 4);
  const ay0 = Math.min(a[0], a[2]); const ax0 = Math.min(a[1], a[3]); const ay1 = Math.max(a[0], a[2]); const ax1 = Math.max(a[1], a[3]);
  const by0 = Math.min(b[0], b[2]); const bx0 = Math.min(b[1], b[3]); const by1 = Math.max(b[0], b[2]); const bx1 = Math.max(b[1], b[3]);
  const areaA = (ay1 - ay0) * (ax1 - ax0);
  const areaB = (by1 - by0) * (bx1 - bx0);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0) * Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0);
  return inter / (areaA + areaB - inter);
}

/** Greedy NMS in descending score order (stable on ties); returns the kept anchor indices. */
export function nonMaxSuppression(boxes: Float32Array, scores: Float32Array, opts: SsdDecodeOptions = SSD_DECODE_DEFAULTS): number[] {
  if (boxes.length !== scores.length * 4) throw new Error(`ssd decode: ${boxes.length} box values for ${scores.length} scores`);
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > opts.minConfidence) candidates.push(i);
  candidates.sort((p, q) => scores[q] - scores[p] || p - q);
  const kept: number[] = [];
  for (const c of candidates) {
    if (kept.length >= opts.maxResults) break;
    if (kept.every((k) => boxIou(boxes, c, k) <= opts.iouThreshold)) kept.push(c);
  }
  return kept;
}

/**
 * Detections for one image in its own pixels. The image was fed as face-api feeds it: padded
 * at the bottom/right to a square of side max(width, height), then resized to the model input;
 * so a relative coordinate r maps to r * side. Boxes are clipped to the image.
 */
export function decodeSsd(
  boxes: Float32Array, scores: Float32Array, image: { width: number; height: number },
  opts: SsdDecodeOptions = SSD_DECODE_DEFAULTS,
): Detection[] {
  const side = Math.max(image.width, image.height);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return nonMaxSuppression(boxes, scores, opts).map((i) => {
    const y0 = clip(boxes[i * 4] * side, image.height); const x0 = clip(boxes[i * 4 + 1] * side, image.width);
    const y1 = clip(boxes[i * 4 + 2] * side, image.height); const x1 = clip(boxes[i * 4 + 3] * side, image.width);
    return { score: scores[i], box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } };
  });
}

/** The rows of image `index` in a batched [N, anchors, 4] / [N, anchors] output. */
export function batchItem(boxes: Float32Array, scores: Float32Array, anchors: number, index: number): { boxes: Float32Array; scores: Float32Array } {
  return { boxes: boxes.subarray(index * anchors * 4, (index + 1) * anchors * 4), scores: scores.subarray(index * anchors, (index + 1) * anchors) };
}
