// The tfjs-graph converter's op table on tiny graphs built here, each compared with tfjs
// running the very same graph (same JSON topology, same weights).
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { convertTfjsGraph } from '../models/convert/tfjs-graph/convert.ts';
import type { GraphModelJson, RawAttr, RawNode } from '../models/convert/tfjs-graph/parse.ts';
import type { Weight } from '../models/convert/tfjs-weights.ts';
import { loadReferenceModel, runReference } from './lib/tfjs-graph-reference.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const A = {
  s: (v: string): RawAttr => ({ s: b64(v) }),
  ints: (v: number[]): RawAttr => ({ list: { i: v.map(String) } }),
  strs: (v: string[]): RawAttr => ({ list: { s: v.map(b64) } }),
  i: (v: number): RawAttr => ({ i: String(v) }),
  b: (v: boolean): RawAttr => ({ b: v }),
  f: (v: number): RawAttr => ({ f: v }),
  T: { type: 'DT_FLOAT' } as RawAttr,
};

/** Deterministic pseudo-random values in [-1, 1). */
function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A tiny graph: nodes plus float/int constants, in both the converter's and tfjs's form. */
class TinyGraph {
  nodes: RawNode[] = [];
  consts: { name: string; shape: number[]; dtype: 'float32' | 'int32'; data: Float32Array | Int32Array }[] = [];
  constructor(readonly inputShape: number[]) {
    this.nodes.push({ name: 'x', op: 'Placeholder', attr: { dtype: A.T, shape: { shape: { dim: inputShape.map((d) => ({ size: String(d) })) } } } });
  }
  f32(name: string, shape: number[], data: Float32Array | number[]): string {
    this.consts.push({ name, shape, dtype: 'float32', data: Float32Array.from(data) });
    this.nodes.push({ name, op: 'Const', attr: { dtype: A.T, value: { tensor: { dtype: 'DT_FLOAT' } } } });
    return name;
  }
  i32(name: string, shape: number[], data: number[]): string {
    this.consts.push({ name, shape, dtype: 'int32', data: Int32Array.from(data) });
    this.nodes.push({ name, op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32' } } } });
    return name;
  }
  op(name: string, op: string, input: string[], attr: Record<string, RawAttr> = {}): string {
    this.nodes.push({ name, op, input, attr: { T: A.T, ...attr } });
    return name;
  }
  json(): GraphModelJson {
    return {
      modelTopology: { node: this.nodes, versions: {} } as GraphModelJson['modelTopology'],
      weightsManifest: [{ paths: [], weights: this.consts.map((c) => ({ name: c.name, shape: c.shape, dtype: c.dtype })) }],
    };
  }
  weights(): Map<string, Weight> {
    return new Map(this.consts.map((c) => [c.name, { shape: c.shape, dtype: c.dtype, data: c.data }]));
  }
  weightData(): ArrayBuffer {
    const bytes = this.consts.reduce((s, c) => s + c.data.byteLength, 0);
    const out = new Uint8Array(bytes);
    let o = 0;
    for (const c of this.consts) { out.set(new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength), o); o += c.data.byteLength; }
    return out.buffer;
  }
}

/** Converts, runs ONNX and tfjs on the same batch-2 input, returns the largest abs difference. */
async function compare(g: TinyGraph, outputs: string[], batch = 2): Promise<{ diff: number; onnxShape: number[][]; ref: Float32Array[] }> {
  const conv = convertTfjsGraph(g.json(), g.weights(), { name: 'tiny', outputs: outputs.map((o, i) => ({ from: o, name: `y${i}` })) });
  const shape = [batch, ...g.inputShape.slice(1)];
  const x = rand(shape.reduce((a, b) => a * b, 1), 7);
  const session = await ort.InferenceSession.create(conv.bytes);
  const res = await session.run({ x: new ort.Tensor('float32', x, shape) });
  const model = await loadReferenceModel({
    modelTopology: g.json().modelTopology, weightSpecs: g.json().weightsManifest[0].weights as never, weightData: g.weightData(),
  });
  const ref = await runReference(model, { data: x, shape }, outputs);
  let diff = 0;
  const onnxShape: number[][] = [];
  outputs.forEach((_, i) => {
    const a = res[`y${i}`];
    onnxShape.push([...a.dims]);
    expect([...a.dims]).toEqual(ref[i].shape);
    const d = a.data as Float32Array;
    for (let j = 0; j < d.length; j++) diff = Math.max(diff, Math.abs(d[j] - ref[i].data[j]));
  });
  return { diff, onnxShape, ref: ref.map((r) => r.data) };
}

const conv2dAttrs = (padding: string, s: number) => ({
  strides: A.ints([1, s, s, 1]), padding: A.s(padding), data_format: A.s('NHWC'), dilations: A.ints([1, 1, 1, 1]), explicit_paddings: A.ints([]),
});

describe('tfjs-graph op table against tfjs', () => {
  it('SAME-padded strided _FusedConv2D (BiasAdd+Relu) with asymmetric padding on even and odd sizes', async () => {
    const g = new TinyGraph([-1, 8, 7, 3]);
    const w = g.f32('w', [3, 3, 3, 4], rand(108, 1));
    const b = g.f32('b', [4], rand(4, 2));
    g.op('y', '_FusedConv2D', ['x', w, b], { ...conv2dAttrs('SAME', 2), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1) });
    const r = await compare(g, ['y']);
    expect(r.onnxShape[0]).toEqual([2, 4, 4, 4]);
    expect(r.diff).toBeLessThan(1e-5);
    expect(r.ref[0].some((v) => v > 0)).toBe(true); // not all clipped away
  });

  it('VALID Conv2D and EXPLICIT padding', async () => {
    const g = new TinyGraph([-1, 9, 9, 2]);
    const w = g.f32('w', [4, 2, 2, 3], rand(48, 3));
    g.op('v', 'Conv2D', ['x', w], conv2dAttrs('VALID', 3));
    const w2 = g.f32('w2', [3, 3, 3, 2], rand(54, 4));
    g.op('e', 'Conv2D', ['v', w2], { ...conv2dAttrs('EXPLICIT', 1), explicit_paddings: A.ints([0, 0, 1, 2, 2, 0, 0, 0]) });
    const r = await compare(g, ['v', 'e']);
    expect(r.onnxShape).toEqual([[2, 2, 3, 3], [2, 3, 3, 2]]); // (9-4)/3+1 x (9-2)/3+1; then 2+1+2-3+1 x 3+2+0-3+1
    expect(r.diff).toBeLessThan(1e-5);
  });

  it('depthwise conv with channel multiplier 2, SAME stride 2, then Prelu with a per-channel slope', async () => {
    const g = new TinyGraph([-1, 6, 5, 3]);
    const w = g.f32('w', [3, 3, 3, 2], rand(54, 5));
    g.op('d', 'DepthwiseConv2dNative', ['x', w], conv2dAttrs('SAME', 2));
    const alpha = g.f32('alpha', [1, 1, 6], rand(6, 6));
    g.op('p', 'Prelu', ['d', alpha]);
    const r = await compare(g, ['p']);
    expect(r.onnxShape[0]).toEqual([2, 3, 3, 6]);
    expect(r.diff).toBeLessThan(1e-5);
  });

  it('pools with SAME padding, channel Pad, broadcasting Mul/Add, Concat on channels, Mean', async () => {
    const g = new TinyGraph([-1, 7, 7, 2]);
    const pads = g.i32('pads', [4, 2], [0, 0, 0, 0, 0, 0, 0, 2]);
    g.op('pd', 'Pad', ['x', pads], { Tpaddings: { type: 'DT_INT32' } });
    g.op('mp', 'MaxPool', ['pd'], { ksize: A.ints([1, 2, 2, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') });
    g.op('ap', 'AvgPool', ['pd'], { ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') });
    const scale = g.f32('scale', [4], [1, -2, 3, 0.5]);
    g.op('m', 'Mul', ['mp', scale]);
    g.op('a', 'AddV2', ['m', 'ap']);
    const ax = g.i32('axis', [], [3]);
    g.op('c', 'ConcatV2', ['a', 'mp', ax], { N: A.i(2), Tidx: { type: 'DT_INT32' } });
    const red = g.i32('red', [2], [1, 2]);
    g.op('mean', 'Mean', ['c', red], { keep_dims: A.b(false), Tidx: { type: 'DT_INT32' } });
    const r = await compare(g, ['c', 'mean']);
    expect(r.onnxShape).toEqual([[2, 4, 4, 8], [2, 8]]);
    expect(r.diff).toBeLessThan(1e-5);
  });

  it('_FusedMatMul (BiasAdd+Relu6) after a Reshape whose batch tfjs baked in as 1, then Softmax', async () => {
    const g = new TinyGraph([-1, 2, 2, 3]);
    const shape = g.i32('shape', [2], [1, -1]);
    g.op('flat', 'Reshape', ['x', shape], { Tshape: { type: 'DT_INT32' } });
    const w = g.f32('w', [12, 5], rand(60, 8).map((v) => v * 4));
    const b = g.f32('b', [5], rand(5, 9));
    g.op('fc', '_FusedMatMul', ['flat', w, b], { fused_ops: A.strs(['BiasAdd', 'Relu6']), transpose_a: A.b(false), transpose_b: A.b(false), num_args: A.i(1) });
    g.op('sm', 'Softmax', ['fc']);
    // tfjs runs the baked shape literally, so compare at batch 1; the ONNX model must also run batch 3.
    const r = await compare(g, ['fc', 'sm'], 1);
    expect(r.diff).toBeLessThan(1e-5);
    const conv = convertTfjsGraph(g.json(), g.weights(), { name: 'b', outputs: [{ from: 'sm', name: 'y' }] });
    const s = await ort.InferenceSession.create(conv.bytes);
    const out = await s.run({ x: new ort.Tensor('float32', rand(36, 1), [3, 2, 2, 3]) });
    expect([...out.y.dims]).toEqual([3, 5]);
  });

  it('fails loudly, naming every unsupported op', () => {
    const g = new TinyGraph([-1, 4]);
    g.op('a', 'Erf', ['x']);
    g.op('b', 'Cumsum', ['a']);
    expect(() => convertTfjsGraph(g.json(), g.weights(), { name: 'bad', outputs: [{ from: 'b', name: 'y' }] }))
      .toThrow(/unsupported TF op\(s\): (Erf, Cumsum|Cumsum, Erf)/);
  });
});
