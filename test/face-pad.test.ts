// Presentation-attack detection in the face pipeline: measured and reported, and enforced when configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQualityThresholds } from '../src/face/frontend-config.ts';
import { DEFAULT_FACE_ROLES, DEFAULT_PAD_MODEL } from '../src/face/modality.ts';
import { FacePipeline } from '../src/face/pipeline.ts';
import { createInferencePools, type InferencePools } from '../src/runtime/index.ts';
import { faceFixture } from './lib/faces.ts';

let pools: InferencePools;
const quiet = { info() {}, warn() {}, error() {} };

beforeAll(async () => {
  pools = await createInferencePools({ config: { roles: { ...DEFAULT_FACE_ROLES, pad: DEFAULT_PAD_MODEL } } }, { logger: quiet, workers: 1 });
}, 120_000);
afterAll(async () => { await pools?.close(); });

describe('presentation-attack detection', () => {
  it('reports a real-face score in 0..1 with the model that gave it', async () => {
    const r = await new FacePipeline(pools, {}, loadQualityThresholds()).analyse(await faceFixture(6), 'check');
    expect(r.pad?.model).toBe(DEFAULT_PAD_MODEL);
    expect(r.pad!.realScore).toBeGreaterThan(0);
    expect(r.pad!.realScore).toBeLessThan(1);
  });
  it('refuses a capture below the configured minimum, and accepts it below a lower one', async () => {
    const crop = await faceFixture(6);
    const score = (await new FacePipeline(pools, {}, loadQualityThresholds()).analyse(crop, 'check')).pad!.realScore;
    const strict = new FacePipeline(pools, {}, loadQualityThresholds(), undefined, Math.min(1, score + 0.01));
    await expect(strict.analyse(crop, 'check')).rejects.toMatchObject({ code: 'FACE_PRESENTATION_ATTACK' });
    const lenient = new FacePipeline(pools, {}, loadQualityThresholds(), undefined, Math.max(0, score - 0.01));
    await expect(lenient.analyse(crop, 'check')).resolves.toMatchObject({ pad: { realScore: score } });
  });
});
