// Second detection passes, for frames where the first (the whole frame, padded) finds no sure face:
// overlapping tiles of a large frame, where a small face shrinks to a few pixels in the detector's 256 px
// input. Photos whose face is found at once never come here. Measured and left out (bench/face-degraded.ts,
// lfw_dev's all-combined variant): a brightened dark frame found 15 more of 38 lost faces, but 7 of its 8
// sure detections were not the face (the power law lifts JPEG blocking into face-like patterns); a closer
// look around weak detections found none.
import type { Box } from '../image.ts';
import type { DetectedFace } from '../quality.ts';
import { SECOND_PASS as S } from '../pipeline-config.ts';

/** Where to look again: square tiles (frames in image pixels, reaching past its edges), when the frame is large. */
export function tileFrames(image: { width: number; height: number }, detectorInput: [number, number]): Box[] {
  const passes: Box[] = [];
  const long = Math.max(image.width, image.height);
  // Tiles when the whole frame reaches the detector shrunk by more than tileWhenShrinkAbove.
  const input = Math.min(...detectorInput);
  if (long / input <= S.tileWhenShrinkAbove) return passes;
  const tile = Math.max(input * S.tileShrink, long / S.maxTilesPerSide);
  const step = tile * (1 - S.tileOverlap);
  const margin = (tile * S.tileOverlap) / 2;
  for (let y = -margin; y < image.height - 2 * margin; y += step) {
    for (let x = -margin; x < image.width - 2 * margin; x += step) passes.push({ x, y, width: tile, height: tile });
  }
  return passes;
}

const area = (b: Box) => Math.max(0, b.width) * Math.max(0, b.height);
function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const inter = w > 0 && h > 0 ? w * h : 0;
  return inter / (area(a) + area(b) - inter || 1);
}

/** Detections of several passes as one list, best first: a box overlapping a better one is the same face. */
export function suppressOverlaps(faces: readonly DetectedFace[]): DetectedFace[] {
  const kept: DetectedFace[] = [];
  for (const f of [...faces].sort((a, b) => b.score - a.score)) if (kept.every((k) => overlap(k.box, f.box) <= S.sameFaceIou)) kept.push(f);
  return kept;
}
