// Keeps the embedded PostgreSQL running: when its postmaster exits without being asked to (killed, OOM,
// crashed), start it again on the same port and cluster, with backoff, until it is up. The pool's
// circuit breaker (db.ts) answers 503 DATABASE_UNAVAILABLE meanwhile and closes once it answers again.
import type { ChildProcess } from 'node:child_process';
import type { PgServer } from './pg-server.ts';

/** First retry delay, doubled per failed start up to the maximum (orphaned backends of a killed
 * postmaster hold its shared memory for a moment, so the first starts may be refused). */
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 5_000;
/** A start that has not reported "ready to accept connections" by then counts as failed. */
const START_TIMEOUT_MS = 60_000;

export interface Supervisor {
  /** Stops the server for good (no restart). */
  stop(): Promise<void>;
  /** Unplanned exits seen so far. */
  readonly restarts: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function superviseEmbedded(pg: PgServer, log: (m: string) => void): Supervisor {
  const handle: { process?: ChildProcess } = pg;
  let stopping = false;
  let restarts = 0;
  let restarting: Promise<void> | undefined;

  const restart = async () => {
    let delay = FIRST_RETRY_MS;
    while (!stopping) {
      await sleep(delay);
      if (stopping) return;
      try {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          pg.start(),
          new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('start timed out')), START_TIMEOUT_MS); }),
        ]).finally(() => clearTimeout(timer));
        log(`embedded PostgreSQL restarted (pid ${handle.process?.pid})`);
        watch();
        return;
      } catch (e) {
        const p = handle.process;
        handle.process = undefined;
        if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
        log(`embedded PostgreSQL restart failed (${e instanceof Error ? e.message : 'exited'}); retrying in ${delay} ms`);
        delay = Math.min(MAX_RETRY_MS, delay * 2);
      }
    }
  };

  const watch = () => {
    const p = handle.process;
    if (!p) return;
    p.once('exit', (code, signal) => {
      if (stopping || handle.process !== p) return;
      // The dead process must not be waited on by a later stop().
      handle.process = undefined;
      restarts++;
      log(`embedded PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); restarting it`);
      restarting = restart().finally(() => { restarting = undefined; });
    });
  };
  watch();

  return {
    get restarts() { return restarts; },
    async stop() {
      stopping = true;
      await restarting;
      await pg.stop();
    },
  };
}
