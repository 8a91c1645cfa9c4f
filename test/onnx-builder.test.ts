import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../models/onnx/builder.ts';

describe('GraphBuilder', () => {
  it('builds a model that onnxruntime runs with a symbolic batch dimension', async () => {
    const g = new GraphBuilder('affine');
    g.input('x', ['N', 3]);
    const w = g.constFloat('w', [3, 2], [1, 2, 3, 4, 5, 6]);
    const b = g.constFloat('b', [2], [0.5, -1]);
    const y = g.op('Gemm', ['x', w, b], {}, 'y');
    g.output(y, ['N', 2]);
    const session = await ort.InferenceSession.create(g.toBytes());
    const x = new ort.Tensor('float32', Float32Array.from([1, 0, 0, 1, 1, 1]), [2, 3]);
    const out = await session.run({ x });
    // Row 1: [1,2] + b; row 2: [1+3+5, 2+4+6] + b.
    expect(Array.from(out.y.data as Float32Array)).toEqual([1.5, 1, 9.5, 11]);
  });
});
