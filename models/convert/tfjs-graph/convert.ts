// tfjs graph model → ONNX (opset 17). Walks the TF GraphDef from the requested outputs back
// to the Placeholder, converting each node through the op table (ops/); unknown ops fail
// the whole conversion with the full list. Data stays NHWC at the boundaries (input as tfjs
// takes it, symbolic batch 'N') and NCHW between convolutions.
import type { Weight } from '../tfjs-weights.ts';
import { Context, onnxDType, type Value } from './context.ts';
import { OPS } from './ops/index.ts';
import { attr, ConversionError, parseNodes, readGraphModel, type GraphModelJson, type TfNode } from './parse.ts';

export interface ConvertOptions {
  /** ONNX graph name. */
  name: string;
  /** TF tensors ("node" or "node:k") to expose, and their ONNX output names. */
  outputs: { from: string; name: string }[];
  /** ONNX input name (default: the Placeholder's own name). */
  inputName?: string;
  /** Make the batch dimension symbolic ('N') even where the graph fixes it to 1 (default true). */
  symbolicBatch?: boolean;
}

export interface TensorInfo { name: string; shape: (number | string)[] }
export interface Converted { bytes: Uint8Array; inputs: TensorInfo[]; outputs: TensorInfo[]; ops: Record<string, number> }

/** Nodes needed for `roots`, dependencies first (iterative DFS: deep graphs are fine). */
function topoOrder(byName: Map<string, TfNode>, roots: string[]): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 1 | 2>();
  for (const root of roots) {
    const stack: [string, boolean][] = [[root, false]];
    while (stack.length) {
      const [name, done] = stack.pop()!;
      const node = byName.get(name);
      if (!node) throw new ConversionError(`tensor ${name} is not produced by any node`);
      if (done) { state.set(name, 2); order.push(node); continue; }
      if (state.get(name) === 2) continue;
      if (state.get(name) === 1) throw new ConversionError(`graph has a cycle through ${name}`);
      state.set(name, 1);
      stack.push([name, true]);
      for (const r of node.inputs) if (state.get(r.node) !== 2) stack.push([r.node, false]);
    }
  }
  return order;
}

function constValue(node: TfNode, weights: Map<string, Weight>): Value {
  const w = weights.get(node.name);
  if (!w) throw new ConversionError(`Const ${node.name}: not in the weights manifest`);
  return { kind: 'const', dtype: w.dtype, shape: w.shape, data: w.data };
}

const dimName = (d: number, i: number): number | string => (d >= 0 ? d : i === 0 ? 'N' : `d${i}`);

export function convertTfjsGraph(json: GraphModelJson, weights: Map<string, Weight>, opts: ConvertOptions): Converted {
  const nodes = parseNodes(json);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const roots = opts.outputs.map((o) => o.from.split(':')[0]);
  const order = topoOrder(byName, roots);
  const unknown = [...new Set(order.filter((n) => !OPS[n.op] && n.op !== 'Const' && n.op !== 'Placeholder').map((n) => n.op))];
  if (unknown.length) throw new ConversionError(`unsupported TF op(s): ${unknown.join(', ')}`);

  const ctx = new Context(opts.name);
  const inputs: TensorInfo[] = [];
  const ops: Record<string, number> = {};
  for (const node of order) {
    ops[node.op] = (ops[node.op] ?? 0) + 1;
    if (node.op === 'Const') { ctx.set(node.name, [constValue(node, weights)]); continue; }
    if (node.op === 'Placeholder') {
      const shape = attr.shape(node, 'shape');
      if (!shape) throw new ConversionError(`Placeholder ${node.name}: unknown rank`);
      if (opts.symbolicBatch ?? true) shape[0] = -1;
      const dtype = node.attr.dtype?.type === 'DT_INT32' ? 'int32' : 'float32';
      const name = inputs.length === 0 && opts.inputName ? opts.inputName : node.name;
      const dims = shape.map(dimName);
      ctx.g.input(name, dims, onnxDType(dtype));
      inputs.push({ name, shape: dims });
      ctx.set(node.name, [ctx.tensorValue(name, shape, 'tf', dtype)]);
      continue;
    }
    try {
      ctx.set(node.name, OPS[node.op](ctx, node));
    } catch (e) {
      if (e instanceof ConversionError && !e.message.includes(node.name)) throw new ConversionError(`${node.op} ${node.name}: ${e.message}`);
      throw e;
    }
  }

  const outputs: TensorInfo[] = [];
  for (const o of opts.outputs) {
    const [node, idx] = o.from.split(':');
    const v = ctx.get({ node, index: Number(idx ?? 0) });
    if (v.kind === 'const') throw new ConversionError(`output ${o.from} is a constant`);
    ctx.g.op('Identity', [ctx.tensor(v, 'tf')], {}, o.name);
    const dims = v.shape.map(dimName);
    ctx.g.output(o.name, dims, onnxDType(v.dtype));
    outputs.push({ name: o.name, shape: dims });
  }
  return { bytes: ctx.g.toBytes(`converted from a tfjs graph model by biocheck`), inputs, outputs, ops };
}

/** Converts model.json (and its shards beside it) on disk. */
export function convertTfjsGraphFile(jsonPath: string, opts: ConvertOptions): Converted {
  const { json, weights } = readGraphModel(jsonPath);
  return convertTfjsGraph(json, weights, opts);
}
