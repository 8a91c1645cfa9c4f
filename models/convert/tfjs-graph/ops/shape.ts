// Shape-moving ops: Reshape, Squeeze, ExpandDims, Transpose, ConcatV2, Pad*, Identity, Cast.
import { NHWC_TO_NCHW_AXIS, numel, transposeData, type ConstValue, type Context, type Value } from '../context.ts';
import { attr, ConversionError, type TfNode } from '../parse.ts';
import type { OpTable } from './types.ts';

const pass = (ctx: Context, node: TfNode): Value[] => [ctx.get(node.inputs[0], node)];

function dynamic(ctx: Context, node: TfNode, i = 0) {
  const v = ctx.get(node.inputs[i], node);
  if (v.kind === 'const') throw new ConversionError(`${node.op} ${node.name}: constant input not folded by the tfjs converter`);
  return v;
}

function reshape(ctx: Context, node: TfNode): Value[] {
  const x = ctx.get(node.inputs[0], node);
  const target = Array.from(ctx.constInput(node, 1).data);
  if (x.kind === 'const') {
    const known = target.filter((d) => d !== -1);
    const shape = target.map((d) => (d === -1 ? x.data.length / numel(known) : d));
    return [{ ...x, shape, onnxName: undefined }];
  }
  // tfjs graphs often bake batch 1 into head reshapes ([1, 384, 16]); with a symbolic batch,
  // copy the input's batch instead (ONNX's 0) so the model runs on any batch.
  const batchSymbolic = x.shape[0] === -1;
  const onnxShape = [...target];
  if (batchSymbolic && target[0] === 1) onnxShape[0] = 0;
  const resolved = onnxShape.map((d, i) => (d === 0 ? x.shape[i] : d));
  const free = resolved.indexOf(-1, onnxShape[0] === 0 ? 1 : 0);
  if (free >= 0) {
    // Solve the one -1: the batch cancels out when it is copied through.
    const skip = onnxShape[0] === 0 ? 1 : 0;
    const have = x.shape.slice(skip);
    const others = resolved.filter((_, i) => i !== free && i >= skip);
    resolved[free] = have.every((d) => d >= 0) && others.every((d) => d >= 0) ? numel(have) / numel(others) : -1;
  }
  const shape = resolved;
  const y = ctx.g.op('Reshape', [ctx.tensor(x, 'tf'), ctx.int64(onnxShape)]);
  return [ctx.tensorValue(y, shape, 'tf', x.dtype)];
}

function squeeze(ctx: Context, node: TfNode): Value[] {
  const x = dynamic(ctx, node);
  const rank = x.shape.length;
  let axes = attr.ints(node, 'squeeze_dims', attr.ints(node, 'axis', [])).map((a) => (a < 0 ? a + rank : a));
  if (axes.length === 0) axes = x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  const y = ctx.g.op('Squeeze', [ctx.tensor(x, 'tf'), ctx.int64(axes)]);
  return [ctx.tensorValue(y, x.shape.filter((_, i) => !axes.includes(i)), 'tf', x.dtype)];
}

function expandDims(ctx: Context, node: TfNode): Value[] {
  const x = dynamic(ctx, node);
  let axis = ctx.constInput(node, 1).data[0];
  if (axis < 0) axis += x.shape.length + 1;
  const shape = [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)];
  return [ctx.tensorValue(ctx.g.op('Unsqueeze', [ctx.tensor(x, 'tf'), ctx.int64([axis])]), shape, 'tf', x.dtype)];
}

function transpose(ctx: Context, node: TfNode): Value[] {
  const x = ctx.get(node.inputs[0], node);
  const perm = Array.from(ctx.constInput(node, 1).data);
  const shape = perm.map((p) => x.shape[p]);
  if (x.kind === 'const') return [{ kind: 'const', dtype: x.dtype, shape, data: transposeData(x.data, x.shape, perm) }];
  return [ctx.tensorValue(ctx.g.op('Transpose', [ctx.tensor(x, 'tf')], { perm }), shape, 'tf', x.dtype)];
}

