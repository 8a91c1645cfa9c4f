// The bench-only switch that writes no audit entries: refused without the bench flag, and with it a change is made
// while its audit entry is not (the reference bench/load-checks.ts and bench/face-check.ts measure the write path by).
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { skipAuditForBench } from '../src/store/audit.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let svc: TestService | undefined;
afterAll(async () => { skipAuditForBench(false); await svc?.close(); });

describe('BIOCHECK_BENCH_SKIP_AUDIT', () => {
  it.each([{}, { BIOCHECK_BENCH: '0' }, { BIOCHECK_BENCH: 'false' }])('is refused at start without BIOCHECK_BENCH=1 (%o)', (extra) => {
    let err: unknown;
    try { loadConfig({}, { BIOCHECK_BENCH_SKIP_AUDIT: '1', ...extra }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).toMatch(/BIOCHECK_BENCH_SKIP_AUDIT: a bench-only switch .* never for production/);
  });

  it('is off by default and on only with the bench flag', () => {
    expect(loadConfig({}, {}).benchSkipAudit).toBe(false);
    expect(loadConfig({}, { BIOCHECK_BENCH: '1' }).benchSkipAudit).toBe(false);
    expect(loadConfig({}, { BIOCHECK_BENCH: '1', BIOCHECK_BENCH_SKIP_AUDIT: '1' }).benchSkipAudit).toBe(true);
  });

  it('with it, changes are made and no audit entry is written; without it, each change is audited', async () => {
    const entries = async () => Number((await svc!.ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0].n);
    svc = await startService({ config: { benchSkipAudit: true } });
    const before = await entries();
    expect((await svc.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'skip-a', name: 'A', agency: 'FR', disclosure: 'full' } })).status).toBe(201);
    expect((await svc.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: 'FR' } })).status).toBe(201);
    expect(await entries()).toBe(before);
    skipAuditForBench(false);
    expect((await svc.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'skip-b', name: 'B', agency: 'FR', disclosure: 'full' } })).status).toBe(201);
    expect(await entries()).toBeGreaterThan(before);
  });
});
