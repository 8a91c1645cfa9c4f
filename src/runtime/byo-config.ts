// Bring-your-own-model configuration: any ONNX detector/embedder/landmarks/PAD model with its input
// spec, and which model serves each role. Validation collects every problem with its JSON path,
// so an operator fixes the file in one go.
import path from 'node:path';
import type { InputSpec, ModelRole, OutputSpec } from '../../models/spec.ts';

export const MODEL_ROLES: readonly ModelRole[] = ['detector', 'landmarks', 'embedder', 'pad'];

/** InsightFace's ArcFace 5-point template (eyes, nose tip, mouth corners) for 112x112 crops. */
export const ARCFACE_112_TEMPLATE: ReadonlyArray<readonly [number, number]> = [
  [38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041],
];
const NAMED_TEMPLATES: Record<string, { size: [number, number]; points: ReadonlyArray<readonly [number, number]> }> = {
  arcface: { size: [112, 112], points: ARCFACE_112_TEMPLATE },
};

/** Where an embedder wants the landmarks to land in its input crop (pixels of `size` = [width, height]). */
export interface AlignmentSpec { size: [number, number]; points: [number, number][] }

/** The JSON an operator writes (BIOCHECK_MODELS_CONFIG). */
export interface ByoModelConfigFile {
  models?: ByoModelEntry[];
  /** Which model id serves each role; null switches the role off. */
  roles?: Partial<Record<ModelRole, string | null>>;
}

export interface ByoModelEntry {
  id: string;
  role: ModelRole;
  /** Path of the .onnx file, relative to the config file (or to baseDir for an object). */
  file: string;
  sha256?: string;
  input: {
    name: string;
    /** Full shape with -1 (or a name) for the batch, or `size` [width, height]. */
    shape?: (number | string)[];
    size?: [number, number];
    layout: 'NHWC' | 'NCHW';
    colour: 'rgb' | 'bgr' | 'grey';
    mean: number | number[];
    std: number | number[];
  };
  /** Output names (all of them are fetched), or {name, shape?, description?}. */
  outputs: (string | { name: string; shape?: number[]; description?: string })[];
  /** Embedders: the alignment template, or "arcface". */
  alignment?: 'arcface' | { size: [number, number]; template: 'arcface' | [number, number][] };
  extra?: Record<string, unknown>;
}

/** A model as the runtime uses it, whether it came from the manifest or from a BYO config. */
export interface ModelDescriptor {
  id: string;
  role: ModelRole;
  /** Absolute path of the ONNX file. */
  path: string;
  sha256?: string;
  origin: 'manifest' | 'config';
  input: InputSpec;
  outputs: OutputSpec[];
  extra: Record<string, unknown> & { alignment?: AlignmentSpec };
}

