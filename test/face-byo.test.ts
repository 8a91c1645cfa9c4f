// Bring your own model: an ONNX embedder named in a configuration (ArcFace-style 112x112, NCHW,
// mean/std 127.5, the InsightFace 5-point template) replaces the default, through the same pipeline.
// The test builds a small embedder of those inputs and outputs itself.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../models/onnx/builder.ts';
import { alignFace, toTensor } from '../src/face/align.ts';
import { decodeImage } from '../src/ingest/image/decode.ts';
import { ARCFACE_112_TEMPLATE, loadQualityThresholds } from '../src/face/frontend-config.ts';
import { DEFAULT_FACE_ROLES } from '../src/face/modality.ts';
import { mirrorRgb, type RgbImage } from '../src/face/image.ts';
import { FacePipeline } from '../src/face/pipeline.ts';
import { PIPELINE } from '../src/face/pipeline-config.ts';
import { createInferencePools, type InferencePools } from '../src/runtime/index.ts';
import { faceFixture } from './lib/faces.ts';
import { rng } from './lib/fingers.ts';

const DIM = 32;
let pools: InferencePools;
let pipeline: FacePipeline;
let modelPath: string;

/** [N,3,112,112] → 16x16 average pooling → [N,147] → linear → [N,32]: cheap, deterministic, image-dependent. */
function tinyArcfaceLike(): Uint8Array {
  const g = new GraphBuilder('tiny-arcface');
  g.input('input.1', ['N', 3, 112, 112]);
  const pooled = g.op('AveragePool', ['input.1'], { kernel_shape: [16, 16], strides: [16, 16] });
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  const r = rng(7);
  const w = g.constFloat('w', [147, DIM], Array.from({ length: 147 * DIM }, () => r() - 0.5));
  g.op('MatMul', [flat, w], {}, 'embedding');
  g.output('embedding', ['N', DIM]);
  return g.toBytes();
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'biocheck-byo-'));
  modelPath = path.join(dir, 'tiny-arcface.onnx');
  writeFileSync(modelPath, tinyArcfaceLike());
  const config = {
    models: [{
      id: 'tiny-arcface', role: 'embedder', file: 'tiny-arcface.onnx',
      input: { name: 'input.1', size: [112, 112], layout: 'NCHW', colour: 'rgb', mean: 127.5, std: 127.5 },
      outputs: ['embedding'], alignment: 'arcface',
    }],
    roles: { ...DEFAULT_FACE_ROLES, embedder: 'tiny-arcface' },
  };
  const configPath = path.join(dir, 'models.json');
  writeFileSync(configPath, JSON.stringify(config));
  pools = await createInferencePools({ config: configPath }, { logger: { info() {}, warn() {}, error() {} }, workers: 1 });
  pipeline = new FacePipeline(pools, {}, loadQualityThresholds());
}, 120_000);
afterAll(async () => { await pools?.close(); });

describe('a configured ONNX embedder', () => {
  it('serves the embedder role with its own input spec and template', async () => {
    expect(pipeline.embedderId).toBe('tiny-arcface');
    const crop = await faceFixture(6);
    const r = await pipeline.analyse(crop, 'check');
    expect(r.embedding.length).toBe(DIM);
    expect(Math.hypot(...r.embedding)).toBeCloseTo(1, 5);
    // The same plumbing by hand: align to the ArcFace template, NCHW, (p - 127.5) / 127.5, run the model on
    // the face and on its mirror image, average the two normalised embeddings (PIPELINE.flipAverage).
    const image = await decodeImage(crop);
    const aligned = alignFace(image, r.face.landmarks5, ARCFACE_112_TEMPLATE);
    const session = await ort.InferenceSession.create(modelPath);
    const embedOne = async (img: RgbImage) => {
      const tensor = toTensor(img, { layout: 'NCHW', colour: 'RGB', mean: 127.5, std: 127.5 });
      const o = (await session.run({ 'input.1': new ort.Tensor('float32', tensor, [1, 3, 112, 112]) })).embedding.data as Float32Array;
      const n = Math.hypot(...o);
      return o.map((v) => v / n);
    };
    const [a, b] = [await embedOne(aligned), await embedOne(mirrorRgb(aligned))];
    const out = PIPELINE.flipAverage ? a.map((v, i) => v + b[i]) : a;
    const norm = Math.hypot(...out);
    const cos = r.embedding.reduce((acc, v, i) => acc + v * (out[i] / norm), 0);
    expect(cos).toBeGreaterThan(0.99999);
  });
  it('refuses a configuration that does not match the model file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'biocheck-byo-bad-'));
    writeFileSync(path.join(dir, 'tiny-arcface.onnx'), tinyArcfaceLike());
    const bad = { models: [{ id: 'tiny-arcface', role: 'embedder', file: 'tiny-arcface.onnx', input: { name: 'wrong_name', size: [112, 112], layout: 'NCHW', colour: 'rgb', mean: 127.5, std: 127.5 }, outputs: ['embedding'], alignment: 'arcface' }], roles: { embedder: 'tiny-arcface' } };
    writeFileSync(path.join(dir, 'models.json'), JSON.stringify(bad));
    await expect(createInferencePools({ config: path.join(dir, 'models.json') }, { roles: ['embedder'], logger: { info() {}, warn() {}, error() {} } })).rejects.toThrow(/wrong_name|input/);
  });
});
