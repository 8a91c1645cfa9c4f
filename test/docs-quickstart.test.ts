// docs/quickstart.md runs as written: each `sh` block with curl runs in bash against a started service (`npm start`'s
// entry point), values named in `<!-- capture: VAR=path -->` feed the next blocks, and each answer must have the
// shape of the JSON shown after it (same fields, same types, same lowercase words such as "hit" or "closed").
// QUICKSTART_WRITE=1 rewrites the shown answers from a real run instead (base64 shortened).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, spawnService, type ServiceProcess } from './lib/process.ts';
import { freshDatabase } from './lib/service.ts';

const DOC = path.join(repoRoot, 'docs', 'quickstart.md');
const hasCurl = spawnSync('curl', ['--version']).status === 0;
if (!hasCurl) console.log('docs-quickstart: skipped (no curl on this machine: apt-get install curl)');

interface Step { script: string; captures: [string, string][]; output?: { start: number; end: number; text: string } }

/** The doc's steps: sh blocks, their captures, and the json block after each. */
function parse(md: string): { steps: Step[]; exports: Record<string, string> } {
  const steps: Step[] = [];
  const exports: Record<string, string> = {};
  const re = /```(sh|json)\n([\s\S]*?)```|<!-- capture: ([^>]*?) -->/g;
  for (let m; (m = re.exec(md));) {
    if (m[3] !== undefined) { steps.at(-1)?.captures.push(...m[3].trim().split(/\s+/).map((c) => c.split('=') as [string, string])); continue; }
    const [, lang, body] = m;
    if (lang === 'sh') {
      for (const e of body.matchAll(/^export (\w+)=(\S+)$/gm)) exports[e[1]] = e[2];
      if (body.includes('curl')) steps.push({ script: body.replace(/^export .*$/gm, ''), captures: [] });
    } else {
      const last = steps.at(-1);
      const start = m.index + '```json\n'.length;
      if (last && !last.output) last.output = { start, end: start + body.length, text: body };
    }
  }
  return { steps, exports };
}

const at = (v: unknown, p: string): unknown => p.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown> | undefined)?.[k], v);

/** Fields and types, and the exact value of lowercase words (decisions, levels, statuses). */
function shape(v: unknown): unknown {
  if (v === null) return null;
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  if (typeof v === 'string' && /^[a-z][a-z-]*$/.test(v)) return v;
  return typeof v;
}

const shorten = (v: unknown): unknown => {
  if (typeof v === 'string' && v.length > 64 && /^[A-Za-z0-9+/=]+$/.test(v)) return `${v.slice(0, 24)}…`;
  if (Array.isArray(v)) return v.map(shorten);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shorten(x)]));
  return v;
};

describe.skipIf(!hasCurl)('docs/quickstart.md', () => {
  let svc: ServiceProcess;
  let dataDir: string;
  const md = readFileSync(DOC, 'utf8');
  const { steps, exports } = parse(md);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'biocheck-quickstart-'));
    svc = await spawnService({ BIOCHECK_ADMIN_KEY: exports.ADMIN, DATABASE_URL: await freshDatabase(), DATA_DIR: dataDir });
  });
  afterAll(async () => {
    svc?.child.kill('SIGTERM');
    await svc?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs as written, each answer shaped as shown', () => {
    expect(steps.length).toBeGreaterThanOrEqual(10);
    const env: Record<string, string> = { ...process.env as Record<string, string>, ...exports };
    const host = svc.base.replace('http://', '');
    let rewritten = md;
    for (const step of [...steps].entries()) {
      const [i, s] = step;
      const out = execFileSync('bash', ['-euo', 'pipefail', '-c', s.script.replaceAll('localhost:8080', host)], { cwd: repoRoot, env, encoding: 'utf8' });
      const answer = JSON.parse(out) as unknown;
      for (const [name, p] of s.captures) {
        const v = at(answer, p);
        expect(typeof v, `step ${i + 1}: capture ${name}=${p} in ${out}`).toBe('string');
        env[name] = v as string;
      }
      expect(s.output, `step ${i + 1} shows no answer`).toBeDefined();
      if (process.env.QUICKSTART_WRITE) {
        rewritten = rewritten.replace(s.output!.text, `${JSON.stringify(shorten(answer), null, 2)}\n`);
        continue;
      }
      expect(shape(answer), `step ${i + 1} (${s.script.trim().split('\n')[0]}) answered:\n${out}`).toEqual(shape(JSON.parse(s.output!.text)));
    }
    if (process.env.QUICKSTART_WRITE) writeFileSync(DOC, rewritten);
  });
});
