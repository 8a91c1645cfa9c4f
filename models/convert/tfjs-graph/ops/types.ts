// One entry of the op table: converts one TF node into ONNX nodes, returns its output values.
import type { Context, Value } from '../context.ts';
import type { TfNode } from '../parse.ts';

export type OpConverter = (ctx: Context, node: TfNode) => Value[];
export type OpTable = Record<string, OpConverter>;
