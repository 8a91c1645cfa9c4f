// The PostgreSQL pool: every query goes through here so that connection failures become a clear 503.
import pg from 'pg';
import { AppError } from '../errors.ts';

/** Anything that runs a query: the Db wrapper, the pool, or a transaction's client. */
export interface Queryable {
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<T>>;
}

/** SQLSTATE classes and node errors that mean "the database is not reachable", not "the query is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

export function isUnavailable(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (err?.code && UNAVAILABLE_CODES.has(err.code)) return true;
  const m = err?.message ?? '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout/i.test(m);
}

/** A query unanswered this long means the server is gone or frozen (SIGSTOP, network): fail it, trip the breaker.
 *  The service passes BIOCHECK_DB_QUERY_TIMEOUT_MS (src/config.ts); tools and tests get this default. */
const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
/** SQLSTATE of the transaction PostgreSQL aborts to break a deadlock. */
const DEADLOCK_DETECTED = '40P01';
/** While the database is down, one probe this often decides when requests may use it again. */
const PROBE_INTERVAL_MS = 500;

const unavailable = () => new AppError('DATABASE_UNAVAILABLE', 'the database is not reachable; try again shortly', undefined, 2);

export function toAppError(e: unknown): unknown {
  return isUnavailable(e) ? unavailable() : e;
}

export class Db {
  readonly pool: pg.Pool;
  /** Circuit breaker: set when a query found the database unreachable, cleared by a successful probe. */
  private down = false;
  private probing?: NodeJS.Timeout;
  private closed = false;
  constructor(url: string, max = 20, queryTimeoutMs = DEFAULT_QUERY_TIMEOUT_MS) {
    this.pool = new pg.Pool({
      connectionString: url,
      max,
      // Fail fast while the database is down instead of queueing requests behind a dead server.
      connectionTimeoutMillis: 2_000,
      idleTimeoutMillis: 30_000,
      query_timeout: queryTimeoutMs,
    });
    // An idle client losing its connection must not crash the process.
    this.pool.on('error', () => {});
  }

  /** Whether the breaker is open (the last contact found the database unreachable). */
  get available(): boolean { return !this.down; }

  private failed(e: unknown): unknown {
    if (!isUnavailable(e)) return e;
    if (!this.down && !this.closed) {
      this.down = true;
      this.probe();
    }
    return unavailable();
  }

  /** Probes until the database answers again; requests meanwhile fail at once instead of waiting on timeouts. */
  private probe(): void {
    this.probing = setTimeout(() => {
      this.pool.query('SELECT 1').then(() => { this.down = false; this.probing = undefined; }, () => { if (!this.closed) this.probe(); });
    }, PROBE_INTERVAL_MS);
    this.probing.unref();
  }

  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
    if (this.down) throw unavailable();
    try {
      return await this.pool.query<T>(sql, params);
    } catch (e) {
      throw this.failed(e);
    }
  }

  /** Runs fn in one transaction; rolls back on any error. With `deadlockRetries`, a transaction PostgreSQL chose as
   *  a deadlock's victim runs again (as PostgreSQL advises): only for fns that touch nothing but the database. */
  async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, opts: { deadlockRetries?: number } = {}): Promise<T> {
    for (let left = opts.deadlockRetries ?? 0; ; left--) {
      try {
        return await this.txOnce(fn);
      } catch (e) {
        if (left <= 0 || (e as { code?: string }).code !== DEADLOCK_DETECTED) throw e;
      }
    }
  }

  private async txOnce<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.down) throw unavailable();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw this.failed(e);
    }
    let broken: Error | undefined;
    // A checked-out client whose server dies emits 'error' (the query in flight rejects with it too):
    // without a listener that event would crash the process.
    const swallow = () => {};
    client.on('error', swallow);
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      // A connection that timed out or dropped is discarded, not handed to the next request.
      if (isUnavailable(e)) broken = e as Error;
      else await client.query('ROLLBACK').catch((r) => { broken = r as Error; });
      throw this.failed(e);
    } finally {
      client.off('error', swallow);
      client.release(broken);
    }
  }

  async ping(): Promise<boolean> {
    if (this.down) return false;
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  stats() {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probing);
    return this.pool.end();
  }
}
