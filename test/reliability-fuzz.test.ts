// A bounded sample of bench/fuzz-routes.ts: hostile input on every route gets a 2xx or a 4xx with a code
// from src/errors.ts, never a 5xx, a crash, or internals in the body; the service keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtures, runFuzz, type Fixtures } from '../bench/fuzz-routes.ts';
import type { Modalities } from '../src/fusion/modalities.ts';
import { biometricRoutesModule, fingerModule } from '../src/modules.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let s: TestService;
let fixtures: Fixtures;

beforeAll(async () => {
  const mods: Modalities = {};
  s = await startService({ modules: [biometricRoutesModule(mods), fingerModule(mods)], config: { rateLimit: { perSecond: 1e6, burst: 1e6 }, bodyLimit: 1024 * 1024 } });
  fixtures = await makeFixtures(s.app.inject.bind(s.app), ADMIN_KEY, false);
});
afterAll(async () => { await s?.close(); });

describe('hostile input on every route', () => {
  it('answers 2xx or a tabled 4xx, never 5xx or internals', async () => {
    const seed = Number(process.env.BIOCHECK_FUZZ_SEED ?? 20260);
    const stats = await runFuzz(s.app.inject.bind(s.app), fixtures, { cases: 600, seed });
    expect(stats.failures).toEqual([]);
    expect(stats.cases).toBe(600);
    expect(Object.keys(stats.byRoute).length).toBeGreaterThanOrEqual(20);
    // Most hostile input is refused, yet some mutations stay valid: both paths were exercised.
    expect(Object.keys(stats.byStatus).some((k) => k.startsWith('2'))).toBe(true);
    expect((await s.call('GET', '/health')).status).toBe(200);
    const check = await s.call('GET', `/v1/checks/${fixtures.checkId}`, { key: ADMIN_KEY });
    expect(check.status).toBe(200);
  });
});
