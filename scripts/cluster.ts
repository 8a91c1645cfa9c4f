// `npm run cluster -- --shards 2 --replicas 2`: the scale-out on this machine. nats-server (JetStream), one
// PostgreSQL (the embedded one under DATA_DIR, or DATABASE_URL), shards x replicas workers and one front on PORT
// serving the API of `npm start`. Ctrl-C or SIGTERM stops everything it started, the front first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNatsServer, NATS_MISSING, startNatsServer, type NatsServer } from '../src/cluster/nats-server.ts';
import { natsHost } from '../src/cluster/nats.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { Db } from '../src/store/db.ts';
import { startEmbeddedPostgres, type EmbeddedDb } from '../src/store/embedded.ts';
import { migrate } from '../src/store/migrate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (m: string) => console.log(`[cluster] ${m}`);
/** How long a stopping child may take before it is killed. */
const STOP_GRACE_MS = 15_000;

function option(name: string, def: number, max: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const raw = process.argv[i + 1] ?? '';
  const v = Number(raw);
  if (!/^\d+$/.test(raw) || v < 1 || v > max) { console.error(`[cluster] --${name} ${raw}: expected a whole number 1..${max}`); process.exit(2); }
  return v;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

interface Child { name: string; child: ChildProcess; exited: Promise<void> }

function run(name: string, env: Record<string, string>, onExit: (code: number | null) => void): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (s: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let rest = '';
    s.on('data', (d) => { const lines = (rest + d).split('\n'); rest = lines.pop()!; for (const l of lines) out.write(`[${name}] ${l}\n`); });
  };
  prefix(child.stdout!, process.stdout);
  prefix(child.stderr!, process.stderr);
  const exited = new Promise<void>((r) => child.once('exit', (code) => { onExit(code); r(); }));
  return { name, child, exited };
}

async function stopChild(c: Child): Promise<void> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  c.child.kill('SIGTERM');
  const t = setTimeout(() => c.child.kill('SIGKILL'), STOP_GRACE_MS);
  await c.exited;
  clearTimeout(t);
}

async function main() {
  const shards = option('shards', 2, 64);
  const replicas = option('replicas', 2, 16);
  let config;
  try { config = loadConfig(); } catch (e) { console.error(e instanceof ConfigError ? e.message : e); process.exit(2); }
  let nats: NatsServer | undefined;
  let pg: EmbeddedDb | undefined;
  const children: Child[] = [];
  let stopping = false;
  const stop = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping the front, then the workers, NATS and PostgreSQL`);
    const front = children.find((c) => c.name === 'front');
    if (front) await stopChild(front);
    await Promise.all(children.filter((c) => c !== front).map(stopChild));
    await nats?.stop();
    await pg?.stop();
    say('stopped');
    process.exit(code);
  };
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    let natsUrl = process.env.BIOCHECK_NATS_URL;
    if (!natsUrl) {
      if (!findNatsServer()) { console.error(`[cluster] ${NATS_MISSING}; or point BIOCHECK_NATS_URL at a running NATS with JetStream`); process.exit(1); }
      const storeDir = path.join(config.dataDir, 'nats');
      mkdirSync(storeDir, { recursive: true });
      nats = await startNatsServer({ host: '127.0.0.1', port: await freePort(), storeDir });
      natsUrl = nats.url;
    }
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      pg = await startEmbeddedPostgres(config.dataDir, say);
      databaseUrl = pg.url;
    }
    // The schema first, once: workers read it as they start.
    const db = new Db(databaseUrl);
    try { await migrate(db, say); } finally { await db.close(); }

    const common = { DATABASE_URL: databaseUrl, BIOCHECK_NATS_URL: natsUrl, BIOCHECK_SHARDS: String(shards) };
    for (let s = 0; s < shards; s++) {
      for (let r = 0; r < replicas; r++) {
        const name = `worker ${s}.${r}`;
        children.push(run(name, { ...common, BIOCHECK_ROLE: 'worker', BIOCHECK_SHARD: String(s), BIOCHECK_REPLICA: String(r) },
          (code) => { if (!stopping) say(`${name} exited (${code}); shard ${s} is served by its other replicas, if any`); }));
      }
    }
    children.push(run('front', { ...common, BIOCHECK_ROLE: 'front' }, (code) => { if (!stopping) void stop(`the front exited (${code})`, 1); }));

    say(`started: NATS ${natsHost(natsUrl)}${nats ? ` (nats-server pid ${nats.child.pid}, JetStream under ${path.join(config.dataDir, 'nats')})` : ' (yours)'}`);
    say(`         PostgreSQL ${pg ? `embedded under ${config.dataDir} (port ${pg.port})` : 'DATABASE_URL (yours)'}`);
    for (const c of children) say(`         ${c.name}: pid ${c.child.pid}`);
    say(`         the API on http://${config.host}:${config.port}/ once /ready says every shard is covered`);
    say(`stop all: Ctrl-C, or kill -TERM ${process.pid}`);
  } catch (e) {
    console.error(`[cluster] could not start: ${e instanceof Error ? e.message : String(e)}`);
    await stop('start-up failed', 1);
  }
}

void main();
