// Execution providers for real on this machine (no GPU, no CUDA provider library, no Vulkan):
// a requested GPU provider falls back to CPU with one warning, or fails when fallback is off.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createInferencePools, InferencePool, type ModelRegistry, type RuntimeLogger } from '../src/runtime/index.ts';
import { syntheticDetector, syntheticEmbedder } from '../src/runtime/synthetic-models.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function recordingLogger() {
  const warnings: string[] = [];
  const logger: RuntimeLogger = { info: () => {}, warn: (m) => warnings.push(m), error: () => {} };
  return { warnings, logger };
}

describe('execution provider fallback', () => {
  it('runs "cuda" pools on cpu with exactly one warning for the whole set, and reports it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'biocheck-provider-'));
    const emb = syntheticEmbedder();
    const det = syntheticDetector();
    writeFileSync(path.join(dir, 'e.onnx'), emb.bytes);
    writeFileSync(path.join(dir, 'd.onnx'), det.bytes);
    const registry: ModelRegistry = {
      models: new Map(),
      roles: { embedder: { ...emb.descriptor, path: path.join(dir, 'e.onnx') }, detector: { ...det.descriptor, path: path.join(dir, 'd.onnx') } },
    };
    const { warnings, logger } = recordingLogger();
    const metrics = new Registry();
    const pools = await createInferencePools(registry, { provider: 'cuda', workers: 2, intraOpNumThreads: 1, metricsRegistry: metrics, logger });
    try {
      for (const role of ['embedder', 'detector'] as const) {
        expect(pools.get(role).requestedProvider).toBe('cuda');
        expect(pools.get(role).provider).toBe('cpu');
        expect(pools.get(role).liveWorkers).toBe(2);
      }
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/execution provider "cuda" is not available \(.+\); .* run on "cpu"/);
      const out = await pools.get('embedder').infer(new Float32Array(16 * 16 * 3).fill(1));
      expect(out.embedding).toHaveLength(8);
      expect(await metrics.metrics()).toMatch(/biocheck_inference_workers\{model="tiny-embedder",provider="cpu"\} 2/);
    } finally {
      await pools.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back from "webgpu" too (no adapter here)', async () => {
    const emb = syntheticEmbedder();
    const { warnings, logger } = recordingLogger();
    const pool = await InferencePool.create(emb.descriptor, { modelBytes: emb.bytes, provider: 'webgpu', workers: 1, metricsRegistry: new Registry(), logger });
    try {
      expect(pool.provider).toBe('cpu');
      expect(warnings).toEqual([expect.stringMatching(/"webgpu" is not available/)]);
    } finally {
      await pool.close();
    }
  });

  it('fails to start with a clear error when fallback is not allowed', async () => {
    const emb = syntheticEmbedder();
    await expect(InferencePool.create(emb.descriptor, {
      modelBytes: emb.bytes, provider: 'cuda', allowFallback: false, workers: 1, metricsRegistry: new Registry(), logger: recordingLogger().logger,
    })).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', message: expect.stringMatching(/cannot load the model with provider cuda/) });
  });
});
