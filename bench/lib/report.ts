// Shared by every benchmark: what machine and versions a figure came from, and where it is written.
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared/data beside the repository, or BIOCHECK_SHARED_DATA. */
export const sharedData = process.env.BIOCHECK_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');

export function packageVersion(name: string): string {
  // Packages whose `exports` hide package.json (e.g. @vladmandic/human): read it from node_modules.
  for (const file of [() => require.resolve(`${name}/package.json`), () => path.join(repoRoot, 'node_modules', name, 'package.json')]) {
    try {
      return JSON.parse(readFileSync(file(), 'utf8')).version;
    } catch { /* next */ }
  }
  return 'not installed';
}

export function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version, platform: `${process.platform}-${process.arch}`,
  };
}

export interface BenchReport {
  name: string;
  command: string;
  dataset: string;
  versions: Record<string, string>;
  results: unknown;
  /** Markdown body: tables and notes. */
  markdown: string;
}

/** Writes bench/results/<name>.json and .md and prints the Markdown. */
export function writeReport(r: BenchReport): void {
  const dir = path.join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const m = machine();
  const stamp = new Date().toISOString();
  writeFileSync(path.join(dir, `${r.name}.json`), JSON.stringify({ ...r, machine: m, date: stamp }, null, 2) + '\n');
  const md = [
    `# ${r.name}`, '',
    `- command: \`${r.command}\``,
    `- date: ${stamp}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`,
    `- versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `- dataset: ${r.dataset}`, '', r.markdown, '',
  ].join('\n');
  writeFileSync(path.join(dir, `${r.name}.md`), md);
  console.log(md);
}
