// Reads a tfjs graph model (model.json: `modelTopology.node` is a TF GraphDef in JSON) into
// plain nodes with decoded attributes, and its weights into constants.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readWeights, type Weight, type WeightGroup } from '../tfjs-weights.ts';

/** A TF attribute value as stored in the JSON GraphDef (ints as strings, strings base64). */
export interface RawAttr {
  s?: string; i?: string | number; f?: number; b?: boolean; type?: string;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; type?: string[] };
  shape?: { dim?: { size: string | number }[]; unknownRank?: boolean };
  tensor?: { dtype?: string; tensorShape?: { dim?: { size: string | number }[] } };
}

export interface RawNode { name: string; op: string; input?: string[]; attr?: Record<string, RawAttr>; device?: string }

export interface GraphModelJson {
  format?: string;
  modelTopology: { node: RawNode[] };
  weightsManifest: WeightGroup[];
  signature?: unknown;
  userDefinedMetadata?: unknown;
}

export interface TfInputRef { node: string; index: number }

export interface TfNode {
  name: string;
  op: string;
  /** Data inputs ("name" or "name:k"); control inputs ("^name") are dropped. */
  inputs: TfInputRef[];
  attr: Record<string, RawAttr>;
}

export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}

export function parseInputRef(s: string): TfInputRef {
  const m = /^(.*?)(?::(\d+))?$/.exec(s)!;
  return { node: m[1], index: m[2] ? Number(m[2]) : 0 };
}

export function parseNodes(json: GraphModelJson): TfNode[] {
  if (!json?.modelTopology?.node || !Array.isArray(json.modelTopology.node)) {
    throw new ConversionError('model.json has no modelTopology.node array: not a tfjs graph model');
  }
  return json.modelTopology.node.map((n) => ({
    name: n.name,
    op: n.op,
    inputs: (n.input ?? []).filter((s) => !s.startsWith('^')).map(parseInputRef),
    attr: n.attr ?? {},
  }));
}

/** Attribute accessors: TF's JSON encodes int64 as strings and strings as base64. */
export const attr = {
  str(node: TfNode, key: string, dflt?: string): string {
    const a = node.attr[key];
    if (a?.s === undefined) {
      if (dflt !== undefined) return dflt;
      throw new ConversionError(`${node.op} ${node.name}: missing string attribute ${key}`);
    }
    return Buffer.from(a.s, 'base64').toString('utf8');
  },
  strs(node: TfNode, key: string): string[] {
    return (node.attr[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
  },
  int(node: TfNode, key: string, dflt?: number): number {
    const a = node.attr[key];
    if (a?.i === undefined) {
      if (dflt !== undefined) return dflt;
      throw new ConversionError(`${node.op} ${node.name}: missing int attribute ${key}`);
    }
    return Number(a.i);
  },
  ints(node: TfNode, key: string, dflt?: number[]): number[] {
    const l = node.attr[key]?.list?.i;
    if (!l) {
      if (dflt !== undefined) return dflt;
      throw new ConversionError(`${node.op} ${node.name}: missing int list attribute ${key}`);
    }
    return l.map(Number);
  },
  float(node: TfNode, key: string, dflt: number): number {
    return node.attr[key]?.f ?? dflt;
  },
  bool(node: TfNode, key: string, dflt: boolean): boolean {
    return node.attr[key]?.b ?? dflt;
  },
  shape(node: TfNode, key: string): number[] | undefined {
    const s = node.attr[key]?.shape;
    if (!s || s.unknownRank) return undefined;
    return (s.dim ?? []).map((d) => Number(d.size));
  },
};

/** Reads model.json and its weight shards from disk. */
export function readGraphModel(jsonPath: string): { json: GraphModelJson; weights: Map<string, Weight> } {
  let json: GraphModelJson;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw new ConversionError(`${jsonPath}: not readable JSON (${(e as Error).message})`);
  }
  const weights = readWeights(json.weightsManifest ?? [], path.dirname(jsonPath));
  return { json, weights };
}
