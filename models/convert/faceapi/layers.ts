// Shared pieces for writing face-api's networks as ONNX graphs: weight loading, TF→ONNX
// filter layouts, TF 'same'/'valid' padding as explicit pads, and a Conv emitter that tracks
// the (static) spatial size so every pad is computed exactly as tfjs computes it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GraphBuilder } from '../../onnx/builder.ts';
import { readWeights, type WeightGroup } from '../tfjs-weights.ts';

export const FACEAPI_PACKAGE = '@vladmandic/face-api';

/** Weights of one face-api manifest (model/<name>-weights_manifest.json), dequantised as tfjs does. */
export class FaceApiWeights {
  private readonly map;
  private readonly used = new Set<string>();

  constructor(packageDir: string, readonly modelName: string) {
    const dir = path.join(packageDir, 'model');
    const groups = JSON.parse(readFileSync(path.join(dir, `${modelName}-weights_manifest.json`), 'utf8')) as WeightGroup[];
    this.map = readWeights(groups, dir);
  }

  get(name: string, rank?: number): { shape: number[]; data: Float32Array } {
    const w = this.map.get(name);
    if (!w || w.dtype !== 'float32') throw new Error(`${this.modelName}: no float32 weight '${name}'`);
    if (rank !== undefined && w.shape.length !== rank) throw new Error(`${this.modelName}: '${name}' has rank ${w.shape.length}, expected ${rank}`);
    this.used.add(name);
    return { shape: w.shape, data: w.data as Float32Array };
  }

  /** Throws when the graph ignored a weight (a sign the topology was misread), except `ignored` ones. */
  assertAllUsed(ignored?: RegExp): void {
    const unused = [...this.map.keys()].filter((k) => !this.used.has(k) && !ignored?.test(k));
    if (unused.length) throw new Error(`${this.modelName}: weights not used by the graph: ${unused.join(', ')}`);
  }
}

/** TF conv filter [kh, kw, in, out] → ONNX [out, in, kh, kw]. */
export function hwioToOihw(data: Float32Array, shape: number[]): { dims: number[]; data: Float32Array } {
  const [kh, kw, ci, co] = shape;
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    out[((o * ci + i) * kh + y) * kw + x] = data[((y * kw + x) * ci + i) * co + o];
  }
  return { dims: [co, ci, kh, kw], data: out };
}

/** TF depthwise filter [kh, kw, c, 1] → ONNX grouped Conv weight [c, 1, kh, kw]. */
export function depthwiseToOnnx(data: Float32Array, shape: number[]): { dims: number[]; data: Float32Array } {
  const [kh, kw, c, m] = shape;
  if (m !== 1) throw new Error(`depthwise multiplier ${m} not supported`);
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < c; i++) {
    out[(i * kh + y) * kw + x] = data[(y * kw + x) * c + i];
  }
  return { dims: [c, 1, kh, kw], data: out };
}

export type Padding = 'same' | 'valid';

/** Output size and [before, after] pads along one axis, as TensorFlow computes them. */
export function tfPadding(size: number, k: number, stride: number, padding: Padding): { out: number; pads: [number, number] } {
  if (padding === 'valid') return { out: Math.floor((size - k) / stride) + 1, pads: [0, 0] };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  const before = Math.floor(total / 2);
  return { out, pads: [before, total - before] };
}

/** An NCHW value in the graph with its static channel count and (square) spatial size. */
export interface Value { name: string; c: number; size: number }

export interface ConvArgs {
  /** ONNX-layout weight [out, in/group, kh, kw] and its bias. */
  weight: { dims: number[]; data: Float32Array };
  bias?: Float32Array;
  stride: number;
  padding: Padding;
  group?: number;
}

/** GraphBuilder plus face-api-shaped layer emitters over NCHW values. */
export class NetGraph {
  readonly g: GraphBuilder;
  private constants = 0;

  constructor(name: string) { this.g = new GraphBuilder(name, 17); }

  const(prefix: string, dims: number[], data: Float32Array | number[]): string {
    return this.g.constFloat(`${prefix}__c${this.constants++}`, dims, data);
  }

  conv(x: Value, a: ConvArgs, label: string): Value {
    const [co, , kh, kw] = a.weight.dims;
    if (kh !== kw) throw new Error(`${label}: non-square kernel`);
    const p = tfPadding(x.size, kh, a.stride, a.padding);
    const inputs = [x.name, this.const(`${label}_w`, a.weight.dims, a.weight.data)];
    if (a.bias) inputs.push(this.const(`${label}_b`, [co], a.bias));
    const y = this.g.op('Conv', inputs, {
      kernel_shape: [kh, kw], strides: [a.stride, a.stride], group: a.group ?? 1,
      pads: [p.pads[0], p.pads[0], p.pads[1], p.pads[1]], dilations: [1, 1],
    });
    return { name: y, c: co, size: p.out };
  }

  relu(x: Value): Value { return { ...x, name: this.g.op('Relu', [x.name]) }; }

  /** clip(x, lo, hi) — tf.clipByValue; ORT fuses Conv+Clip. */
  clip(x: Value, lo: number, hi: number): Value {
    const l = this.const('clip_lo', [], [lo]);
    const h = this.const('clip_hi', [], [hi]);
    return { ...x, name: this.g.op('Clip', [x.name, l, h]) };
  }

  add(a: Value, b: Value): Value {
    if (a.c !== b.c || a.size !== b.size) throw new Error(`add: shapes differ (${a.c}x${a.size} vs ${b.c}x${b.size})`);
    return { ...a, name: this.g.op('Add', [a.name, b.name]) };
  }

  pool(op: 'AveragePool' | 'MaxPool', x: Value, k: number, stride: number, padding: Padding): Value {
    const p = tfPadding(x.size, k, stride, padding);
    // tfjs's avgPool with 'same' divides by the valid count only: count_include_pad 0 matches.
    const attrs: Record<string, number | number[]> = {
      kernel_shape: [k, k], strides: [stride, stride], pads: [p.pads[0], p.pads[0], p.pads[1], p.pads[1]],
    };
    if (op === 'AveragePool') attrs.count_include_pad = 0;
    return { name: this.g.op(op, [x.name], attrs), c: x.c, size: p.out };
  }

  /** Zero padding in NCHW: [channelsAfter, rowsAfter, colsAfter]. */
  zeroPad(x: Value, channelsAfter: number, spatialAfter: number): Value {
    const pads = this.g.constInt64(this.g.fresh('pads'), [8], [0, 0, 0, 0, 0, channelsAfter, spatialAfter, spatialAfter]);
    return { name: this.g.op('Pad', [x.name, pads], { mode: 'constant' }), c: x.c + channelsAfter, size: x.size + spatialAfter };
  }

  /** NHWC 0..255 RGB input → NCHW float, pixel' = (pixel - mean[c]) / std, as face-api normalises. */
  nhwcInput(name: string, size: number, mean: number[], std: number): Value {
    this.g.input(name, ['N', size, size, 3]);
    const t = this.g.op('Transpose', [name], { perm: [0, 3, 1, 2] });
    const m = this.const('input_mean', [1, 3, 1, 1], mean);
    const s = this.const('input_std', [], [std]);
    const y = this.g.op('Div', [this.g.op('Sub', [t, m]), s]);
    return { name: y, c: 3, size };
  }
}
