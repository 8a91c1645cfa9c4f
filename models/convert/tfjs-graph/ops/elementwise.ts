// Binary elementwise ops with TF broadcasting. When a rank-4 operand is stored NCHW the op
// stays NCHW: constants are re-laid out, other rank-4 tensors transposed (once, cached).
import { broadcastShapes, numel, type Context, type Value } from '../context.ts';
import { ConversionError, type TfNode } from '../parse.ts';
import type { OpTable } from './types.ts';

/** Folds a binary op on constants (same shape or scalar operands: all the tfjs converter leaves). */
function fold(a: Value, b: Value, f: (x: number, y: number) => number, shape: number[]): Value | undefined {
  if (a.kind !== 'const' || b.kind !== 'const') return undefined;
  const n = numel(shape);
  const pick = (v: typeof a, i: number) => (v.data.length === 1 ? v.data[0] : v.data[i]);
  if ((a.data.length !== 1 && a.data.length !== n) || (b.data.length !== 1 && b.data.length !== n)) return undefined;
  const isInt = a.dtype === 'int32' && b.dtype === 'int32';
  const data = isInt ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = f(pick(a, i), pick(b, i));
  return { kind: 'const', dtype: isInt ? 'int32' : 'float32', shape, data };
}

export function binaryNode(ctx: Context, node: TfNode, onnxOp: string, a: Value, b: Value): Value {
  const shape = broadcastShapes(a.shape, b.shape, `${node.op} ${node.name}`);
  const tensors = [a, b].filter((v) => v.kind === 'tensor');
  // Stay NCHW when some operand is NCHW and every tensor operand is rank 4 (constants are re-laid out).
  const nchw = shape.length === 4
    && tensors.some((v) => v.kind === 'tensor' && v.layout === 'nchw')
    && tensors.every((v) => v.shape.length === 4);
  const arg = (v: Value) => (nchw ? (v.kind === 'const' ? ctx.constForNchw(v) : ctx.tensor(v, 'nchw')) : ctx.tensor(v, 'tf'));
  const y = ctx.g.op(onnxOp, [arg(a), arg(b)]);
  const dtype = a.dtype === 'int32' && b.dtype === 'int32' ? 'int32' : 'float32';
  return ctx.tensorValue(y, shape, nchw ? 'nchw' : 'tf', dtype);
}

function binary(onnxOp: string, f: (x: number, y: number) => number) {
  return (ctx: Context, node: TfNode): Value[] => {
    const a = ctx.get(node.inputs[0], node);
    const b = ctx.get(node.inputs[1], node);
    const shape = broadcastShapes(a.shape, b.shape, `${node.op} ${node.name}`);
    const folded = fold(a, b, f, shape);
    if (folded) return [folded];
    if (a.kind === 'const' && b.kind === 'const') throw new ConversionError(`${node.op} ${node.name}: cannot fold constants of shapes [${a.shape}] and [${b.shape}]`);
    return [binaryNode(ctx, node, onnxOp, a, b)];
  };
}

function squaredDifference(ctx: Context, node: TfNode): Value[] {
  const d = binaryNode(ctx, node, 'Sub', ctx.get(node.inputs[0], node), ctx.get(node.inputs[1], node));
  if (d.kind !== 'tensor') throw new ConversionError('unreachable');
  return [ctx.tensorValue(ctx.g.op('Mul', [d.name, d.name]), d.shape, d.layout)];
}

export const elementwiseOps: OpTable = {
  Add: binary('Add', (x, y) => x + y),
  AddV2: binary('Add', (x, y) => x + y),
  BiasAdd: binary('Add', (x, y) => x + y),
  Sub: binary('Sub', (x, y) => x - y),
  Mul: binary('Mul', (x, y) => x * y),
  RealDiv: binary('Div', (x, y) => x / y),
  Div: binary('Div', (x, y) => x / y),
  Maximum: binary('Max', Math.max),
  Minimum: binary('Min', Math.min),
  Pow: binary('Pow', Math.pow),
  SquaredDifference: squaredDifference,
};
