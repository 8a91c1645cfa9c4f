// `npm run models`: converts the npm-shipped face weights to ONNX and writes models/manifest.json.
// Re-runs are no-ops when the source files, the converter sources and the outputs are unchanged.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ManifestEntry, ModelSpec } from './spec.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function packageDir(name: string): { dir: string; version: string } {
  // Packages whose `exports` hide package.json (e.g. @vladmandic/human): look in node_modules.
  const hidden = (require.resolve.paths(name) ?? []).map((p) => path.join(p, name, 'package.json')).find((p) => existsSync(p));
  let pj: string;
  try { pj = require.resolve(`${name}/package.json`); } catch (e) { if (!hidden) throw e; pj = hidden; }
  return { dir: path.dirname(pj), version: JSON.parse(readFileSync(pj, 'utf8')).version };
}

/** Hash of everything a conversion depends on: source weights and our converter code. */
function fingerprint(spec: ModelSpec, dir: string, version: string): string {
  const h = createHash('sha256').update(`${spec.source.package}@${version}`);
  for (const f of spec.source.files) h.update(readFileSync(path.join(dir, f)));
  for (const sub of ['onnx', 'specs', 'convert']) {
    const d = path.join(here, sub);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d, { recursive: true }).map(String).sort()) {
      if (f.endsWith('.ts')) h.update(readFileSync(path.join(d, f)));
    }
  }
  return h.digest('hex');
}

async function loadSpecs(): Promise<ModelSpec[]> {
  const dir = path.join(here, 'specs');
  if (!existsSync(dir)) return [];
  const specs: ModelSpec[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()) {
    const mod = await import(pathToFileURL(path.join(dir, f)).href);
    specs.push(...(mod.default as ModelSpec[]));
  }
  return specs;
}

async function main() {
  const manifestPath = path.join(here, 'manifest.json');
  const previous: { models: (ManifestEntry & { fingerprint?: string })[] } = existsSync(manifestPath)
    ? JSON.parse(readFileSync(manifestPath, 'utf8'))
    : { models: [] };
  const models: (ManifestEntry & { fingerprint: string })[] = [];
  for (const spec of await loadSpecs()) {
    const { dir, version } = packageDir(spec.source.package);
    const fp = fingerprint(spec, dir, version);
    const file = `${spec.id}.onnx`;
    const out = path.join(here, file);
    const old = previous.models.find((m) => m.id === spec.id);
    let hash: string;
    if (old && old.fingerprint === fp && existsSync(out) && sha256(readFileSync(out)) === old.sha256) {
      hash = old.sha256;
      console.log(`[models] ${spec.id}: up to date`);
    } else {
      const t0 = Date.now();
      const bytes = await spec.build(dir);
      writeFileSync(out, bytes);
      hash = sha256(bytes);
      console.log(`[models] ${spec.id}: converted in ${Date.now() - t0} ms (${(bytes.length / 1e6).toFixed(1)} MB)`);
    }
    models.push({
      id: spec.id, role: spec.role, file, sha256: hash, fingerprint: fp,
      source: { package: spec.source.package, version, files: spec.source.files },
      input: spec.input, outputs: spec.outputs, ...(spec.extra ? { extra: spec.extra } : {}),
    });
  }
  writeFileSync(manifestPath, JSON.stringify({ generatedBy: 'npm run models', models }, null, 2) + '\n');
  console.log(`[models] manifest: ${models.length} model(s)`);
}

main().catch((e) => {
  console.error('[models] conversion failed:', e);
  process.exit(1);
});
