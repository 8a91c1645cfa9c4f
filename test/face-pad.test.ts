// Presentation-attack detection in the face pipeline: the model's crop, its score and the decision at a
// threshold; strict refuses attacks, enrolment never does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQualityThresholds } from '../src/face/frontend-config.ts';
import { DEFAULT_FACE_ROLES, DEFAULT_PAD_MODEL } from '../src/face/modality.ts';
import { clampedCropBox, padThreshold, softmax } from '../src/face/pad.ts';
import { PAD_DECISION } from '../src/face/pipeline-config.ts';
import { FacePipeline } from '../src/face/pipeline.ts';
import { createInferencePools, type InferencePools } from '../src/runtime/index.ts';
import { faceFixture } from './lib/faces.ts';

let pools: InferencePools;
const quiet = { info() {}, warn() {}, error() {} };

beforeAll(async () => {
  pools = await createInferencePools({ config: { roles: { ...DEFAULT_FACE_ROLES, pad: DEFAULT_PAD_MODEL } } }, { logger: quiet, workers: 1 });
}, 120_000);
afterAll(async () => { await pools?.close(); });

describe('the PAD crop and score', () => {
  it('widens the box around its centre, shrinks the widening to fit the image, and shifts it inside', () => {
    expect(clampedCropBox({ x: 300, y: 200, width: 100, height: 100 }, 2.7, 1000, 1000)).toEqual({ x: 215, y: 115, width: 270, height: 270 });
    // A 640x480 frame can hold 4.79 box heights: 2.7 fits; near the left edge the crop is shifted right.
    const edge = clampedCropBox({ x: 10, y: 190, width: 100, height: 100 }, 2.7, 640, 480);
    expect(edge.x).toBe(0);
    expect(edge.width).toBeCloseTo(270);
    // A face filling most of the image: the widening is limited by the image size.
    const big = clampedCropBox({ x: 20, y: 10, width: 100, height: 120 }, 2.7, 150, 150);
    expect(big.height).toBeCloseTo(149);
    expect(big.y).toBeGreaterThanOrEqual(0);
    expect(big.y + big.height).toBeLessThanOrEqual(149 + 1e-9);
  });
  it('softmax sums to one and keeps the order of the logits', () => {
    const p = softmax([2, 0, -1]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(p[0]).toBeGreaterThan(p[1]);
    expect(p[1]).toBeGreaterThan(p[2]);
  });
  it('takes the configured threshold over the calibrated one', () => {
    expect(padThreshold(DEFAULT_PAD_MODEL)).toBe(PAD_DECISION[DEFAULT_PAD_MODEL].threshold);
    expect(padThreshold(DEFAULT_PAD_MODEL, 0.9)).toBe(0.9);
  });
});

describe('presentation-attack decisions in the pipeline', () => {
  it('reports a real-face score in 0..1 and the decision at the threshold', async () => {
    const r = await new FacePipeline(pools, {}, loadQualityThresholds()).analyse(await faceFixture(6), 'check');
    expect(r.pad!.realScore).toBeGreaterThanOrEqual(0);
    expect(r.pad!.realScore).toBeLessThanOrEqual(1);
    expect(r.pad!.attack).toBe(r.pad!.realScore < PAD_DECISION[DEFAULT_PAD_MODEL].threshold);
  });
  it('strict refuses a face below the threshold, non-strict reports it, enrolment never refuses', async () => {
    const crop = await faceFixture(6);
    const score = (await new FacePipeline(pools, {}, loadQualityThresholds()).analyse(crop, 'check')).pad!.realScore;
    const high = new FacePipeline(pools, {}, loadQualityThresholds(), undefined, Math.min(1, score + 0.01));
    await expect(high.analyse(crop, 'check', { policy: 'strict' })).rejects.toMatchObject({ code: 'PRESENTATION_ATTACK' });
    await expect(high.analyse(crop, 'check')).resolves.toMatchObject({ pad: { realScore: score, attack: true } });
    await expect(high.analyse(crop, 'enrol', { policy: 'strict' })).resolves.toMatchObject({ pad: { attack: true } });
    const low = new FacePipeline(pools, {}, loadQualityThresholds(), undefined, Math.max(0, score - 0.01));
    await expect(low.analyse(crop, 'check', { policy: 'strict' })).resolves.toMatchObject({ pad: { realScore: score, attack: false } });
  });
});
