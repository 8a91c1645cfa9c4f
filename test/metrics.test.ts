// The metrics operations watch, on the real service (real PostgreSQL, models, HTTP): (1) /metrics answers only an
// admin key or the scrape token: no other credential, whatever it looks like, gets any metric; (2) checks,
// enrolments, refusals, galleries, indexes and backlogs count what the service did; (3) every metric the Grafana
// dashboard in docs/ queries is one the running service exports.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedRead } from '../src/http/domain-metrics.ts';
import { defaultModules } from '../src/modules.ts';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';
import { repoRoot } from './lib/process.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

const TOKEN = `scrape-${'t'.repeat(30)}`;
const DASHBOARD = path.join(repoRoot, 'docs/grafana/biocheck-dashboard.json');
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const template = (person: number, seed: number) => b64(isoRecord(impression(synthFinger(person), seed), 2));

let s: TestService;
const k: Record<string, string> = {};
let revokedAdmin = '';

/** One value of the exposition, e.g. value(text, 'biocheck_checks_total', { decision: 'hit', mode: 'standard' }). */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([l, v]) => got[l] === v)) return Number(m[3]);
  }
  return undefined;
}

const scrape = async (authorization?: string) => s.call('GET', '/metrics', authorization === undefined ? {} : { headers: { authorization } });

beforeAll(async () => {
  s = await startService({ modules: await defaultModules(), config: { metricsToken: TOKEN } });
  const key = async (role: string, agency: string) => (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role, agency } })).body.key as string;
  for (const [name, role, agency] of [['kiosk', 'kiosk', 'IT'], ['examiner', 'examiner', 'IT'], ['enrollerFR', 'enroller', 'FR'], ['enrollerDE', 'enroller', 'DE'], ['admin', 'admin', 'FR']]) {
    k[name] = await key(role, agency);
  }
  const revoked = await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'admin', agency: 'FR' } });
  revokedAdmin = revoked.body.key;
  expect((await s.call('DELETE', `/v1/keys/${revoked.body.id}`, { key: ADMIN_KEY })).status).toBe(204);

  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'fr-wanted', name: 'Wanted by France', agency: 'FR', disclosure: 'full' } });
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'de-secret', name: 'Secret German list', agency: 'DE', disclosure: 'hit-no-hit' } });
  const enrol = async (watchlist: string, enroller: string, person: number) => {
    const subject = await s.call('POST', '/v1/subjects', { key: enroller, body: { watchlist, reference: `P${person}` } });
    const r = await s.call('POST', `/v1/subjects/${subject.body.id}/fingerprints`, { key: enroller, body: { template: template(person, 1), position: 2 } });
    expect(r.status).toBe(201);
    return subject.body.id as string;
  };
  await enrol('fr-wanted', k.enrollerFR, 101);
  await enrol('fr-wanted', k.enrollerFR, 102);
  const secretSubject = await enrol('de-secret', k.enrollerDE, 201);
  // Refused enrolment: not a template.
  const bad = await s.call('POST', `/v1/subjects/${secretSubject}/fingerprints`, { key: k.enrollerDE, body: { template: b64(new Uint8Array(64)), position: 2 } });
  expect(bad.status).toBeGreaterThanOrEqual(400);
  expect(bad.status).toBeLessThan(500);
  // A hit on the French list, a hit on the German hit/no-hit list (the owner has not decided), a no-hit.
  for (const person of [101, 201, 999]) {
    const r = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { fingerprints: [{ template: template(person, 7), position: 2 }] } });
    expect(r.status).toBe(200);
  }
  // Refusals: a kiosk may not list keys (403); an unknown subject (404).
  expect((await s.call('GET', '/v1/keys', { key: k.kiosk })).status).toBe(403);
  expect((await s.call('GET', '/v1/subjects/00000000-0000-4000-8000-000000000000', { key: k.enrollerFR })).status).toBe(404);
}, 180_000);
afterAll(async () => { await s?.close(); });