function concat(ctx: Context, node: TfNode): Value[] {
  const n = attr.int(node, 'N', node.inputs.length - 1);
  const parts = node.inputs.slice(0, n).map((r) => ctx.get(r, node));
  const rank = parts[0].shape.length;
  let axis = ctx.constInput(node, n).data[0];
  if (axis < 0) axis += rank;
  const nchw = rank === 4 && parts.some((p) => p.kind === 'tensor' && p.layout === 'nchw');
  const layout = nchw ? 'nchw' : 'tf';
  const shape = [...parts[0].shape];
  shape[axis] = parts.some((p) => p.shape[axis] < 0) ? -1 : parts.reduce((s, p) => s + p.shape[axis], 0);
  const y = ctx.g.op('Concat', parts.map((p) => ctx.tensor(p, layout)), { axis: nchw ? NHWC_TO_NCHW_AXIS[axis] : axis });
  return [ctx.tensorValue(y, shape, layout, parts[0].dtype)];
}

function pad(mode: 'constant' | 'mirror') {
  return (ctx: Context, node: TfNode): Value[] => {
    const x = dynamic(ctx, node);
    const p = ctx.constInput(node, 1);
    const rank = x.shape.length;
    if (p.data.length !== rank * 2) throw new ConversionError(`${node.op} ${node.name}: paddings of ${p.data.length} values for rank ${rank}`);
    let onnxMode = 'constant';
    if (mode === 'mirror') {
      const m = attr.str(node, 'mode', 'REFLECT');
      if (m !== 'REFLECT') throw new ConversionError(`${node.op} ${node.name}: MirrorPad mode ${m} has no ONNX equivalent`);
      onnxMode = 'reflect';
    }
    const layout = x.layout;
    const axes = layout === 'nchw' ? [0, 3, 1, 2] : [...Array(rank).keys()]; // physical axis i holds logical axes[i]
    const begins = axes.map((a) => p.data[2 * a]);
    const ends = axes.map((a) => p.data[2 * a + 1]);
    const inputs = [ctx.tensor(x, layout), ctx.int64([...begins, ...ends])];
    if (node.op === 'PadV2') {
      const cv = ctx.constInput(node, 2) as ConstValue;
      inputs.push(ctx.g.constFloat(ctx.g.fresh('pad_value'), [], [cv.data[0]]));
    }
    const y = ctx.g.op('Pad', inputs, { mode: onnxMode });
    const shape = x.shape.map((d, i) => (d < 0 ? -1 : d + p.data[2 * i] + p.data[2 * i + 1]));
    return [ctx.tensorValue(y, shape, layout, x.dtype)];
  };
}

function cast(ctx: Context, node: TfNode): Value[] {
  const x = ctx.get(node.inputs[0], node);
  const to = node.attr.DstT?.type ?? 'DT_FLOAT';
  if (to !== 'DT_FLOAT' && to !== 'DT_INT32') throw new ConversionError(`${node.op} ${node.name}: cast to ${to} not supported`);
  const dtype = to === 'DT_FLOAT' ? 'float32' : 'int32';
  if (x.kind === 'const') {
    const data = dtype === 'float32' ? Float32Array.from(x.data) : Int32Array.from(x.data, Math.trunc);
    return [{ kind: 'const', dtype, shape: x.shape, data }];
  }
  if (x.dtype === dtype) return [x];
  // int32 tensors travel as int64 in the ONNX graph (ONNX's shape ops want int64).
  const y = ctx.g.op('Cast', [x.name], { to: dtype === 'float32' ? 1 : 7 });
  return [ctx.tensorValue(y, x.shape, x.layout, dtype)];
}

export const shapeOps: OpTable = {
  Identity: pass,
  Snapshot: pass,
  StopGradient: pass,
  Reshape: reshape,
  Squeeze: squeeze,
  ExpandDims: expandDims,
  Transpose: transpose,
  ConcatV2: concat,
  Pad: pad('constant'),
  PadV2: pad('constant'),
  MirrorPad: pad('mirror'),
  Cast: cast,
};
