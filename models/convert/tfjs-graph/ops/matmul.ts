// MatMul and _FusedMatMul (bias + activation) as ONNX Gemm on rank-2 operands.
import type { Context, Value } from '../context.ts';
import { attr, ConversionError, type TfNode } from '../parse.ts';
import { applyActivation } from './activation.ts';
import type { OpTable } from './types.ts';

function matmul(fused: boolean) {
  return (ctx: Context, node: TfNode): Value[] => {
    const where = `${node.op} ${node.name}`;
    const a = ctx.get(node.inputs[0], node);
    const b = ctx.get(node.inputs[1], node);
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new ConversionError(`${where}: only rank-2 operands supported, got [${a.shape}] x [${b.shape}]`);
    const ta = attr.bool(node, 'transpose_a', false);
    const tb = attr.bool(node, 'transpose_b', false);
    const fusedOps = fused ? attr.strs(node, 'fused_ops') : [];
    const extra = node.inputs.slice(2).map((r) => ctx.get(r, node));
    const inputs = [ctx.tensor(a, 'tf'), ctx.tensor(b, 'tf')];
    let rest = fusedOps;
    if (fusedOps[0] === 'BiasAdd') {
      if (!extra[0]) throw new ConversionError(`${where}: BiasAdd without a bias input`);
      inputs.push(ctx.tensor(extra[0], 'tf'));
      rest = fusedOps.slice(1);
    } else if (fusedOps.length) {
      throw new ConversionError(`${where}: fused ops [${fusedOps}] not supported`);
    }
    if (rest.length > 1) throw new ConversionError(`${where}: fused ops [${fusedOps}] not supported`);
    let y = ctx.g.op('Gemm', inputs, { transA: ta ? 1 : 0, transB: tb ? 1 : 0 });
    if (rest.length === 1) y = applyActivation(ctx, node, rest[0], y, 'tf', extra[1]);
    const shape = [ta ? a.shape[1] : a.shape[0], tb ? b.shape[0] : b.shape[1]];
    return [ctx.tensorValue(y, shape, 'tf')];
  };
}

export const matmulOps: OpTable = {
  MatMul: matmul(false),
  _FusedMatMul: matmul(true),
};
