import { describe, expect, it } from 'vitest';
import { boxIou, decodeSsd, nonMaxSuppression } from '../src/face/detect/ssd-decode.ts';

const f32 = (v: number[]) => Float32Array.from(v);

describe('ssd-decode', () => {
  it('maps relative boxes of the bottom/right-letterboxed square back to source pixels', () => {
    // An 800x400 image was padded to 800x800: relative units are 800 px on both axes.
    const dets = decodeSsd(f32([0.1, 0.2, 0.3, 0.4]), f32([0.9]), { width: 800, height: 400 });
    expect(dets).toHaveLength(1);
    expect(dets[0].score).toBeCloseTo(0.9, 6);
    const b = dets[0].box;
    expect([b.x, b.y, b.width, b.height].map((v) => Math.round(v * 1e3) / 1e3)).toEqual([160, 80, 160, 160]);
  });

  it('clips boxes to the image (never into the padding)', () => {
    const [d] = decodeSsd(f32([-0.1, 0.9, 0.8, 1.2]), f32([0.8]), { width: 800, height: 400 });
    expect(d.box.x).toBeCloseTo(720, 3);
    expect(d.box.x + d.box.width).toBe(800);
    expect(d.box).toMatchObject({ y: 0, height: 400 });
  });

  it('keeps the best of overlapping boxes, keeps disjoint ones, in descending score order', () => {
    const boxes = f32([
      0, 0, 0.5, 0.5, // 0
      0.02, 0.02, 0.52, 0.52, // 1 overlaps 0 (IoU ~0.85)
      0.6, 0.6, 0.9, 0.9, // 2 disjoint
      0.6, 0.6, 0.9, 0.9, // 3 identical to 2, below the threshold
    ]);
    expect(nonMaxSuppression(boxes, f32([0.7, 0.95, 0.8, 0.4]))).toEqual([1, 2]);
    expect(nonMaxSuppression(boxes, f32([0.7, 0.95, 0.8, 0.4]), { minConfidence: 0.3, iouThreshold: 0.9, maxResults: 100 })).toEqual([1, 2, 0]);
    expect(nonMaxSuppression(boxes, f32([0.7, 0.95, 0.8, 0.4]), { minConfidence: 0.3, iouThreshold: 0.5, maxResults: 1 })).toEqual([1]);
  });

  it('treats the confidence threshold as exclusive, as face-api does', () => {
    expect(nonMaxSuppression(f32([0, 0, 1, 1]), f32([0.5]))).toEqual([]);
  });

  it('computes IoU with swapped corners and zero for empty boxes', () => {
    const boxes = f32([0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1]);
    expect(boxIou(boxes, 0, 1)).toBeCloseTo(1, 9);
    expect(boxIou(boxes, 0, 2)).toBe(0);
  });

  it('rejects mismatched outputs', () => {
    expect(() => nonMaxSuppression(f32([0, 0, 1]), f32([0.9]))).toThrow(/box values/);
  });
});
