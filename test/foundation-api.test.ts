// The foundation through HTTP on a real PostgreSQL: keys and roles, watchlists, subjects, errors, metrics, docs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let s: TestService;
const keys: Record<string, string> = {};

async function makeKey(role: string, agency: string): Promise<string> {
  const r = await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role, agency, label: `${role}-${agency}` } });
  expect(r.status).toBe(201);
  expect(r.body.key).toMatch(/^bck_/);
  return r.body.key;
}

beforeAll(async () => {
  s = await startService({ config: { bodyLimit: 64 * 1024 } });
  keys.enrollerFR = await makeKey('enroller', 'FR');
  keys.enrollerDE = await makeKey('enroller', 'DE');
  keys.kioskDE = await makeKey('kiosk', 'DE');
  keys.examinerFR = await makeKey('examiner', 'FR');
  keys.examinerDE = await makeKey('examiner', 'DE');
  for (const [id, agency, disclosure] of [['fr-wanted', 'FR', 'full'], ['fr-secret', 'FR', 'hit-no-hit']]) {
    const r = await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id, name: id, agency, disclosure } });
    expect(r.status).toBe(201);
  }
});
afterAll(async () => { await s?.close(); });

describe('service endpoints', () => {
  it('answers health and ready', async () => {
    expect((await s.call('GET', '/health')).body).toEqual({ status: 'ok' });
    const r = await s.call('GET', '/ready');
    expect(r.status).toBe(200);
    expect(r.body.checks.database).toBe(true);
  });
  it('serves an OpenAPI document that lists the routes, and the UI', async () => {
    const doc = await s.call('GET', '/docs/json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/keys', '/v1/watchlists', '/v1/subjects', '/v1/subjects/{id}']));
    expect((await s.call('GET', '/docs/')).status).toBe(200);
  });
  it('exports Prometheus metrics with per-route counts', async () => {
    await s.call('GET', '/health');
    const m = await s.call('GET', '/metrics', { key: ADMIN_KEY });
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/biocheck_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
    expect(m.text).toMatch(/biocheck_http_request_duration_seconds_bucket/);
    expect(m.text).toMatch(/biocheck_db_pool_connections\{state="total"\}/);
  });
  it('echoes a request id', async () => {
    const r = await s.call('GET', '/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers['x-request-id']).toBe('abc-123');
  });
});

describe('authentication and roles', () => {
  it('401 without a key, with a malformed key and with an unknown key', async () => {
    const variants: Record<string, string>[] = [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer bck_aaaaaaaaaaaa_' + 'x'.repeat(43) }];
    for (const headers of variants) {
      const r = await s.call('GET', '/v1/watchlists', { headers });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('UNAUTHORIZED');
    }
  });
  it('403 for the wrong role', async () => {
    const r = await s.call('POST', '/v1/keys', { key: keys.kioskDE, body: { role: 'admin', agency: 'DE' } });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect((await s.call('POST', '/v1/watchlists', { key: keys.enrollerFR, body: { id: 'x', name: 'x', agency: 'FR', disclosure: 'full' } })).status).toBe(403);
    expect((await s.call('POST', '/v1/subjects', { key: keys.kioskDE, body: { watchlist: 'fr-wanted' } })).status).toBe(403);
  });
  it('a revoked key stops working', async () => {
    const k = await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: 'IT' } });
    expect((await s.call('GET', '/v1/watchlists', { key: k.body.key })).status).toBe(200);
    expect((await s.call('DELETE', `/v1/keys/${k.body.id}`, { key: ADMIN_KEY })).status).toBe(204);
    expect((await s.call('GET', '/v1/watchlists', { key: k.body.key })).status).toBe(401);
  });
  it('lists keys without secrets', async () => {
    const r = await s.call('GET', '/v1/keys', { key: ADMIN_KEY });
    expect(r.status).toBe(200);
    expect(r.text).not.toContain(keys.kioskDE);
    expect(r.body.keys.length).toBeGreaterThanOrEqual(6);
  });
});

describe('watchlists', () => {
  it('rejects a duplicate id with 409 and a bad one with 400', async () => {
    const dup = await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'fr-wanted', name: 'x', agency: 'FR', disclosure: 'full' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('WATCHLIST_EXISTS');
    const bad = await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'Bad Id!', name: 'x', agency: 'FR', disclosure: 'full' } });
    expect(bad.status).toBe(400);
    const disc = await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'w2', name: 'x', agency: 'FR', disclosure: 'partial' } });
    expect(disc.status).toBe(400);
  });
  it('lists and reads', async () => {
    const l = await s.call('GET', '/v1/watchlists', { key: keys.kioskDE });
    expect(l.body.watchlists.map((w: { id: string }) => w.id)).toEqual(['fr-secret', 'fr-wanted']);
    const one = await s.call('GET', '/v1/watchlists/fr-secret', { key: keys.enrollerFR });
    expect(one.body).toMatchObject({ id: 'fr-secret', agency: 'FR', disclosure: 'hit-no-hit', subjects: 0 });
    expect((await s.call('GET', '/v1/watchlists/nope', { key: ADMIN_KEY })).status).toBe(404);
  });
  it('refuses to delete a non-empty watchlist unless forced', async () => {
    await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'tmp', name: 'tmp', agency: 'FR', disclosure: 'full' } });
    const sub = await s.call('POST', '/v1/subjects', { key: keys.enrollerFR, body: { watchlist: 'tmp', name: 'Someone' } });
    expect((await s.call('DELETE', '/v1/watchlists/tmp', { key: ADMIN_KEY })).status).toBe(409);
    expect((await s.call('DELETE', '/v1/watchlists/tmp?force=true', { key: ADMIN_KEY })).status).toBe(204);
    expect((await s.call('GET', '/v1/watchlists/tmp', { key: ADMIN_KEY })).status).toBe(404);
    expect((await s.call('GET', `/v1/subjects/${sub.body.id}`, { key: ADMIN_KEY })).status).toBe(404);
  });
});

