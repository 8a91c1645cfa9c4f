// Runs the service as a real child process: `node --import tsx src/server.ts`, as `npm start` does, or `npm start`
// itself (what a container runtime signals).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

export interface ServiceProcess { child: ChildProcess; base: string; output: () => string; exited: Promise<number | null> }

export async function spawnService(env: Record<string, string>, readyTimeoutMs = 120_000, viaNpm = false): Promise<ServiceProcess> {
  const port = await freePort();
  const [cmd, args] = viaNpm ? ['npm', ['start', '--silent']] : [process.execPath, ['--import', 'tsx', 'src/server.ts']];
  const child = spawn(cmd, args, {
    cwd: repoRoot, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${out}`);
    try {
      const r = await fetch(`${base}/ready`);
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > until) { child.kill('SIGKILL'); throw new Error(`service not ready in time:\n${out}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, base, output: () => out, exited };
}
