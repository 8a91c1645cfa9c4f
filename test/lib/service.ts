// Starts the real service (real PostgreSQL, real HTTP stack) on a fresh database for one test file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createService, type Module, type Service } from '../../src/service.ts';

export const ADMIN_KEY = `test-admin-${randomBytes(16).toString('hex')}`;

/** A fresh, empty database on the shared test cluster. */
export async function freshDatabase(): Promise<string> {
  const base = inject('pgUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestService extends Service {
  url: string;
  /** fastify inject with the given key. */
  call(method: string, path: string, opts?: { key?: string; body?: unknown; headers?: Record<string, string>; raw?: Buffer | string }): Promise<{ status: number; body: any; headers: Record<string, unknown>; text: string }>;
}

export async function startService(opts: { databaseUrl?: string; modules?: Module[]; config?: Partial<Config>; logger?: boolean | object } = {}): Promise<TestService> {
  const url = opts.databaseUrl ?? await freshDatabase();
  const dataDir = opts.config?.dataDir ?? mkdtempSync(path.join(tmpdir(), 'biocheck-test-data-'));
  const config = loadConfig({ databaseUrl: url, adminKey: ADMIN_KEY, port: 0, dataDir, ...opts.config });
  const svc = await createService(config, opts.modules ?? [], { logger: opts.logger ?? false });
  await svc.app.ready();
  const call: TestService['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.key) headers.authorization = `Bearer ${o.key}`;
    let payload: string | Buffer | undefined;
    if (o.raw !== undefined) payload = o.raw;
    else if (o.body !== undefined) { payload = JSON.stringify(o.body); headers['content-type'] ??= 'application/json'; }
    const r = await svc.app.inject({ method: method as 'GET', url: path, headers, payload });
    let body: unknown = undefined;
    try { body = r.body ? JSON.parse(r.body) : undefined; } catch { body = undefined; }
    return { status: r.statusCode, body, headers: r.headers, text: r.body };
  };
  return { ...svc, url, call };
}
