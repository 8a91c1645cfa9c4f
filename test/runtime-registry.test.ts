// Model registry: manifest + sha256, bring-your-own-model config (validation, role choice),
// the ONNX file checked against its declared spec at load, and the BIOCHECK_* settings.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { ManifestEntry } from '../models/spec.ts';
import {
  ARCFACE_112_TEMPLATE, createInferencePools, defaultThreading, InferencePool, loadModelRegistry,
  ModelConfigError, runtimeConfigFromEnv, RuntimeConfigError, type ByoModelConfigFile, type ByoModelEntry, type RuntimeLogger,
} from '../src/runtime/index.ts';
import { syntheticDetector, syntheticEmbedder } from '../src/runtime/synthetic-models.ts';

/** The ModelConfigError a promise rejects with (fails the test if it resolves). */
async function configError(p: Promise<unknown>): Promise<ModelConfigError> {
  const outcome = await p.then(() => undefined, (e: unknown) => e);
  expect(outcome).toBeInstanceOf(ModelConfigError);
  return outcome as ModelConfigError;
}

const quiet: RuntimeLogger = { info: () => {}, warn: () => {}, error: () => {} };
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
const embedder = syntheticEmbedder({ id: 'default-embedder' });
const detector = syntheticDetector({ id: 'default-detector' });
const byoEmbedder = syntheticEmbedder({ id: 'byo', size: 24, dim: 16, seed: 9 });

function manifestEntry(m: typeof embedder): ManifestEntry {
  const d = m.descriptor;
  return {
    id: d.id, role: d.role, file: `${d.id}.onnx`, sha256: sha(m.bytes),
    source: { package: 'test', version: '0', files: [] }, input: d.input, outputs: d.outputs,
  };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'biocheck-runtime-'));
  writeFileSync(path.join(dir, 'default-embedder.onnx'), embedder.bytes);
  writeFileSync(path.join(dir, 'default-detector.onnx'), detector.bytes);
  writeFileSync(path.join(dir, 'byo.onnx'), byoEmbedder.bytes);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ models: [manifestEntry(embedder), manifestEntry(detector)] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const arcfaceLike = (over: Record<string, unknown> = {}): ByoModelConfigFile => ({
  models: [{
    id: 'arcface-test', role: 'embedder', file: 'byo.onnx',
    input: { name: 'image', size: [24, 24], layout: 'NHWC', colour: 'rgb', mean: 127.5, std: 127.5 },
    outputs: ['embedding'], alignment: { size: [24, 24], template: 'arcface' },
    ...over,
  } as ByoModelEntry],
  roles: { embedder: 'arcface-test' },
});

