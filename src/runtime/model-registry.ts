// The models the service runs: models/manifest.json (built by `npm run models`) merged with an
// optional bring-your-own-model config, one model chosen per role, each file's sha256 checked.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManifestEntry, ModelRole } from '../../models/spec.ts';
import { MODEL_ROLES, ModelConfigError, parseByoConfig, type ByoModelConfigFile, type ModelDescriptor } from './byo-config.ts';

export const DEFAULT_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models');

export interface ModelRegistry {
  /** Every known model, by id (manifest and config). */
  models: Map<string, ModelDescriptor>;
  /** The model serving each role; a role absent here is switched off or has no model. */
  roles: Partial<Record<ModelRole, ModelDescriptor>>;
}

export interface LoadRegistryOptions {
  /** Folder holding manifest.json and the .onnx files (default: the repository's models/). */
  modelsDir?: string;
  /** A BYO config object, or the path of its JSON file (default: none). */
  config?: ByoModelConfigFile | string;
  /** Where relative paths of a config object resolve (default: process.cwd()). */
  configBaseDir?: string;
  /** Skip the sha256 check (tests that just wrote the file). Default false. */
  skipHashCheck?: boolean;
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function readManifest(modelsDir: string): ModelDescriptor[] {
  const file = path.join(modelsDir, 'manifest.json');
  if (!existsSync(file)) return [];
  let parsed: { models?: ManifestEntry[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  if (!Array.isArray(parsed.models)) throw new ModelConfigError(file, ['"models" must be an array']);
  return parsed.models.map((m) => ({
    id: m.id, role: m.role, path: path.resolve(modelsDir, m.file), sha256: m.sha256, origin: 'manifest' as const,
    input: m.input, outputs: m.outputs, extra: { ...(m.extra ?? {}) },
  }));
}

function readConfig(config: ByoModelConfigFile | string | undefined, baseDir: string, knownIds: Set<string>) {
  if (config === undefined) return { models: [], roles: {} };
  if (typeof config === 'string') {
    let text: string;
    try {
      text = readFileSync(config, 'utf8');
    } catch (e) {
      throw new ModelConfigError(config, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ModelConfigError(config, [`not valid JSON: ${(e as Error).message}`]);
    }
    return parseByoConfig(raw, { source: config, baseDir: path.dirname(path.resolve(config)), knownIds });
  }
  return parseByoConfig(config, { source: '(object)', baseDir, knownIds });
}

/**
 * Loads the manifest and the BYO config, picks one model per role and verifies the chosen files.
 * Role choice: the config's `roles` entry if present (null = off); else the first config model of
 * that role; else the first manifest model of that role. Only chosen models are hashed.
 */
export async function loadModelRegistry(opts: LoadRegistryOptions = {}): Promise<ModelRegistry> {
  const modelsDir = opts.modelsDir ?? DEFAULT_MODELS_DIR;
  const manifest = readManifest(modelsDir);
  const cfg = readConfig(opts.config, opts.configBaseDir ?? process.cwd(), new Set(manifest.map((m) => m.id)));
  const source = typeof opts.config === 'string' ? opts.config : '(object)';

  const models = new Map<string, ModelDescriptor>();
  for (const m of [...manifest, ...cfg.models]) models.set(m.id, m);

  const problems: string[] = [];
  const roles: Partial<Record<ModelRole, ModelDescriptor>> = {};
  for (const role of MODEL_ROLES) {
    const chosen = cfg.roles[role];
    if (chosen === null) continue;
    if (typeof chosen === 'string') {
      const m = models.get(chosen);
      if (!m) problems.push(`$.roles.${role}: no model "${chosen}" (known: ${[...models.keys()].join(', ') || 'none'})`);
      else if (m.role !== role) problems.push(`$.roles.${role}: model "${chosen}" is a ${m.role}, not a ${role}`);
      else roles[role] = m;
      continue;
    }
    const m = cfg.models.find((x) => x.role === role) ?? manifest.find((x) => x.role === role);
    if (m) roles[role] = m;
  }
  if (problems.length) throw new ModelConfigError(source, problems);

  const fileProblems: string[] = [];
  await Promise.all(Object.entries(roles).map(async ([role, m]) => {
    if (!existsSync(m.path)) {
      fileProblems.push(`${role} model "${m.id}": file ${m.path} not found${m.origin === 'manifest' ? ' (run `npm run models`)' : ''}`);
      return;
    }
    if (opts.skipHashCheck || !m.sha256) return;
    const actual = await sha256File(m.path);
    if (actual !== m.sha256) fileProblems.push(`${role} model "${m.id}": sha256 of ${m.path} is ${actual}, expected ${m.sha256}`);
  }));
  if (fileProblems.length) throw new ModelConfigError(source === '(object)' ? modelsDir : source, fileProblems.sort());
  return { models, roles };
}