export class ModelConfigError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`model configuration ${source} is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ModelConfigError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPosInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

function unknownKeys(o: Record<string, unknown>, allowed: string[], at: string, problems: string[]) {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) problems.push(`${at}.${k}: unknown key (allowed: ${allowed.join(', ')})`);
}

function perChannel(v: unknown, channels: number, at: string, problems: string[], positive: boolean): number[] {
  const arr = typeof v === 'number' ? [v] : Array.isArray(v) ? v : undefined;
  if (!arr || arr.length === 0 || !arr.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    problems.push(`${at}: expected a number or an array of ${channels} numbers`);
    return [];
  }
  if (arr.length !== 1 && arr.length !== channels) {
    problems.push(`${at}: ${arr.length} values for ${channels} channel(s)`);
    return [];
  }
  if (positive && arr.some((x) => x <= 0)) problems.push(`${at}: must be > 0`);
  return arr.length === 1 ? Array(channels).fill(arr[0]) : (arr as number[]);
}

function parseInput(v: unknown, at: string, problems: string[]): InputSpec | undefined {
  if (!isObj(v)) { problems.push(`${at}: expected an object`); return undefined; }
  unknownKeys(v, ['name', 'shape', 'size', 'layout', 'colour', 'mean', 'std'], at, problems);
  const before = problems.length;
  if (typeof v.name !== 'string' || !v.name) problems.push(`${at}.name: expected the ONNX input name`);
  if (v.layout !== 'NHWC' && v.layout !== 'NCHW') problems.push(`${at}.layout: expected "NHWC" or "NCHW"`);
  if (v.colour !== 'rgb' && v.colour !== 'bgr' && v.colour !== 'grey') problems.push(`${at}.colour: expected "rgb", "bgr" or "grey"`);
  const channels = v.colour === 'grey' ? 1 : 3;
  let shape: number[] | undefined;
  if (v.shape !== undefined && v.size !== undefined) problems.push(`${at}: give "shape" or "size", not both`);
  if (v.shape !== undefined) {
    const s = v.shape;
    if (!Array.isArray(s) || s.length !== 4) problems.push(`${at}.shape: expected 4 dimensions [batch, …]`);
    else {
      const dims = s.map((d, i) => (i === 0 && (typeof d === 'string' || d === -1) ? -1 : d));
      if (!dims.every((d, i) => (i === 0 ? d === -1 || d === 1 : isPosInt(d)))) {
        problems.push(`${at}.shape: batch must be -1, a name or 1; the other dimensions positive whole numbers`);
      } else shape = dims as number[];
    }
  } else if (v.size !== undefined) {
    const s = v.size;
    if (!Array.isArray(s) || s.length !== 2 || !s.every(isPosInt)) problems.push(`${at}.size: expected [width, height]`);
    else {
      const [w, h] = s as number[];
      shape = v.layout === 'NCHW' ? [-1, channels, h, w] : [-1, h, w, channels];
    }
  } else problems.push(`${at}: "shape" or "size" is required`);
  if (shape && (v.layout === 'NHWC' || v.layout === 'NCHW')) {
    const c = v.layout === 'NHWC' ? shape[3] : shape[1];
    if (c !== channels) problems.push(`${at}.shape: ${v.layout} with colour ${String(v.colour)} needs ${channels} channel(s) at the ${v.layout === 'NHWC' ? 'last' : 'second'} dimension, found ${c}`);
  }
  const mean = perChannel(v.mean, channels, `${at}.mean`, problems, false);
  const std = perChannel(v.std, channels, `${at}.std`, problems, true);
  if (problems.length > before || !shape) return undefined;
  return { name: v.name as string, shape, layout: v.layout as InputSpec['layout'], colour: v.colour as InputSpec['colour'], mean, std };
}

function parseOutputs(v: unknown, at: string, problems: string[]): OutputSpec[] | undefined {
  if (!Array.isArray(v) || v.length === 0) { problems.push(`${at}: expected a non-empty array of output names`); return undefined; }
  const out: OutputSpec[] = [];
  v.forEach((o, i) => {
    if (typeof o === 'string' && o) out.push({ name: o, shape: [], description: '' });
    else if (isObj(o) && typeof o.name === 'string' && o.name) {
      unknownKeys(o, ['name', 'shape', 'description'], `${at}[${i}]`, problems);
      if (o.shape !== undefined && !(Array.isArray(o.shape) && o.shape.every((d) => Number.isInteger(d) && d >= -1))) {
        problems.push(`${at}[${i}].shape: expected whole numbers (-1 for free dimensions)`);
      }
      out.push({ name: o.name, shape: (o.shape as number[] | undefined) ?? [], description: typeof o.description === 'string' ? o.description : '' });
    } else problems.push(`${at}[${i}]: expected an output name or {name, shape}`);
  });
  const names = out.map((o) => o.name);
  if (new Set(names).size !== names.length) problems.push(`${at}: duplicate output names`);
  return out;
}

function parseAlignment(v: unknown, at: string, problems: string[]): AlignmentSpec | undefined {
  if (typeof v === 'string') {
    const t = NAMED_TEMPLATES[v];
    if (!t) { problems.push(`${at}: unknown template ${JSON.stringify(v)} (known: ${Object.keys(NAMED_TEMPLATES).join(', ')})`); return undefined; }
    return { size: [...t.size], points: t.points.map((p) => [p[0], p[1]]) };
  }
  if (!isObj(v)) { problems.push(`${at}: expected "arcface" or {size, template}`); return undefined; }
  unknownKeys(v, ['size', 'template'], at, problems);
  const size = v.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every(isPosInt)) { problems.push(`${at}.size: expected [width, height]`); return undefined; }
  const [w, h] = size as [number, number];
  let points: [number, number][];
  if (typeof v.template === 'string') {
    const t = NAMED_TEMPLATES[v.template];
    if (!t) { problems.push(`${at}.template: unknown template ${JSON.stringify(v.template)}`); return undefined; }
    // A named template scales to the crop size it is used at.
    points = t.points.map((p) => [(p[0] * w) / t.size[0], (p[1] * h) / t.size[1]]);
  } else if (Array.isArray(v.template) && v.template.length >= 2
    && v.template.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number' && Number.isFinite(x)))) {
    points = (v.template as [number, number][]).map((p) => [p[0], p[1]]);
    points.forEach((p, i) => {
      if (p[0] < 0 || p[0] > w || p[1] < 0 || p[1] > h) problems.push(`${at}.template[${i}]: point (${p}) lies outside the ${w}x${h} crop`);
    });
  } else { problems.push(`${at}.template: expected "arcface" or at least 2 [x, y] points`); return undefined; }
  return { size: [w, h], points };
}

/** Validates a BYO config (parsed JSON); returns descriptors and the role selection. */
export function parseByoConfig(
  raw: unknown,
  opts: { source: string; baseDir: string; knownIds?: Set<string> },
): { models: ModelDescriptor[]; roles: Partial<Record<ModelRole, string | null>> } {
  const problems: string[] = [];
  const models: ModelDescriptor[] = [];
  const roles: Partial<Record<ModelRole, string | null>> = {};
  if (!isObj(raw)) throw new ModelConfigError(opts.source, ['expected a JSON object with "models" and/or "roles"']);
  unknownKeys(raw, ['models', 'roles'], '$', problems);
  const ids = new Set<string>();
  if (raw.models !== undefined && !Array.isArray(raw.models)) problems.push('$.models: expected an array');
  for (const [i, m] of (Array.isArray(raw.models) ? raw.models : []).entries()) {
    const at = `$.models[${i}]`;
    if (!isObj(m)) { problems.push(`${at}: expected an object`); continue; }
    unknownKeys(m, ['id', 'role', 'file', 'sha256', 'input', 'outputs', 'alignment', 'extra'], at, problems);
    const before = problems.length;
    const id = typeof m.id === 'string' ? m.id : '';
    if (!ID_RE.test(id)) problems.push(`${at}.id: expected 1-64 letters, digits, ".", "_" or "-"`);
    else if (ids.has(id)) problems.push(`${at}.id: "${id}" is declared twice`);
    else if (opts.knownIds?.has(id)) problems.push(`${at}.id: "${id}" is already a model of the manifest; choose another id`);
    ids.add(id);
    if (!MODEL_ROLES.includes(m.role as ModelRole)) problems.push(`${at}.role: expected one of ${MODEL_ROLES.join(', ')}`);
    if (typeof m.file !== 'string' || !m.file.endsWith('.onnx')) problems.push(`${at}.file: expected the path of an .onnx file`);
    if (m.sha256 !== undefined && !(typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(m.sha256))) problems.push(`${at}.sha256: expected 64 hex digits`);
    const input = parseInput(m.input, `${at}.input`, problems);
    const outputs = parseOutputs(m.outputs, `${at}.outputs`, problems);
    let alignment: AlignmentSpec | undefined;
    if (m.alignment !== undefined) alignment = parseAlignment(m.alignment, `${at}.alignment`, problems);
    else if (m.role === 'embedder') problems.push(`${at}.alignment: embedders need their alignment template ("arcface" or {size, template})`);
    if (m.extra !== undefined && !isObj(m.extra)) problems.push(`${at}.extra: expected an object`);
    if (problems.length > before || !input || !outputs) continue;
    models.push({
      id, role: m.role as ModelRole, path: path.resolve(opts.baseDir, m.file as string),
      ...(typeof m.sha256 === 'string' ? { sha256: m.sha256.toLowerCase() } : {}),
      origin: 'config', input, outputs,
      extra: { ...(m.extra as Record<string, unknown> | undefined), ...(alignment ? { alignment } : {}) },
    });
  }
  if (raw.roles !== undefined) {
    if (!isObj(raw.roles)) problems.push('$.roles: expected an object {role: modelId | null}');
    else {
      for (const [role, id] of Object.entries(raw.roles)) {
        if (!MODEL_ROLES.includes(role as ModelRole)) problems.push(`$.roles.${role}: unknown role (known: ${MODEL_ROLES.join(', ')})`);
        else if (id !== null && typeof id !== 'string') problems.push(`$.roles.${role}: expected a model id or null`);
        else roles[role as ModelRole] = id;
      }
    }
  }
  if (problems.length) throw new ModelConfigError(opts.source, problems);
  return { models, roles };
}
