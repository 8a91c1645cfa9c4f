// Security: every /v1 route × every role × the resource's own agency or another → the expected status;
// no key without a valid bearer; keys stored hashed only; per-key rate limits (429 + Retry-After);
// body size limits (413) on every route that takes a body; error bodies without internals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Modalities } from '../src/fusion/modalities.ts';
import { biometricRoutesModule, fingerModule } from '../src/modules.ts';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

type Role = 'admin' | 'enroller' | 'kiosk' | 'examiner';
const ROLES: Role[] = ['admin', 'enroller', 'kiosk', 'examiner'];
const OWN = 'AA';
const OTHER = 'BB';
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const finger = (seed: number) => b64(isoRecord(synthFinger(seed), 1));
const probe = (seed: number) => b64(isoRecord(impression(synthFinger(seed), seed + 3, { drop: 0.1, rotDeg: 7 }), 1));

let s: TestService;
const keys: Record<string, { key: string; id: string }> = {};
let seed = 40_000;

const fingerModules = () => { const mods: Modalities = {}; return [biometricRoutesModule(mods), fingerModule(mods)]; };
const admin = async (method: string, url: string, body?: unknown) => {
  const r = await s.call(method, url, { key: ADMIN_KEY, body });
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${r.text}`);
  return r.body;
};
/** A fresh subject with one finger in `watchlist`; returns its id and finger seed. */
async function subject(watchlist: string): Promise<{ id: string; seed: number }> {
  const n = seed++;
  const sub = await admin('POST', '/v1/subjects', { watchlist, name: `S${n}` });
  await admin('POST', `/v1/subjects/${sub.id}/fingerprints`, { template: finger(n) });
  return { id: sub.id, seed: n };
}
/** A check by a kiosk of `agency` that hits a fresh subject of `watchlist`: its check id, case id and top handle. */
async function hitBy(agency: string, watchlist: string) {
  const sub = await subject(watchlist);
  const r = await s.call('POST', '/v1/checks', { key: keys[`kiosk:${agency}`].key, body: { fingerprints: [{ template: probe(sub.seed) }], watchlists: [watchlist] } });
  if (r.status !== 200 || !r.body.caseId) throw new Error(`fixture check: ${r.status} ${r.text}`);
  return { checkId: r.body.checkId as string, caseId: r.body.caseId as string, handle: r.body.candidates[0].handle as string };
}

interface RouteCase {
  route: string;
  /** Calls the route as `key`; fixtures are made fresh per call where the call changes them. */
  call(key: string): Promise<{ status: number; body: any; text: string }>;
  /** The expected status for a role whose agency is (own) or is not (other) the resource's. */
  expect(role: Role, own: boolean): number;
}
const only = (allowed: Role[], ok: number, denied = 403) => (role: Role) => (allowed.includes(role) ? ok : denied);

const ROUTES: RouteCase[] = [
  { route: 'POST /v1/keys', call: (k) => s.call('POST', '/v1/keys', { key: k, body: { role: 'kiosk', agency: 'CC' } }), expect: only(['admin'], 201) },
  { route: 'GET /v1/keys', call: (k) => s.call('GET', '/v1/keys', { key: k }), expect: only(['admin'], 200) },
  {
    route: 'DELETE /v1/keys/:id',
    call: async (k) => s.call('DELETE', `/v1/keys/${(await admin('POST', '/v1/keys', { role: 'kiosk', agency: OWN })).id}`, { key: k }),
    expect: only(['admin'], 204),
  },
  { route: 'POST /v1/watchlists', call: (k) => s.call('POST', '/v1/watchlists', { key: k, body: { id: `w-${seed++}`, name: 'W', agency: OWN, disclosure: 'full' } }), expect: only(['admin'], 201) },
  { route: 'GET /v1/watchlists', call: (k) => s.call('GET', '/v1/watchlists', { key: k }), expect: () => 200 },
  // Visible to its own agency, to whoever may search it (kiosks, examiners), and admins; not to another agency's enroller.
  { route: 'GET /v1/watchlists/:id', call: (k) => s.call('GET', '/v1/watchlists/wl-full', { key: k }), expect: (r, own) => (r === 'enroller' && !own ? 404 : 200) },
  // A watchlist searchable only by its own agency: invisible to the others.
  { route: 'GET /v1/watchlists/:id (private)', call: (k) => s.call('GET', '/v1/watchlists/wl-private', { key: k }), expect: (r, own) => (r === 'admin' || own ? 200 : 404) },
  {
    route: 'DELETE /v1/watchlists/:id',
    call: async (k) => { const id = `w-${seed++}`; await admin('POST', '/v1/watchlists', { id, name: 'W', agency: OWN, disclosure: 'full' }); return s.call('DELETE', `/v1/watchlists/${id}`, { key: k }); },
    expect: only(['admin'], 204),
  },
  { route: 'POST /v1/subjects', call: (k) => s.call('POST', '/v1/subjects', { key: k, body: { watchlist: 'wl-full', name: 'New' } }), expect: (r, own) => (r === 'admin' || (r === 'enroller' && own) ? 201 : 403) },
  { route: 'GET /v1/subjects', call: (k) => s.call('GET', '/v1/subjects', { key: k }), expect: only(['admin', 'enroller', 'examiner'], 200) },
  {
    route: 'GET /v1/subjects/:id (full)', call: async (k) => s.call('GET', `/v1/subjects/${fx.fullSubject}`, { key: k }),
    expect: (r, own) => (r === 'kiosk' ? 403 : r === 'enroller' && !own ? 403 : 200),
  },
  {
    // Hit/no-hit: another agency must not even learn that the id exists.
    route: 'GET /v1/subjects/:id (hit-no-hit)', call: async (k) => s.call('GET', `/v1/subjects/${fx.hnhSubject}`, { key: k }),
    expect: (r, own) => (r === 'kiosk' ? 403 : r === 'admin' || own ? 200 : 404),
  },
  {
    route: 'DELETE /v1/subjects/:id (full)', call: async (k) => s.call('DELETE', `/v1/subjects/${(await subject('wl-full')).id}`, { key: k }),
    expect: (r, own) => (r === 'admin' || (r === 'enroller' && own) ? 204 : 403),
  },
  {
    route: 'DELETE /v1/subjects/:id (hit-no-hit)', call: async (k) => s.call('DELETE', `/v1/subjects/${(await subject('wl-hnh')).id}`, { key: k }),
    expect: (r, own) => (r === 'admin' || (r === 'enroller' && own) ? 204 : r === 'enroller' ? 404 : 403),
  },
  {
    route: 'POST /v1/subjects/:id/fingerprints', call: (k) => s.call('POST', `/v1/subjects/${fx.fullSubject}/fingerprints`, { key: k, body: { template: finger(seed++) } }),
    expect: (r, own) => (r === 'admin' || (r === 'enroller' && own) ? 201 : 403),
  },
  {
    route: 'POST /v1/subjects/:id/fingerprints (hit-no-hit)', call: (k) => s.call('POST', `/v1/subjects/${fx.hnhSubject}/fingerprints`, { key: k, body: { template: finger(seed++) } }),
    expect: (r, own) => (r === 'admin' || (r === 'enroller' && own) ? 201 : r === 'enroller' ? 404 : 403),
  },
  {
    // Faces are not loaded in this service: the roles that may enrol are told so (503), the others 403 first.
    route: 'POST /v1/subjects/:id/faces', call: (k) => s.call('POST', `/v1/subjects/${fx.fullSubject}/faces`, { key: k, body: { image: b64(new Uint8Array(64)) } }),
    expect: only(['admin', 'enroller'], 503),
  },
  { route: 'POST /v1/checks', call: (k) => s.call('POST', '/v1/checks', { key: k, body: { fingerprints: [{ template: probe(fx.fullSeed) }] } }), expect: only(['admin', 'kiosk', 'examiner'], 200) },
  { route: 'GET /v1/checks/:id', call: (k) => s.call('GET', `/v1/checks/${fx.check.checkId}`, { key: k }), expect: (r, own) => (r === 'enroller' ? 403 : r === 'admin' || own ? 200 : 404) },
  {
    route: 'POST /v1/verifications', call: (k) => s.call('POST', '/v1/verifications', { key: k, body: { fingerprint: { template: probe(7) }, against: { fingerprint: { template: finger(7) } } } }),
    expect: only(['admin', 'kiosk', 'examiner'], 200),
  },
  { route: 'GET /v1/cases', call: (k) => s.call('GET', '/v1/cases', { key: k }), expect: only(['admin', 'examiner'], 200) },
  { route: 'GET /v1/cases/:id', call: (k) => s.call('GET', `/v1/cases/${fx.check.caseId}`, { key: k }), expect: (r, own) => (r === 'admin' || (r === 'examiner' && own) ? 200 : r === 'examiner' ? 404 : 403) },
  {
    route: 'POST /v1/cases/:id/decisions', call: (k) => s.call('POST', `/v1/cases/${fx.check.caseId}/decisions`, { key: k, body: { candidate: fx.check.handle, outcome: 'rejected' } }),
    expect: (r, own) => (r === 'admin' || (r === 'examiner' && own) ? 201 : r === 'examiner' ? 404 : 403),
  },
  {
    // A case closes once every hit has a decision: the admin decides, then the caller closes.
    route: 'POST /v1/cases/:id/close',
    call: async (k) => {
      const h = await hitBy(OWN, 'wl-full');
      await admin('POST', `/v1/cases/${h.caseId}/decisions`, { candidate: h.handle, outcome: 'rejected' });
      return s.call('POST', `/v1/cases/${h.caseId}/close`, { key: k, body: {} });
    },
    expect: (r, own) => (r === 'admin' || (r === 'examiner' && own) ? 200 : r === 'examiner' ? 404 : 403),
  },
  { route: 'GET /v1/hits', call: (k) => s.call('GET', '/v1/hits', { key: k }), expect: only(['admin', 'examiner'], 200) },
  {
    // A hit of agency BB's kiosk on AA's hit/no-hit list: only AA (the owner) or an admin may disclose it.
    route: 'POST /v1/hits/:handle/disclose', call: async (k) => s.call('POST', `/v1/hits/${(await hitBy(OTHER, 'wl-hnh')).handle}/disclose`, { key: k, body: {} }),
    expect: (r, own) => (r === 'admin' || (r === 'examiner' && own) ? 200 : r === 'examiner' ? 404 : 403),
  },
  {
    route: 'GET /v1/hits/:handle', call: async (k) => s.call('GET', `/v1/hits/${(await hitBy(OTHER, 'wl-hnh')).handle}`, { key: k }),
    expect: (r, own) => (r === 'admin' || (r === 'examiner' && own) ? 200 : r === 'examiner' ? 404 : 403),
  },
  {
    route: 'POST /v1/hits/:handle/decline', call: async (k) => s.call('POST', `/v1/hits/${(await hitBy(OTHER, 'wl-hnh')).handle}/decline`, { key: k }),
    expect: (r, own) => (r === 'admin' || (r === 'examiner' && own) ? 200 : r === 'examiner' ? 404 : 403),
  },
  { route: 'GET /v1/audit', call: (k) => s.call('GET', '/v1/audit', { key: k }), expect: only(['admin'], 200) },
  { route: 'GET /v1/audit/verify', call: (k) => s.call('GET', '/v1/audit/verify', { key: k }), expect: only(['admin'], 200) },
];

const fx = {} as { fullSubject: string; fullSeed: number; hnhSubject: string; check: { checkId: string; caseId: string; handle: string } };

beforeAll(async () => {
  s = await startService({ modules: fingerModules(), config: { rateLimit: { perSecond: 100_000, burst: 100_000 }, bodyLimit: 64 * 1024 } });
  for (const role of ROLES) for (const agency of [OWN, OTHER]) {
    const r = await admin('POST', '/v1/keys', { role, agency, label: `${role}:${agency}` });
    keys[`${role}:${agency}`] = { key: r.key, id: r.id };
  }
  await admin('POST', '/v1/watchlists', { id: 'wl-full', name: 'Full', agency: OWN, disclosure: 'full' });
  await admin('POST', '/v1/watchlists', { id: 'wl-hnh', name: 'Hit/no-hit', agency: OWN, disclosure: 'hit-no-hit' });
  await admin('POST', '/v1/watchlists', { id: 'wl-private', name: 'Private', agency: OWN, disclosure: 'hit-no-hit', searchableBy: [OWN] });
  const full = await subject('wl-full');
  fx.fullSubject = full.id;
  fx.fullSeed = full.seed;
  fx.hnhSubject = (await subject('wl-hnh')).id;
  fx.check = await hitBy(OWN, 'wl-full');
}, 120_000);
afterAll(async () => { await s?.close(); });

describe('role × route × agency', () => {
  it(`every cell answers as expected (${ROUTES.length} routes × ${ROLES.length} roles × 2 agencies)`, async () => {
    const wrong: string[] = [];
    for (const rc of ROUTES) for (const role of ROLES) for (const agency of [OWN, OTHER]) {
      const r = await rc.call(keys[`${role}:${agency}`].key);
      const want = rc.expect(role, agency === OWN);
      if (r.status !== want) wrong.push(`${rc.route} as ${role}/${agency === OWN ? 'own' : 'other'}: ${r.status} (want ${want}) ${r.text.slice(0, 160)}`);
      if (r.status >= 400) expect(r.body?.error?.code, rc.route).toMatch(/^[A-Z_]+$/);
    }
    expect(wrong).toEqual([]);
  });

  it('no key, a malformed header, an unknown, a revoked or a near-miss key: 401 on every route', async () => {
    const revoked = await admin('POST', '/v1/keys', { role: 'admin', agency: OWN });
    await admin('DELETE', `/v1/keys/${revoked.id}`);
    const good = keys[`admin:${OWN}`].key;
    const near = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    const variants: Record<string, string | undefined> = {
      none: undefined, basic: 'Basic YWRtaW46YWRtaW4=', empty: 'Bearer ', unknown: 'Bearer bck_abcdefghijkl_' + 'x'.repeat(43),
      revoked: `Bearer ${revoked.key}`, near: `Bearer ${near}`,
    };
    for (const rc of ROUTES) {
      const [method, url] = rc.route.split(' ');
      const path = url.replace(':id', '00000000-0000-0000-0000-000000000000').replace(':handle', 'h_abcdefghij');
      for (const [name, h] of Object.entries(variants)) {
        const r = await s.call(method, path, { headers: h ? { authorization: h } : {}, body: method === 'POST' ? {} : undefined });
        expect(r.status, `${rc.route} with ${name}`).toBe(401);
        expect(r.body.error.code).toBe('UNAUTHORIZED');
      }
    }
  });
});

describe('keys at rest', () => {
  it('the database holds only hashes: no issued key, nor its secret part, appears in any key or audit row', async () => {
    const rows = await s.ctx.db.query<{ t: string }>('SELECT k::text AS t FROM api_keys k UNION ALL SELECT a::text FROM audit_log a');
    const all = rows.rows.map((r) => r.t).join('\n');
    expect(rows.rowCount).toBeGreaterThan(8);
    for (const { key } of Object.values(keys)) {
      expect(all).not.toContain(key);
      const secret = key.split('_').slice(2).join('_');
      expect(secret.length).toBeGreaterThan(20);
      expect(all).not.toContain(secret);
      // Nor as hex or base64 bytes of the secret.
      expect(all).not.toContain(Buffer.from(secret).toString('hex'));
    }
    expect(all).not.toContain(ADMIN_KEY);
    const cols = await s.ctx.db.query<{ data_type: string; column_name: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'api_keys' AND column_name LIKE '%secret%'");
    expect(cols.rows).toEqual([{ column_name: 'secret_hash', data_type: 'bytea' }]);
  });
});

describe('limits', () => {
  it('every route that takes a body refuses one over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(70 * 1024) });
    const bodied = ROUTES.filter((r) => r.route.startsWith('POST') || r.route.startsWith('DELETE'));
    for (const rc of bodied) {
      const [method, url] = rc.route.split(' ');
      const path = url.replace(':id', fx.fullSubject).replace(':handle', 'h_abcdefghij');
      for (const type of ['application/json', 'application/octet-stream', 'application/vnd.ansi-nist-itl']) {
        const r = await s.call(method, path, { key: ADMIN_KEY, raw: big, headers: { 'content-type': type } });
        expect(r.status, `${rc.route} ${type}`).toBe(413);
        expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      }
    }
  });

  it('a key over its rate gets 429 RATE_LIMITED with Retry-After; other keys are unaffected', async () => {
    const limited = await startService({ modules: fingerModules(), config: { rateLimit: { perSecond: 2, burst: 5 } } });
    try {
      const kiosk = (await limited.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: OWN } })).body.key;
      const statuses: number[] = [];
      let retryAfter = 0;
      for (let i = 0; i < 8; i++) {
        const r = await limited.call('GET', '/v1/watchlists', { key: kiosk });
        statuses.push(r.status);
        if (r.status === 429) { retryAfter = Number(r.headers['retry-after']); expect(r.body.error.code).toBe('RATE_LIMITED'); }
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toContain(429);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      // Another key has its own bucket.
      const other = (await limited.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: OTHER } })).body.key;
      expect((await limited.call('GET', '/v1/watchlists', { key: other })).status).toBe(200);
      // The bucket refills: after Retry-After the key is served again.
      await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
      expect((await limited.call('GET', '/v1/watchlists', { key: kiosk })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('error bodies carry no stack traces, paths or SQL', async () => {
    const probes = [
      await s.call('GET', '/nope/../../etc/passwd'),
      await s.call('POST', '/v1/subjects', { key: ADMIN_KEY, raw: '{"watchlist":', headers: { 'content-type': 'application/json' } }),
      await s.call('GET', '/v1/subjects/%27%3B%20DROP%20TABLE%20subjects%3B--', { key: ADMIN_KEY }),
      await s.call('GET', '/v1/audit?since=yesterday', { key: ADMIN_KEY }),
      await s.call('POST', '/v1/checks', { key: ADMIN_KEY, body: { fingerprints: [{ template: b64(new Uint8Array(40).fill(0x46)) }] } }),
    ];
    for (const r of probes) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\/src\/|\.ts:\d|SELECT|syntax error at|relation "/);
    }
  });
});
