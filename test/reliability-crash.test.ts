// Crash consistency: concurrent enrolments and deletions, SIGKILL of the service and its PostgreSQL
// mid-way, restart; every answered enrolment is present and found, every answered deletion gone,
// no orphan, audit chain intact. bench/crash-runs.ts repeats this N times.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crashRun, newLedger } from '../bench/crash-runs.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'biocheck-crash-'));
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('crash consistency', () => {
  it('loses no answered enrolment and resurrects no answered deletion across SIGKILLs', async () => {
    const ledger = newLedger();
    // Run 1: odd runs kill PostgreSQL as well as the service (a power cut, as far as the cluster knows).
    const r = await crashRun(dataDir, ledger, 1, (m) => console.info(m));
    expect(r.killedPostgres).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.acked.enrolments).toBeGreaterThan(5);
    expect(r.verified.present).toBeGreaterThan(5);
    expect(r.verified.deleted).toBeGreaterThan(0);
  }, 180_000);
});
