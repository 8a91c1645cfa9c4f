// Activations, standalone and as the fused tail of _FusedConv2D / _FusedMatMul.
import { type Context, type Layout, type Value } from '../context.ts';
import { attr, ConversionError, type TfNode } from '../parse.ts';
import type { OpTable } from './types.ts';

/** ONNX name of an activation's input `alpha` arranged for a tensor stored in `layout`. */
function alphaFor(ctx: Context, alpha: Value, layout: Layout): string {
  if (layout === 'nchw') {
    if (alpha.kind !== 'const') throw new ConversionError('Prelu alpha must be a constant when the input is NCHW');
    return ctx.constForNchw(alpha);
  }
  return ctx.tensor(alpha, 'tf');
}

/**
 * Applies activation `kind` (a TF op name) to the physical tensor `x` stored in `layout`.
 * `alpha` is Prelu's slope; LeakyRelu's slope comes from the node's attribute.
 */
export function applyActivation(ctx: Context, node: TfNode, kind: string, x: string, layout: Layout, alpha?: Value): string {
  switch (kind) {
    case 'Relu': return ctx.g.op('Relu', [x]);
    case 'Relu6': return ctx.g.op('Clip', [x, ctx.g.constFloat(ctx.g.fresh('zero'), [], [0]), ctx.g.constFloat(ctx.g.fresh('six'), [], [6])]);
    case 'Elu': return ctx.g.op('Elu', [x]); // ONNX's default alpha 1 is TF's
    case 'Sigmoid': return ctx.g.op('Sigmoid', [x]);
    case 'Tanh': return ctx.g.op('Tanh', [x]);
    case 'LeakyRelu': {
      const a = attr.float(node, 'leakyrelu_alpha', attr.float(node, 'alpha', 0.2));
      // The builder writes integral numbers as INT attributes: give those as a PRelu slope instead.
      if (Number.isInteger(a)) return ctx.g.op('PRelu', [x, ctx.g.constFloat(ctx.g.fresh('slope'), [], [a])]);
      return ctx.g.op('LeakyRelu', [x], { alpha: a });
    }
    case 'Prelu':
      if (!alpha) throw new ConversionError(`${node.op} ${node.name}: Prelu without alpha`);
      return ctx.g.op('PRelu', [x, alphaFor(ctx, alpha, layout)]);
    default:
      throw new ConversionError(`${node.op} ${node.name}: fused activation ${kind} not supported`);
  }
}

function unary(onnxOp: string, attrs: Record<string, number> = {}) {
  return (ctx: Context, node: TfNode): Value[] => {
    const x = ctx.get(node.inputs[0], node);
    if (x.kind === 'const') throw new ConversionError(`${node.op} ${node.name}: constant input not folded by the tfjs converter`);
    const y = ctx.g.op(onnxOp, [x.name], attrs);
    return [ctx.tensorValue(y, x.shape, x.layout, x.dtype)];
  };
}

function activation(kind: string) {
  return (ctx: Context, node: TfNode): Value[] => {
    const x = ctx.get(node.inputs[0], node);
    if (x.kind === 'const') throw new ConversionError(`${node.op} ${node.name}: constant input not folded by the tfjs converter`);
    const alpha = kind === 'Prelu' ? ctx.get(node.inputs[1], node) : undefined;
    return [ctx.tensorValue(applyActivation(ctx, node, kind, x.name, x.layout, alpha), x.shape, x.layout)];
  };
}

export const activationOps: OpTable = {
  Relu: activation('Relu'),
  Relu6: activation('Relu6'),
  Elu: activation('Elu'),
  LeakyRelu: activation('LeakyRelu'),
  Prelu: activation('Prelu'),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Neg: unary('Neg'),
  Abs: unary('Abs'),
  Sqrt: unary('Sqrt'),
  Floor: unary('Floor'),
  Ceil: unary('Ceil'),
  Softplus: unary('Softplus'),
  Reciprocal: unary('Reciprocal'),
  Rsqrt(ctx, node) {
    const x = ctx.get(node.inputs[0], node);
    if (x.kind === 'const') throw new ConversionError(`${node.op} ${node.name}: constant input not folded`);
    const y = ctx.g.op('Reciprocal', [ctx.g.op('Sqrt', [x.name])]);
    return [ctx.tensorValue(y, x.shape, x.layout)];
  },
  Square(ctx, node) {
    const x = ctx.get(node.inputs[0], node);
    if (x.kind === 'const') throw new ConversionError(`${node.op} ${node.name}: constant input not folded`);
    return [ctx.tensorValue(ctx.g.op('Mul', [x.name, x.name]), x.shape, x.layout)];
  },
  Softmax(ctx, node) {
    const x = ctx.get(node.inputs[0], node);
    if (x.kind === 'const') throw new ConversionError(`${node.op} ${node.name}: constant input not folded`);
    // TF's softmax runs over the last logical axis: channels, i.e. axis 1 when stored NCHW.
    const axis = x.layout === 'nchw' && x.shape.length === 4 ? 1 : -1;
    return [ctx.tensorValue(ctx.g.op('Softmax', [x.name], { axis }), x.shape, x.layout)];
  },
};
