// One PostgreSQL server process on a cluster folder: initdb, start, stop, create a database. It runs the binaries
// given (pg-binaries.ts decides where they run from), as the `postgres` user when we are root.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { PgBinaries } from './pg-binaries.ts';

export interface PgServerOptions {
  binaries: PgBinaries;
  clusterDir: string;
  port: number;
  user: string;
  password: string;
  /** Who runs the server (root cannot): uid and gid of the `postgres` user. */
  runAs?: { uid: number; gid: number };
  initdbFlags: string[];
  postgresFlags: string[];
}

/** Messages in English whatever the machine's locale: start-up waits for a line of the server's log. */
const MESSAGES_ENV = { LC_MESSAGES: 'C', LC_ALL: 'C' };
const READY_LINE = 'database system is ready to accept connections';

export class PgServer {
  /** The running postmaster (the supervisor watches its exit). */
  process?: ChildProcess;
  private readonly stopOnExit = () => { this.process?.kill('SIGINT'); };

  constructor(private readonly opts: PgServerOptions) {}

  private spawnAs(file: string, args: string[]): ChildProcess {
    return spawn(file, args, { ...this.opts.runAs, env: { ...process.env, ...MESSAGES_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async initialise(): Promise<void> {
    const o = this.opts;
    // initdb reads the superuser's password from a file; root writes it, the postgres user reads it.
    const pwFile = path.join(tmpdir(), `biocheck-pg-pw-${randomBytes(6).toString('hex')}`);
    writeFileSync(pwFile, `${o.password}\n`, { mode: 0o600 });
    if (o.runAs) chownSync(pwFile, o.runAs.uid, o.runAs.gid);
    try {
      const child = this.spawnAs(o.binaries.initdb, [`--pgdata=${o.clusterDir}`, '--auth=scram-sha-256',
        `--username=${o.user}`, `--pwfile=${pwFile}`, ...o.initdbFlags]);
      let stderr = '';
      child.stderr!.on('data', (d) => { stderr += d; });
      child.stdout!.resume();
      await new Promise<void>((resolve, reject) => {
        child.on('error', (e) => reject(new Error(`embedded PostgreSQL: cannot run initdb: ${e.message}`)));
        child.on('close', (code, signal) => (code === 0 ? resolve()
          : reject(new Error(`embedded PostgreSQL: initdb failed (${signal ?? `code ${code}`}): ${stderr.trim()}`))));
      });
    } finally { rmSync(pwFile, { force: true }); }
  }

  /** Starts the server; resolves once it accepts connections, rejects if it exits or cannot run first. */
  async start(): Promise<void> {
    const o = this.opts;
    const child = this.spawnAs(o.binaries.postgres, ['-D', o.clusterDir, '-p', String(o.port), ...o.postgresFlags]);
    this.process = child;
    child.stdout!.resume();
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        if (stderr.length < 64 * 1024) stderr += d;
        if (String(d).includes(READY_LINE)) resolve();
      });
      child.on('error', (e) => reject(new Error(`embedded PostgreSQL: cannot run ${o.binaries.postgres}: ${e.message}`)));
      child.on('close', (code, signal) => reject(new Error(
        `embedded PostgreSQL exited during start-up (${signal ?? `code ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`)));
    });
    // Later log output is drained, not kept.
    child.stderr!.removeAllListeners('data');
    child.stderr!.resume();
    // A process that exits without stop() (an uncaught error) must not leave the server running.
    process.off('exit', this.stopOnExit);
    process.once('exit', this.stopOnExit);
  }

  /** Fast shutdown (SIGINT): open transactions roll back, committed ones stay. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    process.off('exit', this.stopOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGINT'); });
    }
    this.process = undefined;
  }

  async createDatabase(name: string): Promise<void> {
    const client = new pg.Client({ host: '127.0.0.1', port: this.opts.port, user: this.opts.user, password: this.opts.password, database: 'postgres' });
    await client.connect();
    try { await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`); } finally { await client.end(); }
  }
}
