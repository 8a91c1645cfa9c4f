// A small typed wrapper over onnx-proto for building ONNX graphs in TypeScript.
// Converters (models/specs/*) and tests (tiny stand-in models) share it.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
export { onnx };

export type AttrValue = number | string | number[] | string[] | Float32Array | { floats: number[] } | { ints: number[] };
export type Dim = number | string;

/** ONNX element types used here. */
export const DType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;

function attribute(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v) });
  if (typeof v === 'number') {
    return Number.isInteger(v) && !Object.is(v, -0)
      ? onnx.AttributeProto.create({ name, type: A.INT, i: v })
      : onnx.AttributeProto.create({ name, type: A.FLOAT, f: v });
  }
  if (v instanceof Float32Array) return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: Array.from(v) });
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'string') {
      return onnx.AttributeProto.create({ name, type: A.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) });
    }
    return onnx.AttributeProto.create({ name, type: A.INTS, ints: v as number[] });
  }
  if ('floats' in v) return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: v.floats });
  return onnx.AttributeProto.create({ name, type: A.INTS, ints: v.ints });
}

function valueInfo(name: string, dtype: number, shape: Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: dtype,
        shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

export class GraphBuilder {
  private nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private counter = 0;

  constructor(readonly name: string, readonly opset = 17) {}

  /** A fresh tensor name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}__${this.counter++}`;
  }

  input(name: string, shape: Dim[], dtype: number = DType.FLOAT): string {
    this.inputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  output(name: string, shape: Dim[], dtype: number = DType.FLOAT): string {
    this.outputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  /** A float32 constant (weights), stored as raw little-endian bytes. */
  constFloat(name: string, dims: number[], data: Float32Array | number[]): string {
    const f = data instanceof Float32Array ? data : Float32Array.from(data);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (f.length !== expected) throw new Error(`constant ${name}: ${f.length} values for dims [${dims}]`);
    this.initializers.push(onnx.TensorProto.create({
      name, dims, dataType: DType.FLOAT,
      rawData: new Uint8Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength)),
    }));
    return name;
  }

  /** An int64 constant (shapes, axes, pads). */
  constInt64(name: string, dims: number[], data: number[]): string {
    const b = new BigInt64Array(data.map((x) => BigInt(x)));
    this.initializers.push(onnx.TensorProto.create({
      name, dims, dataType: DType.INT64, rawData: new Uint8Array(b.buffer),
    }));
    return name;
  }

  /** Adds a node; returns its output names (one fresh name per output unless given). */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: string[] | number = 1): string[] {
    const outs = typeof outputs === 'number'
      ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()))
      : outputs;
    this.nodes.push(onnx.NodeProto.create({
      opType, input: inputs, output: outs, name: this.fresh(`n_${opType}`),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    }));
    return outs;
  }

  /** Shorthand for single-output nodes. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.node(opType, inputs, attrs, output ? [output] : 1)[0];
  }

  toBytes(docString = ''): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'biocheck',
      producerVersion: '0.1.0',
      docString,
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