describe('who may read /metrics', () => {
  it('an admin key and the scrape token may', async () => {
    for (const credential of [ADMIN_KEY, k.admin, TOKEN]) {
      const r = await scrape(`Bearer ${credential}`);
      expect(r.status).toBe(200);
      expect(String(r.headers['content-type'])).toMatch(/^text\/plain/);
      expect(r.text).toMatch(/^biocheck_checks_total/m);
    }
  });

  it('no other credential gets any metric: none, other roles, a revoked admin key, near misses of the token, anything', async () => {
    const nearMisses = [TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), ` ${TOKEN}`.slice(0, -1), `${TOKEN.slice(0, -1)}T`];
    const fixed: (string | undefined)[] = [
      undefined, '', 'Bearer', 'Bearer ', `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`, TOKEN, ADMIN_KEY, `Token ${TOKEN}`,
      ...['kiosk', 'examiner', 'enrollerFR', 'enrollerDE'].map((r) => `Bearer ${k[r]}`), `Bearer ${revokedAdmin}`,
      ...nearMisses.map((t) => `Bearer ${t}`), `Bearer ${ADMIN_KEY.slice(0, -1)}`,
    ];
    const refused = async (authorization: string | undefined) => {
      const r = await scrape(authorization);
      expect([401, 403], `${authorization}: ${r.status}`).toContain(r.status);
      expect(r.text).not.toMatch(/biocheck_|# (HELP|TYPE)/);
      expect(['UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED']).toContain(r.body?.error?.code);
    };
    for (const a of fixed) await refused(a);
    // Anything else shaped like a header: random text, random bearer strings, keys of the right shape.
    const credential = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ minLength: 1, maxLength: 80 }).map((t) => `Bearer ${t}`),
      fc.stringMatching(/^[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/).map((t) => `Bearer bck_${t}`),
    ).filter((a) => !a.includes(TOKEN) && !a.includes(ADMIN_KEY) && !a.includes(k.admin) && /^[\x20-\x7e]*$/.test(a));
    await fc.assert(fc.asyncProperty(credential, refused), { numRuns: 60 });
  });
});

