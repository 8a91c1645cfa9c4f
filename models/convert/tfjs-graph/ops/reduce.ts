// Mean / Sum / Max / Min / Prod over constant axes; NCHW inputs reduce in place when the
// kept axes keep their logical order (e.g. a global average pool over H and W).
import { NHWC_TO_NCHW_AXIS, type Context, type Value } from '../context.ts';
import { attr, ConversionError, type TfNode } from '../parse.ts';
import type { OpTable } from './types.ts';

function reduce(onnxOp: string) {
  return (ctx: Context, node: TfNode): Value[] => {
    const x = ctx.get(node.inputs[0], node);
    if (x.kind === 'const') throw new ConversionError(`${node.op} ${node.name}: constant input not folded`);
    const rank = x.shape.length;
    const axes = [...new Set(Array.from(ctx.constInput(node, 1).data).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    const keep = attr.bool(node, 'keep_dims', false);
    const outShape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    let layout = x.layout;
    if (layout === 'nchw' && !keep) {
      // Without keep_dims the survivors must already sit in logical order (N,C after H,W go, say).
      const kept = [0, 1, 2, 3].filter((i) => !axes.includes(i)).map((i) => NHWC_TO_NCHW_AXIS[i]);
      if (kept.some((p, i) => i > 0 && p < kept[i - 1])) layout = 'tf';
    }
    const physAxes = layout === 'nchw' ? axes.map((a) => NHWC_TO_NCHW_AXIS[a]).sort((p, q) => p - q) : axes;
    const input = ctx.tensor(x, layout);
    // Opset 17: ReduceSum takes axes as an input, the others as an attribute.
    const y = onnxOp === 'ReduceSum'
      ? ctx.g.op(onnxOp, [input, ctx.int64(physAxes)], { keepdims: keep ? 1 : 0 })
      : ctx.g.op(onnxOp, [input], { axes: physAxes, keepdims: keep ? 1 : 0 });
    const outLayout = layout === 'nchw' && keep ? 'nchw' : 'tf';
    return [ctx.tensorValue(y, outShape, outLayout)];
  };
}

export const reduceOps: OpTable = {
  Mean: reduce('ReduceMean'),
  Sum: reduce('ReduceSum'),
  Max: reduce('ReduceMax'),
  Min: reduce('ReduceMin'),
  Prod: reduce('ReduceProd'),
};
