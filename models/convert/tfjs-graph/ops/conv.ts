// Conv2D, depthwise conv and their fused forms (bias + activation), run as ONNX Conv on NCHW.
import { transposeData, type ConstValue, type Context, type Value } from '../context.ts';
import { spatialPads } from '../padding.ts';
import { attr, ConversionError, type TfNode } from '../parse.ts';
import { applyActivation } from './activation.ts';
import type { OpTable } from './types.ts';

function checkNhwc(node: TfNode): void {
  const fmt = attr.str(node, 'data_format', 'NHWC');
  if (fmt !== 'NHWC') throw new ConversionError(`${node.op} ${node.name}: data_format ${fmt} not supported (tfjs runs NHWC)`);
}

/** Filter in ONNX's [out, in/group, kh, kw] from TF's HWIO (conv) or HWCM (depthwise). */
function onnxFilter(ctx: Context, f: ConstValue, depthwise: boolean): { name: string; out: number; k: [number, number]; group: number } {
  if (f.shape.length !== 4) throw new ConversionError(`filter of rank ${f.shape.length}`);
  const [kh, kw, ci, m] = f.shape;
  if (!depthwise) {
    const data = transposeData(f.data, f.shape, [3, 2, 0, 1]); // [co, ci, kh, kw]
    return { name: ctx.constName({ kind: 'const', dtype: 'float32', shape: [m, ci, kh, kw], data }), out: m, k: [kh, kw], group: 1 };
  }
  // Depthwise output channel c*m + j: ONNX's grouped conv wants [ci*m, 1, kh, kw] in that order.
  const dw = transposeData(f.data, f.shape, [2, 3, 0, 1]); // [ci, m, kh, kw]
  return { name: ctx.constName({ kind: 'const', dtype: 'float32', shape: [ci * m, 1, kh, kw], data: dw }), out: ci * m, k: [kh, kw], group: ci };
}

function conv(depthwise: boolean, fused: boolean) {
  return (ctx: Context, node: TfNode): Value[] => {
    checkNhwc(node);
    const x = ctx.get(node.inputs[0], node);
    if (x.kind === 'const' || x.shape.length !== 4) throw new ConversionError(`${node.op} ${node.name}: input must be a rank-4 tensor`);
    const filter = ctx.constInput(node, 1);
    const strides = attr.ints(node, 'strides', [1, 1, 1, 1]);
    const dil = attr.ints(node, 'dilations', [1, 1, 1, 1]);
    if (strides[0] !== 1 || strides[3] !== 1) throw new ConversionError(`${node.op} ${node.name}: strides over batch/channels`);
    const f = onnxFilter(ctx, filter, depthwise);
    const where = `${node.op} ${node.name}`;
    const sp = spatialPads(attr.str(node, 'padding'), x.shape[1], x.shape[2], f.k, [strides[1], strides[2]],
      [dil[1], dil[2]], attr.ints(node, 'explicit_paddings', []), where);

    const fusedOps = fused ? attr.strs(node, 'fused_ops') : [];
    const extra = node.inputs.slice(2).map((r) => ctx.get(r, node));
    let bias: string | undefined;
    let rest = fusedOps;
    if (fusedOps[0] === 'BiasAdd') {
      const b = extra[0];
      if (!b || b.kind !== 'const') throw new ConversionError(`${where}: BiasAdd needs a constant bias`);
      bias = ctx.constName(b);
      rest = fusedOps.slice(1);
    } else if (fusedOps.length && fusedOps[0] !== 'BiasAdd') {
      throw new ConversionError(`${where}: fused ops [${fusedOps}] not supported`);
    }
    const inputs = [ctx.tensor(x, 'nchw'), f.name, ...(bias ? [bias] : [])];
    let y = ctx.g.op('Conv', inputs, {
      kernel_shape: f.k, strides: [strides[1], strides[2]], dilations: [dil[1], dil[2]], pads: sp.pads, group: f.group,
    });
    if (rest.length > 1) throw new ConversionError(`${where}: fused ops [${fusedOps}] not supported`);
    if (rest.length === 1) y = applyActivation(ctx, node, rest[0], y, 'nchw', extra[1]);
    if (f.group > 1 && x.shape[3] > 0 && x.shape[3] !== f.group) {
      throw new ConversionError(`${where}: depthwise filter for ${f.group} channels on ${x.shape[3]}`);
    }
    return [ctx.tensorValue(y, [x.shape[0], sp.outH, sp.outW, f.out], 'nchw')];
  };
}

function pool(onnxOp: 'MaxPool' | 'AveragePool') {
  return (ctx: Context, node: TfNode): Value[] => {
    checkNhwc(node);
    const x = ctx.get(node.inputs[0], node);
    if (x.kind === 'const' || x.shape.length !== 4) throw new ConversionError(`${node.op} ${node.name}: input must be a rank-4 tensor`);
    const k = attr.ints(node, 'ksize');
    const s = attr.ints(node, 'strides');
    if (k[0] !== 1 || k[3] !== 1 || s[0] !== 1 || s[3] !== 1) throw new ConversionError(`${node.op} ${node.name}: pooling over batch/channels`);
    const sp = spatialPads(attr.str(node, 'padding'), x.shape[1], x.shape[2], [k[1], k[2]], [s[1], s[2]], [1, 1],
      attr.ints(node, 'explicit_paddings', []), `${node.op} ${node.name}`);
    // TF's SAME average excludes the padding from the count: ONNX's count_include_pad=0 (default).
    const y = ctx.g.op(onnxOp, [ctx.tensor(x, 'nchw')], { kernel_shape: [k[1], k[2]], strides: [s[1], s[2]], pads: sp.pads });
    return [ctx.tensorValue(y, [x.shape[0], sp.outH, sp.outW, x.shape[3]], 'nchw')];
  };
}

export const convOps: OpTable = {
  Conv2D: conv(false, false),
  _FusedConv2D: conv(false, true),
  DepthwiseConv2dNative: conv(true, false),
  DepthwiseConv2d: conv(true, false),
  FusedDepthwiseConv2dNative: conv(true, true),
  MaxPool: pool('MaxPool'),
  AvgPool: pool('AveragePool'),
};
