// Starts Debian's nats-server (with JetStream) on this machine, for `npm run cluster` and the tests. Production runs
// a NATS cluster of its own (docs/scale-out.md); the service only connects to BIOCHECK_NATS_URL.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';

export interface NatsServer { url: string; child: ChildProcess; stop(): Promise<void> }

/** The nats-server binary on PATH (or in /usr/sbin, where Debian puts it), or undefined. */
export function findNatsServer(): string | undefined {
  for (const bin of ['nats-server', '/usr/sbin/nats-server', '/usr/bin/nats-server']) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return bin;
  }
  return undefined;
}

export const NATS_MISSING = 'nats-server is not installed (Debian: apt-get install nats-server; it is the 2.9 series)';

const listening = (host: string, port: number) => new Promise<boolean>((resolve) => {
  const s = tcpConnect(port, host);
  s.once('connect', () => { s.end(); resolve(true); });
  s.once('error', () => resolve(false));
});

/** nats-server on host:port, JetStream storing under `storeDir`; resolves once it accepts connections. */
export async function startNatsServer(opts: { host: string; port: number; storeDir: string; timeoutMs?: number }): Promise<NatsServer> {
  const bin = findNatsServer();
  if (!bin) throw new Error(NATS_MISSING);
  const child = spawn(bin, ['-a', opts.host, '-p', String(opts.port), '-js', '-sd', opts.storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err = (err + d).slice(-4000); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const until = Date.now() + (opts.timeoutMs ?? 15_000);
  while (!(await listening(opts.host, opts.port))) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not start on ${opts.host}:${opts.port}: ${err.trim().split('\n').pop() ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `nats://${opts.host}:${opts.port}`, child,
    stop: async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await exited; } },
  };
}