describe('manifest', () => {
  it('loads the manifest, verifies hashes and picks one model per role', async () => {
    const reg = await loadModelRegistry({ modelsDir: dir });
    expect(reg.roles.embedder?.id).toBe('default-embedder');
    expect(reg.roles.detector?.id).toBe('default-detector');
    expect(reg.roles.pad).toBeUndefined();
    expect(reg.roles.embedder?.path).toBe(path.join(dir, 'default-embedder.onnx'));
  });

  it('refuses a model file whose sha256 differs from the manifest', async () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'biocheck-runtime-bad-'));
    try {
      writeFileSync(path.join(bad, 'default-embedder.onnx'), detector.bytes); // wrong bytes
      writeFileSync(path.join(bad, 'manifest.json'), JSON.stringify({ models: [manifestEntry(embedder)] }));
      await expect(loadModelRegistry({ modelsDir: bad })).rejects.toThrow(/sha256 of .*default-embedder\.onnx is [0-9a-f]{64}, expected/);
      rmSync(path.join(bad, 'default-embedder.onnx'));
      await expect(loadModelRegistry({ modelsDir: bad })).rejects.toThrow(/not found \(run `npm run models`\)/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});

describe('bring-your-own-model config', () => {
  it('replaces the default embedder, from a config file named in BIOCHECK_MODELS_CONFIG', async () => {
    const cfgPath = path.join(dir, 'models.json');
    writeFileSync(cfgPath, JSON.stringify({ ...arcfaceLike(), roles: { embedder: 'arcface-test', detector: null } }));
    const env = runtimeConfigFromEnv({ BIOCHECK_MODELS_CONFIG: cfgPath });
    const reg = await loadModelRegistry({ modelsDir: dir, config: env.modelsConfigPath });
    const e = reg.roles.embedder!;
    expect(e.id).toBe('arcface-test');
    expect(e.origin).toBe('config');
    expect(e.path).toBe(path.join(dir, 'byo.onnx')); // relative to the config file
    expect(e.input).toEqual({ name: 'image', shape: [-1, 24, 24, 3], layout: 'NHWC', colour: 'rgb', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] });
    // The ArcFace template, scaled from 112x112 to the 24x24 crop.
    expect(e.extra.alignment?.points[0][0]).toBeCloseTo((ARCFACE_112_TEMPLATE[0][0] * 24) / 112, 6);
    expect(reg.roles.detector).toBeUndefined(); // switched off by null
    expect(reg.models.has('default-embedder')).toBe(true);
  });

  it('derives NCHW shapes from size and takes explicit templates and sha256', async () => {
    const reg = await loadModelRegistry({
      modelsDir: dir, configBaseDir: dir,
      config: {
        models: [{
          id: 'scrfd-like', role: 'detector', file: 'default-detector.onnx', sha256: sha(detector.bytes),
          input: { name: 'input', size: [32, 32], layout: 'NCHW', colour: 'bgr', mean: [127.5], std: [128] },
          outputs: [{ name: 'scores', shape: [-1, 1, 16, 16] }, 'boxes'],
        }],
      },
    });
    expect(reg.roles.detector?.id).toBe('scrfd-like'); // a config model of the role wins over the manifest's
    expect(reg.roles.detector?.input.shape).toEqual([-1, 3, 32, 32]);
  });

  it('reports every problem of a bad config with its JSON path', async () => {
    const cfg = {
      models: [
        {
          id: 'bad one', role: 'embeder', file: 'x.pt',
          input: { name: '', size: [112], layout: 'HWC', colour: 'rgb', mena: 1, mean: [1, 2], std: [0] },
          outputs: [],
        },
        { id: 'default-embedder', role: 'embedder', file: 'a.onnx', input: { name: 'i', shape: [-1, 3, 8, 8], layout: 'NHWC', colour: 'rgb', mean: 0, std: 1 }, outputs: ['o'] },
        { id: 'twice', role: 'detector', file: 'a.onnx', input: { name: 'i', size: [8, 8], layout: 'NCHW', colour: 'grey', mean: 0, std: 1 }, outputs: ['o'] },
        { id: 'twice', role: 'detector', file: 'a.onnx', input: { name: 'i', size: [8, 8], layout: 'NCHW', colour: 'grey', mean: 0, std: 1 }, outputs: ['o'] },
        { id: 'emb', role: 'embedder', file: 'a.onnx', input: { name: 'i', size: [8, 8], layout: 'NCHW', colour: 'rgb', mean: 0, std: 1 }, outputs: ['o'], alignment: { size: [8, 8], template: [[1, 1], [20, 3]] } },
      ],
      roles: { embedder: 'nope', face: 'x' },
    };
    const run = () => loadModelRegistry({ modelsDir: dir, config: cfg as unknown as ByoModelConfigFile });
    const err = await configError(run());
    const want = [
      /\$\.models\[0\]\.id: expected 1-64 letters/,
      /\$\.models\[0\]\.role: expected one of detector, landmarks, embedder, pad/,
      /\$\.models\[0\]\.file: expected the path of an \.onnx file/,
      /\$\.models\[0\]\.input\.mena: unknown key/,
      /\$\.models\[0\]\.input\.name: expected the ONNX input name/,
      /\$\.models\[0\]\.input\.layout: expected "NHWC" or "NCHW"/,
      /\$\.models\[0\]\.input\.size: expected \[width, height\]/,
      /\$\.models\[0\]\.input\.mean: 2 values for 3 channel\(s\)/,
      /\$\.models\[0\]\.input\.std: must be > 0/,
      /\$\.models\[0\]\.outputs: expected a non-empty array/,
      /\$\.models\[1\]\.id: "default-embedder" is already a model of the manifest/,
      /\$\.models\[1\]\.input\.shape: NHWC with colour rgb needs 3 channel\(s\) at the last dimension, found 8/,
      /\$\.models\[1\]\.alignment: embedders need their alignment template/,
      /\$\.models\[3\]\.id: "twice" is declared twice/,
      /\$\.models\[4\]\.alignment\.template\[1\]: point \(20,3\) lies outside the 8x8 crop/,
      /\$\.roles\.face: unknown role/,
    ];
    for (const p of want) expect(err.problems.some((x) => p.test(x)), `missing ${p} in:\n${err.message}`).toBe(true);
  });

  it('checks role choices against the known models', async () => {
    await expect(loadModelRegistry({ modelsDir: dir, config: { roles: { embedder: 'missing' } } }))
      .rejects.toThrow(/\$\.roles\.embedder: no model "missing"/);
    await expect(loadModelRegistry({ modelsDir: dir, config: { roles: { embedder: 'default-detector' } } }))
      .rejects.toThrow(/model "default-detector" is a detector, not a embedder/);
  });

  it('explains unreadable and malformed config files', async () => {
    await expect(loadModelRegistry({ modelsDir: dir, config: path.join(dir, 'absent.json') })).rejects.toThrow(/cannot read the file: ENOENT/);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"models": [');
    await expect(loadModelRegistry({ modelsDir: dir, config: broken })).rejects.toThrow(/not valid JSON/);
  });
});

describe('the ONNX file against its declared spec', () => {
  const opts = { workers: 1, intraOpNumThreads: 1, metricsRegistry: new Registry(), logger: quiet };
  const withInput = (input: object, outputs: unknown[] = ['embedding']) => ({
    ...embedder.descriptor, input: { ...embedder.descriptor.input, ...input },
    outputs: outputs.map((o) => (typeof o === 'string' ? { name: o, shape: [], description: '' } : o)) as typeof embedder.descriptor.outputs,
  });

  it('names the real inputs when the declared input name is wrong', async () => {
    await expect(InferencePool.create(withInput({ name: 'input.1' }), { ...opts, modelBytes: embedder.bytes }))
      .rejects.toThrow(/input "input\.1" not in the ONNX file \(its inputs: image\)/);
  });

  it('refuses a declared size the model does not have, and a missing output', async () => {
    const err = await configError(InferencePool.create(withInput({ shape: [-1, 32, 32, 3] }, ['embedding', 'landmarks']), { ...opts, modelBytes: embedder.bytes }));
    expect(err.message).toMatch(/dimension 1 is 16 in the ONNX file, declared 32/);
    expect(err.message).toMatch(/output "landmarks" not in the ONNX file \(its outputs: embedding\)/);
  });

  it('refuses a rank mismatch on input and output', async () => {
    const err = await configError(InferencePool.create(
      withInput({ shape: [-1, 768] }, [{ name: 'embedding', shape: [-1, 2, 4], description: '' }]),
      { ...opts, modelBytes: embedder.bytes },
    ));
    expect(err.message).toMatch(/input "image" has rank 4 \[N,16,16,3\] in the ONNX file, declared \[-1,768\]/);
    expect(err.message).toMatch(/output "embedding" has rank 2/);
  });
});

describe('createInferencePools', () => {
  it('starts one pool per role and answers MODEL_UNAVAILABLE for a role without a model', async () => {
    const pools = await createInferencePools({ modelsDir: dir }, { workers: 1, intraOpNumThreads: 1, maxWaitMs: 0, metricsRegistry: new Registry(), logger: quiet });
    try {
      expect([...pools.pools.keys()].sort()).toEqual(['detector', 'embedder']);
      const det = await pools.get('detector').infer(new Float32Array(3 * 32 * 32).fill(0.5));
      expect(det.scores).toHaveLength(16 * 16);
      expect(det.boxes).toHaveLength(4 * 16 * 16);
      expect(det.scores.every((s) => s > 0 && s < 1)).toBe(true); // sigmoid head
      expect(pools.has('pad')).toBe(false);
      expect(() => pools.get('pad')).toThrow(expect.objectContaining({ code: 'MODEL_UNAVAILABLE' }));
    } finally {
      await pools.close();
    }
  });
});

describe('BIOCHECK_* settings', () => {
  it('has defaults and parses every variable', () => {
    expect(runtimeConfigFromEnv({})).toEqual({ provider: 'cpu', maxBatch: 8, maxWaitMs: 2, maxQueue: 256 });
    expect(runtimeConfigFromEnv({
      BIOCHECK_EXECUTION_PROVIDER: 'CUDA', BIOCHECK_MODELS_CONFIG: '/etc/biocheck/models.json', BIOCHECK_INFER_MAX_BATCH: '32',
      BIOCHECK_INFER_MAX_WAIT_MS: '1.5', BIOCHECK_INFER_MAX_QUEUE: '1000', BIOCHECK_INFER_WORKERS: '3',
    })).toEqual({ provider: 'cuda', modelsConfigPath: '/etc/biocheck/models.json', maxBatch: 32, maxWaitMs: 1.5, maxQueue: 1000, workers: 3 });
  });

  it('rejects bad values with the variable named', () => {
    expect(() => runtimeConfigFromEnv({ BIOCHECK_EXECUTION_PROVIDER: 'rocm' })).toThrow(/BIOCHECK_EXECUTION_PROVIDER="rocm": expected one of cpu, cuda, tensorrt, webgpu/);
    expect(() => runtimeConfigFromEnv({ BIOCHECK_INFER_MAX_BATCH: '0' })).toThrow(/BIOCHECK_INFER_MAX_BATCH=0: expected 1\.\.1024/);
    expect(() => runtimeConfigFromEnv({ BIOCHECK_INFER_WORKERS: 'two' })).toThrow(RuntimeConfigError);
    expect(() => runtimeConfigFromEnv({ BIOCHECK_INFER_MAX_WAIT_MS: '-1' })).toThrow(/BIOCHECK_INFER_MAX_WAIT_MS/);
  });

  it('splits the cores between workers and intra-op threads', () => {
    expect(defaultThreading('cpu', undefined, 1)).toEqual({ workers: 1, intraOpNumThreads: 1 });
    expect(defaultThreading('cpu', undefined, 2)).toEqual({ workers: 2, intraOpNumThreads: 1 });
    expect(defaultThreading('cpu', undefined, 16)).toEqual({ workers: 4, intraOpNumThreads: 4 });
    expect(defaultThreading('cpu', 3, 12)).toEqual({ workers: 3, intraOpNumThreads: 4 });
    expect(defaultThreading('cuda', undefined, 16).workers).toBe(1);
  });
});