describe('subjects', () => {
  it('an enroller creates, reads and deletes subjects of its own agency only', async () => {
    const c = await s.call('POST', '/v1/subjects', { key: keys.enrollerFR, body: { watchlist: 'fr-wanted', reference: '2026/123', name: 'Jean Test', nationality: 'FR', attributes: { notice: 'red' } } });
    expect(c.status).toBe(201);
    expect(c.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const other = await s.call('POST', '/v1/subjects', { key: keys.enrollerDE, body: { watchlist: 'fr-wanted', name: 'x' } });
    expect(other.status).toBe(403);
    const read = await s.call('GET', `/v1/subjects/${c.body.id}`, { key: keys.enrollerFR });
    expect(read.body).toMatchObject({ reference: '2026/123', name: 'Jean Test', attributes: { notice: 'red', nationality: 'FR' } });
    expect((await s.call('GET', `/v1/subjects/${c.body.id}`, { key: keys.examinerDE })).status).toBe(200); // full disclosure
    expect((await s.call('DELETE', `/v1/subjects/${c.body.id}`, { key: keys.enrollerDE })).status).toBe(403);
    expect((await s.call('DELETE', `/v1/subjects/${c.body.id}`, { key: keys.enrollerFR })).status).toBe(204);
    expect((await s.call('GET', `/v1/subjects/${c.body.id}`, { key: ADMIN_KEY })).status).toBe(404);
    expect((await s.call('DELETE', `/v1/subjects/${c.body.id}`, { key: keys.enrollerFR })).status).toBe(404);
    const list = await s.call('GET', '/v1/subjects?watchlist=fr-wanted', { key: keys.enrollerFR });
    expect(list.body.subjects.find((x: { id: string }) => x.id === c.body.id)).toBeUndefined();
  });
  it('hides hit/no-hit subjects from other agencies (404, not 403)', async () => {
    const c = await s.call('POST', '/v1/subjects', { key: keys.enrollerFR, body: { watchlist: 'fr-secret', name: 'Hidden Person' } });
    const r = await s.call('GET', `/v1/subjects/${c.body.id}`, { key: keys.examinerDE });
    expect(r.status).toBe(404);
    expect(r.text).not.toContain('Hidden Person');
    expect((await s.call('GET', `/v1/subjects/${c.body.id}`, { key: keys.examinerFR })).status).toBe(200);
    const l = await s.call('GET', '/v1/subjects', { key: keys.examinerDE });
    expect(l.text).not.toContain('Hidden Person');
  });
  it('rejects unknown fields, wrong types, malformed JSON, oversized bodies and wrong content types', async () => {
    const unknown = await s.call('POST', '/v1/subjects', { key: keys.enrollerFR, body: { watchlist: 'fr-wanted', name: 'x', evil: 1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    expect(unknown.body.error.message).toContain('evil');
    const wrongType = await s.call('POST', '/v1/subjects', { key: keys.enrollerFR, body: { watchlist: 'fr-wanted', name: 42 } });
    expect(wrongType.status).toBe(400);
    const bad = await s.call('POST', '/v1/subjects', { key: keys.enrollerFR, raw: '{"watchlist": ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('MALFORMED_JSON');
    const big = await s.call('POST', '/v1/subjects', { key: keys.enrollerFR, body: { watchlist: 'fr-wanted', notes: 'x'.repeat(100_000) } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const ct = await s.call('POST', '/v1/subjects', { key: keys.enrollerFR, raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(ct.status).toBe(415);
    expect(ct.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const nf = await s.call('GET', '/v1/nothing-here', { key: ADMIN_KEY });
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('NOT_FOUND');
    expect((await s.call('GET', '/v1/subjects/not-a-uuid', { key: ADMIN_KEY })).status).toBe(404);
  });
  it('keeps serving after hostile input', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const r = await s.call('POST', '/v1/subjects', { key: keys.enrollerFR, raw: deep, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect((await s.call('GET', '/health')).status).toBe(200);
  });
});

describe('audit', () => {
  it('records who did what', async () => {
    const r = await s.ctx.db.query<{ action: string; role: string; agency: string }>('SELECT action, role, agency FROM audit_log ORDER BY id');
    const actions = r.rows.map((x) => x.action);
    expect(actions).toEqual(expect.arrayContaining(['key.create', 'watchlist.create', 'subject.create', 'subject.read', 'subject.delete', 'watchlist.delete', 'key.revoke']));
    await expect(s.ctx.db.query("UPDATE audit_log SET action = 'x'")).rejects.toThrow(/append-only/);
  });
});