describe('what the metrics count', () => {
  let text: string;
  beforeAll(async () => { text = (await scrape(`Bearer ${TOKEN}`)).text; });

  it('checks by decision, and per watchlist searched the best level its subjects reached', () => {
    expect(value(text, 'biocheck_checks_total', { decision: 'hit', mode: 'standard' })).toBe(2);
    expect(value(text, 'biocheck_checks_total', { decision: 'no-hit', mode: 'standard' })).toBe(1);
    expect(value(text, 'biocheck_check_watchlist_results_total', { watchlist: 'fr-wanted', decision: 'hit' })).toBe(1);
    expect(value(text, 'biocheck_check_watchlist_results_total', { watchlist: 'fr-wanted', decision: 'no-hit' })).toBe(2);
    expect(value(text, 'biocheck_check_watchlist_results_total', { watchlist: 'de-secret', decision: 'hit' })).toBe(1);
    // Watchlists by id only: their names appear nowhere.
    expect(text).not.toMatch(/Wanted by France|Secret German list/);
  });

  it('enrolments by modality and outcome, with the refusal code', () => {
    expect(value(text, 'biocheck_enrolments_total', { modality: 'finger', outcome: 'enrolled' })).toBe(3);
    const refused = text.split('\n').filter((l) => l.startsWith('biocheck_enrolments_total{') && l.includes('outcome="refused"'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/code="TEMPLATE_[A-Z_]+"\} 1$/);
  });

  it('refusals by status and code, as the refusal audit classifies them', () => {
    expect(value(text, 'biocheck_refusals_total', { status: '403', code: 'FORBIDDEN' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'biocheck_refusals_total', { status: '404', code: 'SUBJECT_NOT_FOUND' })).toBe(1);
  });

  it('gallery sizes per modality and watchlist; both indexes ready with their sizes', () => {
    expect(value(text, 'biocheck_gallery_samples', { modality: 'finger' })).toBe(3);
    expect(value(text, 'biocheck_gallery_samples', { modality: 'face' })).toBe(0);
    expect(value(text, 'biocheck_watchlist_subjects', { watchlist: 'fr-wanted' })).toBe(2);
    expect(value(text, 'biocheck_watchlist_subjects', { watchlist: 'de-secret' })).toBe(1);
    for (const modality of ['face', 'finger']) {
      expect(value(text, 'biocheck_index_state', { modality, state: 'ready' })).toBe(1);
      expect(value(text, 'biocheck_index_state', { modality, state: 'building' })).toBe(0);
    }
    expect(value(text, 'biocheck_index_entries', { modality: 'finger' })).toBe(3);
    expect(value(text, 'biocheck_index_entries', { modality: 'face' })).toBe(0);
    expect(value(text, 'biocheck_index_snapshot_failing', { modality: 'face' })).toBe(0);
    expect(value(text, 'biocheck_store_figures_up')).toBe(1);
  });

  it('the case backlog and the owner\'s undecided hits', () => {
    expect(value(text, 'biocheck_cases_pending')).toBe(2);
    expect(value(text, 'biocheck_cases_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'biocheck_cases_oldest_pending_age_seconds')).toBeLessThan(600);
    expect(value(text, 'biocheck_hits_undecided', { watchlist: 'de-secret' })).toBe(1);
    expect(value(text, 'biocheck_hits_oldest_undecided_age_seconds', { watchlist: 'de-secret' })).toBeLessThan(600);
    // Only hit/no-hit watchlists have an owner's decision to wait for.
    expect(value(text, 'biocheck_hits_undecided', { watchlist: 'fr-wanted' })).toBeUndefined();
  });

  it('store figures are read once per interval, however many scrapes come at once', async () => {
    // Count the backlog reads the service sends to PostgreSQL (the real queries still run).
    const db = s.ctx.db;
    const query = db.query.bind(db);
    let backlogReads = 0;
    db.query = ((sql: string, params?: unknown[]) => { if (sql.includes('owner_hits')) backlogReads++; return query(sql, params); }) as typeof db.query;
    try {
      await Promise.all(Array.from({ length: 20 }, () => scrape(`Bearer ${TOKEN}`)));
    } finally {
      db.query = query;
    }
    expect(backlogReads).toBeLessThanOrEqual(1);
  });
});

describe('cachedRead', () => {
  it('reads once for concurrent callers, again after the interval, and does not keep a failure', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const read = cachedRead(async () => { reads++; if (fail) throw new Error('down'); return reads; }, 1000, () => now);
    expect(await Promise.all([read(), read(), read()])).toEqual([1, 1, 1]);
    now = 999;
    expect(await read()).toBe(1);
    now = 1000;
    fail = true;
    await expect(read()).rejects.toThrow('down');
    fail = false;
    expect(await read()).toBe(3);
    expect(reads).toBe(3);
  });
});

describe('the Grafana dashboard (docs/grafana/biocheck-dashboard.json)', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  type Panel = { type: string; title: string; targets?: { expr: string }[]; panels?: Panel[]; datasource?: { uid: string } };
  const panels: Panel[] = (dashboard.panels as Panel[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('imports with a Prometheus data source chosen at import', () => {
    expect(dashboard.__inputs).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }));
    for (const p of panels.filter((x) => x.type !== 'row')) expect(p.datasource?.uid, p.title).toBe('${DS_PROMETHEUS}');
    expect(exprs.length).toBeGreaterThan(20);
  });

  it('queries only metrics the running service exports, and shows every figure of the issue', async () => {
    const exported = (await scrape(`Bearer ${ADMIN_KEY}`)).text;
    const families = new Map([...exported.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    const exports = (name: string) => families.has(name)
      || ['_bucket', '_sum', '_count'].some((suffix) => name.endsWith(suffix) && families.get(name.slice(0, -suffix.length)) === 'histogram');
    const used = [...new Set(exprs.flatMap((e) => [...e.matchAll(/\bbiocheck_[a-z0-9_]+/g)].map((m) => m[0])))];
    expect(used.filter((n) => !exports(n)), 'queried by the dashboard, not exported').toEqual([]);
    for (const figure of ['biocheck_checks_total', 'biocheck_check_watchlist_results_total', 'biocheck_enrolments_total', 'biocheck_gallery_samples',
      'biocheck_watchlist_subjects', 'biocheck_index_state', 'biocheck_index_entries', 'biocheck_index_snapshot_age_seconds', 'biocheck_cases_pending',
      'biocheck_cases_oldest_pending_age_seconds', 'biocheck_hits_undecided', 'biocheck_refusals_total', 'biocheck_connections_scan']) {
      expect(used, figure).toContain(figure);
    }
  });
});
