// Generated stand-in models with the I/O kinds of the real ones, for the runtime's tests and
// benchmark when models/manifest.json has none: built with the shared GraphBuilder, seeded weights.
import { GraphBuilder } from '../../models/onnx/builder.ts';
import type { InputSpec, ModelRole, OutputSpec } from '../../models/spec.ts';
import type { ModelDescriptor } from './byo-config.ts';

/** Deterministic weights (mulberry32), scaled like a He initialisation so activations stay O(1). */
export function seededWeights(n: number, fanIn: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  const scale = Math.sqrt(2 / fanIn);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

export interface SyntheticModel { bytes: Uint8Array; descriptor: ModelDescriptor }

function descriptor(id: string, role: ModelRole, input: InputSpec, outputs: OutputSpec[], extra: Record<string, unknown> = {}): ModelDescriptor {
  return { id, role, path: `(generated:${id})`, origin: 'config', input, outputs, extra };
}

function conv(g: GraphBuilder, x: string, cin: number, cout: number, k: number, stride: number, seed: number): string {
  const w = g.constFloat(g.fresh('w'), [cout, cin, k, k], seededWeights(cout * cin * k * k, cin * k * k, seed));
  const b = g.constFloat(g.fresh('b'), [cout], new Float32Array(cout).fill(0.01));
  const pad = (k - 1) >> 1;
  return g.op('Conv', [x, w, b], { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] });
}

/**
 * An "embedder": NHWC image [N, size, size, 3] → Transpose → (conv 3x3 + Relu) stages, each
 * halving the resolution and doubling the width, with `repeats` extra convs per stage →
 * global average pool → MatMul → [N, dim]. `fixedBatch` pins the batch dimension to 1.
 */
export function syntheticEmbedder(opts: {
  id?: string; size?: number; dim?: number; widths?: number[]; repeats?: number; fixedBatch?: boolean; seed?: number;
} = {}): SyntheticModel {
  const { id = 'tiny-embedder', size = 16, dim = 8, widths = [8], repeats = 0, fixedBatch = false, seed = 1 } = opts;
  const batch = fixedBatch ? 1 : 'N';
  const g = new GraphBuilder(id);
  g.input('image', [batch, size, size, 3]);
  let x = g.op('Transpose', ['image'], { perm: [0, 3, 1, 2] });
  let cin = 3;
  let s = seed;
  for (const width of widths) {
    x = g.op('Relu', [conv(g, x, cin, width, 3, 2, s++)]);
    for (let r = 0; r < repeats; r++) x = g.op('Relu', [conv(g, x, width, width, 3, 1, s++)]);
    cin = width;
  }
  const pooled = g.op('GlobalAveragePool', [x]);
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  const w = g.constFloat('proj', [cin, dim], seededWeights(cin * dim, cin, s++));
  g.op('MatMul', [flat, w], {}, 'embedding');
  g.output('embedding', [batch, dim]);
  const input: InputSpec = { name: 'image', shape: [fixedBatch ? 1 : -1, size, size, 3], layout: 'NHWC', colour: 'rgb', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] };
  return {
    bytes: g.toBytes(),
    descriptor: descriptor(id, 'embedder', input, [{ name: 'embedding', shape: [-1, dim], description: 'embedding' }]),
  };
}

/**
 * A "detector": NCHW image [N, 3, size, size] → stride-2 conv trunk → two heads, `scores`
 * [N, 1, size/2, size/2] (sigmoid) and `boxes` [N, 4, size/2, size/2], as anchor-free detectors give.
 */
export function syntheticDetector(opts: { id?: string; size?: number; seed?: number } = {}): SyntheticModel {
  const { id = 'tiny-detector', size = 32, seed = 7 } = opts;
  const g = new GraphBuilder(id);
  g.input('input', ['N', 3, size, size]);
  const trunk = g.op('Relu', [conv(g, 'input', 3, 8, 3, 2, seed)]);
  g.op('Sigmoid', [conv(g, trunk, 8, 1, 1, 1, seed + 1)], {}, 'scores');
  g.node('Identity', [conv(g, trunk, 8, 4, 1, 1, seed + 2)], {}, ['boxes']);
  const h = size / 2;
  g.output('scores', ['N', 1, h, h]);
  g.output('boxes', ['N', 4, h, h]);
  const input: InputSpec = { name: 'input', shape: [-1, 3, size, size], layout: 'NCHW', colour: 'bgr', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] };
  return {
    bytes: g.toBytes(),
    descriptor: descriptor(id, 'detector', input, [
      { name: 'scores', shape: [-1, 1, h, h], description: 'face score per cell' },
      { name: 'boxes', shape: [-1, 4, h, h], description: 'box distances per cell' },
    ]),
  };
}

/** A deliberately slow model ([N, width] through `depth` MatMul+Tanh layers), to keep a worker busy. */
export function syntheticSlowModel(opts: { width?: number; depth?: number } = {}): SyntheticModel {
  const { width = 512, depth = 64 } = opts;
  const g = new GraphBuilder('slow');
  g.input('x', ['N', width]);
  let x = 'x';
  const w = g.constFloat('w', [width, width], seededWeights(width * width, width, 3));
  for (let i = 0; i < depth; i++) x = g.op('Tanh', [g.op('MatMul', [x, w])]);
  g.node('Identity', [x], {}, ['y']);
  g.output('y', ['N', width]);
  const input: InputSpec = { name: 'x', shape: [-1, width], layout: 'NHWC', colour: 'grey', mean: [0], std: [1] };
  return { bytes: g.toBytes(), descriptor: descriptor('slow', 'pad', input, [{ name: 'y', shape: [-1, width], description: '' }]) };
}
