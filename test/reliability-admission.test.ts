// Admission control: a bounded number of expensive requests run, a bounded number wait (each for a
// bounded time), and the rest are refused at once with 503 OVERLOADED and Retry-After, never a timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admission } from '../src/http/admission.ts';
import { biometricRoutesModule, fingerModule } from '../src/modules.ts';
import type { Modalities } from '../src/fusion/modalities.ts';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Admission (unit)', () => {
  it('runs at most maxInFlight, queues FIFO up to maxQueue, refuses the rest at once', async () => {
    const a = new Admission({ maxInFlight: 2, maxQueue: 2, maxWaitMs: 5_000 });
    const order: number[] = [];
    let peak = 0;
    const job = async (i: number) => {
      const release = await a.acquire();
      peak = Math.max(peak, a.inFlight);
      order.push(i);
      await sleep(30);
      release();
      return i;
    };
    const t0 = Date.now();
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map(job));
    expect(peak).toBe(2);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      const e = (r as PromiseRejectedResult).reason;
      expect(e.code).toBe('OVERLOADED');
      expect(e.status).toBe(503);
      expect(e.retryAfter).toBeGreaterThan(0);
    }
    expect(order).toEqual([0, 1, 2, 3]); // queued ones in arrival order
    expect(a.rejected.queue_full).toBe(2);
    expect(a.inFlight).toBe(0);
    expect(a.queued).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('refuses a waiter whose deadline passes, and the slot it never took stays free', async () => {
    const a = new Admission({ maxInFlight: 1, maxQueue: 10, maxWaitMs: 50 });
    const hold = await a.acquire();
    const t0 = Date.now();
    await expect(a.acquire()).rejects.toMatchObject({ code: 'OVERLOADED', details: { reason: 'wait_timeout' } });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(a.queued).toBe(0);
    hold();
    hold(); // a double release must not free a second slot
    expect(a.inFlight).toBe(0);
    const again = await a.acquire();
    expect(a.inFlight).toBe(1);
    again();
  });

  it('refuses on arrival when the predicted wait exceeds half the max wait', async () => {
    const a = new Admission({ maxInFlight: 1, maxQueue: 100, maxWaitMs: 400 });
    const first = await a.acquire();
    await sleep(100);
    first(); // mean service time now ~100 ms: one waiter fits in half of 400 ms, two do not
    const hold = await a.acquire();
    const one = a.acquire();
    const t0 = Date.now();
    await expect(a.acquire()).rejects.toMatchObject({ code: 'OVERLOADED', details: { reason: 'expected_wait' } });
    expect(Date.now() - t0).toBeLessThan(50);
    expect(a.expectedWaitMs(2)).toBeGreaterThan(200);
    hold();
    (await one)();
    expect(a.rejected.expected_wait).toBe(1);
  });

  it('a zero-length queue refuses as soon as every slot is busy', async () => {
    const a = new Admission({ maxInFlight: 1, maxQueue: 0, maxWaitMs: 1_000 });
    const r = await a.acquire();
    await expect(a.acquire()).rejects.toMatchObject({ code: 'OVERLOADED', details: { reason: 'queue_full' } });
    r();
  });
});

describe('admission on the routes', () => {
  let s: TestService;
  let kiosk: string;
  const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

  beforeAll(async () => {
    const mods: Modalities = {};
    s = await startService({
      modules: [biometricRoutesModule(mods), fingerModule(mods)],
      config: { admission: { maxInFlight: 1, maxQueue: 1, maxWaitMs: 200 }, rateLimit: { perSecond: 10_000, burst: 10_000 } },
    });
    kiosk = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: 'IT' } })).body.key;
    await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'wl', name: 'WL', agency: 'FR', disclosure: 'full' } });
    for (let i = 0; i < 30; i++) {
      const sub = await s.call('POST', '/v1/subjects', { key: ADMIN_KEY, body: { watchlist: 'wl', name: `P${i}` } });
      await s.call('POST', `/v1/subjects/${sub.body.id}/fingerprints`, { key: ADMIN_KEY, body: { template: b64(isoRecord(synthFinger(500 + i), 1)) } });
    }
  });
  afterAll(async () => { await s?.close(); });

  it('a burst gets answers only: 200s and immediate 503 OVERLOADED with Retry-After; gauges on /metrics', async () => {
    const body = { fingerprints: [{ template: b64(isoRecord(impression(synthFinger(503), 3, { drop: 0.1 }), 1)) }] };
    const t0 = Date.now();
    const rs = await Promise.all(Array.from({ length: 40 }, () => s.call('POST', '/v1/checks', { key: kiosk, body })));
    const ok = rs.filter((r) => r.status === 200);
    const refused = rs.filter((r) => r.status === 503);
    expect(ok.length + refused.length).toBe(rs.length);
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body.error.code).toBe('OVERLOADED');
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    for (const r of ok) expect(r.body.candidates[0].name).toBe('P3');
    expect(Date.now() - t0).toBeLessThan(30_000);
    const m = (await s.call('GET', '/metrics', { key: ADMIN_KEY })).text;
    expect(m).toMatch(/biocheck_admission_in_flight 0/);
    expect(m).toMatch(/biocheck_admission_queued 0/);
    const rejected = [...m.matchAll(/biocheck_admission_rejected_total\{reason="\w+"\} (\d+)/g)].reduce((n, x) => n + Number(x[1]), 0);
    expect(rejected).toBe(refused.length);
    // Cheap routes are not admitted: they keep answering while checks are refused.
    expect((await s.call('GET', '/v1/watchlists', { key: kiosk })).status).toBe(200);
  });
});
