// The conversion state: the ONNX graph being built and, for every TF tensor, what it became.
//
// Layout: every value keeps its TF (logical) shape. A rank-4 value may be stored physically
// as NCHW (`layout: 'nchw'`, physical = transpose(logical, [0,3,1,2])) so that chains of
// convolutions, pools and elementwise ops run without Transposes; ops that care about axis
// order ask for the layout they need and the context inserts a Transpose only then.
import { DType, GraphBuilder } from '../../onnx/builder.ts';
import { ConversionError, type TfInputRef, type TfNode } from './parse.ts';

export type Layout = 'tf' | 'nchw';
export type ElemType = 'float32' | 'int32';

export interface ConstValue {
  kind: 'const';
  shape: number[];
  dtype: ElemType;
  data: Float32Array | Int32Array;
  /** ONNX initializer name once materialised (float32 data, or int64 for int32 data). */
  onnxName?: string;
}

export interface TensorValue {
  kind: 'tensor';
  name: string;
  /** Logical (TF) shape; -1 where unknown (the batch). */
  shape: number[];
  dtype: ElemType;
  layout: Layout;
}

export type Value = ConstValue | TensorValue;

/** NHWC axis → its position in NCHW. */
export const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];
export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];

export const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Transposes constant data (row-major) by `perm`. */
export function transposeData<T extends Float32Array | Int32Array>(data: T, shape: number[], perm: number[]): T {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) { inStrides[i] = s; s *= shape[i]; }
  const out = new (data.constructor as { new(n: number): T })(data.length);
  const idx = new Array<number>(rank).fill(0);
  const permStrides = perm.map((p) => inStrides[p]);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * permStrides[d];
    out[o] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

export class Context {
  readonly g: GraphBuilder;
  private values = new Map<string, Value[]>();
  private physicalCache = new Map<string, string>();

  constructor(name: string) {
    this.g = new GraphBuilder(name, 17);
  }

  set(nodeName: string, outputs: Value[]): void {
    this.values.set(nodeName, outputs);
  }

  has(nodeName: string): boolean {
    return this.values.has(nodeName);
  }

  get(ref: TfInputRef, node?: TfNode): Value {
    const v = this.values.get(ref.node)?.[ref.index];
    if (!v) throw new ConversionError(`${node ? `${node.op} ${node.name}: ` : ''}input ${ref.node}:${ref.index} is not defined`);
    return v;
  }

  /** A constant input, or a loud error when the graph feeds a computed tensor there. */
  constInput(node: TfNode, i: number): ConstValue {
    const v = this.get(node.inputs[i], node);
    if (v.kind !== 'const') throw new ConversionError(`${node.op} ${node.name}: input ${i} must be a constant`);
    return v;
  }

  /** ONNX name of a constant (materialised once; int32 constants become int64). */
  constName(c: ConstValue): string {
    if (!c.onnxName) {
      c.onnxName = c.dtype === 'float32'
        ? this.g.constFloat(this.g.fresh('const'), c.shape, c.data as Float32Array)
        : this.g.constInt64(this.g.fresh('const_i64'), c.shape, Array.from(c.data));
    }
    return c.onnxName;
  }

  int64(values: number[]): string {
    return this.g.constInt64(this.g.fresh('i64'), [values.length], values);
  }

  /** The value as an ONNX tensor in the requested layout (Transpose inserted, cached, when needed). */
  tensor(v: Value, layout: Layout): string {
    if (v.kind === 'const') {
      if (layout === 'nchw' && v.shape.length === 4) {
        const data = transposeData(v.data, v.shape, TO_NCHW);
        return this.constName({ kind: 'const', dtype: v.dtype, data, shape: TO_NCHW.map((p) => v.shape[p]) });
      }
      return this.constName(v);
    }
    if (v.layout === layout || v.shape.length !== 4) return v.name;
    const key = `${v.name}->${layout}`;
    let name = this.physicalCache.get(key);
    if (!name) {
      name = this.g.op('Transpose', [v.name], { perm: layout === 'nchw' ? TO_NCHW : TO_NHWC });
      this.physicalCache.set(key, name);
    }
    return name;
  }

  /**
   * A constant operand of an elementwise op whose other operand is stored NCHW: broadcast it to
   * rank 4 (TF's right-aligned rule), then permute to NCHW so ONNX broadcasting still lines up.
   */
  constForNchw(c: ConstValue): string {
    if (c.shape.length > 4) throw new ConversionError(`constant of rank ${c.shape.length} against an NCHW tensor`);
    const shape4 = [...new Array(4 - c.shape.length).fill(1), ...c.shape];
    const data = transposeData(c.data, shape4, TO_NCHW);
    return this.constName({ kind: 'const', dtype: c.dtype, data, shape: TO_NCHW.map((p) => shape4[p]) });
  }

  tensorValue(name: string, shape: number[], layout: Layout, dtype: ElemType = 'float32'): TensorValue {
    return { kind: 'tensor', name, shape, layout, dtype };
  }
}

export const onnxDType = (t: ElemType) => (t === 'float32' ? DType.FLOAT : DType.INT64);

/** TF's broadcast of two shapes (-1 = unknown). */
export function broadcastShapes(a: number[], b: number[], where: string): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else if (x === -1 || y === -1) out.push(x === -1 ? y : x);
    else throw new ConversionError(`${where}: shapes [${a}] and [${b}] do not broadcast`);
  }
  return out;
}
