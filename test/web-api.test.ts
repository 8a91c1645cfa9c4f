// What the web page needs from the service, through real HTTP handling: the page itself under a strict CSP,
// GET /v1/keys/self, the case queue's filters and best score, the fingerprint comparison with the matcher's pairs
// (and need-to-know on it), the inconclusive conclusion, and a case's audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Modalities } from '../src/fusion/modalities.ts';
import { biometricRoutesModule, fingerModule } from '../src/modules.ts';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let s: TestService;
const k: Record<string, string> = {};
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const finger = (i: number) => synthFinger(5000 + i);
const probe = (i: number, seed: number) => b64(isoRecord(impression(finger(i), seed, { rotDeg: 10, dx: 6, dy: -4, drop: 0.1, spurious: 3 }), 2));
const subjects: string[] = [];

beforeAll(async () => {
  const mods: Modalities = {};
  s = await startService({ modules: [biometricRoutesModule(mods), fingerModule(mods)] });
  for (const [name, role, agency] of [['examinerIT', 'examiner', 'IT'], ['examinerIT2', 'examiner', 'IT'], ['kioskIT', 'kiosk', 'IT'], ['examinerDE', 'examiner', 'DE'], ['enrollerFR', 'enroller', 'FR'], ['enrollerDE', 'enroller', 'DE']]) {
    k[name] = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role, agency, label: name } })).body.key;
  }
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'fr-wanted', name: 'FR wanted', agency: 'FR', disclosure: 'full' } });
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'de-sensitive', name: 'DE sensitive', agency: 'DE', disclosure: 'hit-no-hit' } });
  for (let i = 0; i < 4; i++) {
    const fr = i % 2 === 0;
    const key = fr ? k.enrollerFR : k.enrollerDE;
    const c = await s.call('POST', '/v1/subjects', { key, body: { watchlist: fr ? 'fr-wanted' : 'de-sensitive', reference: `R-${i}`, name: `Person ${i}` } });
    subjects.push(c.body.id);
    const e = await s.call('POST', `/v1/subjects/${c.body.id}/fingerprints`, { key, body: { template: b64(isoRecord(impression(finger(i), 1, { drop: 0.05 }), 2)), position: 2 } });
    expect(e.status).toBe(201);
  }
});
afterAll(async () => { await s?.close(); });

describe('the page', () => {
  it('GET / serves the application under a strict Content-Security-Policy, its files under /app/', async () => {
    const r = await s.call('GET', '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    // No inline script or style in the page itself: everything comes from /app/.
    expect(r.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(r.text).not.toMatch(/<style|\sstyle=/);
    const js = await s.call('GET', '/app/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.text.length).toBeGreaterThan(1000);
    expect((await s.call('GET', '/app/..%2Fpackage.json')).status).toBe(404);
    expect((await s.call('GET', '/app/nothing.js')).body.error.code).toBe('NOT_FOUND');
  });
});

describe('GET /v1/keys/self', () => {
  it('tells any key its own role, agency and label, and nothing without a valid key', async () => {
    const me = await s.call('GET', '/v1/keys/self', { key: k.kioskIT });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: expect.any(String), role: 'kiosk', agency: 'IT', label: 'kioskIT' });
    expect(me.text).not.toContain(k.kioskIT.split('_')[2]);
    expect((await s.call('GET', '/v1/keys/self', { key: ADMIN_KEY })).body.role).toBe('admin');
    expect((await s.call('GET', '/v1/keys/self')).status).toBe(401);
    expect((await s.call('GET', '/v1/keys/self', { key: 'bck_000000000000_nope' })).body.error.code).toBe('UNAUTHORIZED');
  });
});

describe('cases as the examiner sees them', () => {
  let fullCase: string, fullHandle: string, hiddenCase: string, hiddenHandle: string;
  beforeAll(async () => {
    const a = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(0, 11), position: 2 }] } });
    expect(a.body.decision).toBe('hit');
    fullCase = a.body.caseId; fullHandle = a.body.candidates[0].handle;
    const b = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(1, 12), position: 2 }] } });
    expect(b.body.candidates[0]).toMatchObject({ subjectId: null, watchlist: 'de-sensitive' });
    hiddenCase = b.body.caseId; hiddenHandle = b.body.candidates[0].handle;
  });

  it('the queue carries each case\'s watchlists and best score, and filters by watchlist and decision, with paging', async () => {
    const all = await s.call('GET', '/v1/cases?status=pending', { key: k.examinerIT });
    const c = all.body.cases.find((x: { id: string }) => x.id === fullCase);
    expect(c.watchlists).toContain('fr-wanted');
    expect(c.bestScore).toBeGreaterThan(4);
    const fr = await s.call('GET', '/v1/cases?status=pending&watchlist=fr-wanted', { key: k.examinerIT });
    expect(fr.body.cases.map((x: { id: string }) => x.id)).toContain(fullCase);
    expect(fr.body.cases.map((x: { id: string }) => x.id)).not.toContain(hiddenCase);
    const reviews = await s.call('GET', '/v1/cases?decision=review', { key: k.examinerIT });
    for (const x of reviews.body.cases) expect(x.decision).toBe('review');
    const p1 = await s.call('GET', '/v1/cases?limit=1', { key: k.examinerIT });
    const p2 = await s.call('GET', '/v1/cases?limit=1&offset=1', { key: k.examinerIT });
    expect(p1.body.cases).toHaveLength(1);
    expect(p2.body.cases[0].id).not.toBe(p1.body.cases[0].id);
  });

  it('the comparison returns both fingers\' minutiae and the pairs the matcher counted, for a visible candidate', async () => {
    const r = await s.call('GET', `/v1/cases/${fullCase}/candidates/${fullHandle}/comparison`, { key: k.examinerIT });
    expect(r.status).toBe(200);
    expect(r.body.fingers).toHaveLength(1);
    const f = r.body.fingers[0];
    expect(f.score).toBeGreaterThan(4);
    expect(f.probe.minutiae.length).toBeGreaterThan(30);
    expect(f.enrolled.minutiae.length).toBeGreaterThan(30);
    expect(f.pairs.length).toBeGreaterThan(15);
    // The transform lays paired probe minutiae onto their enrolled partners.
    const { rotation, tx, ty } = f.transform;
    const c = Math.cos(rotation), sn = Math.sin(rotation);
    const d = f.pairs.map(([i, j]: [number, number]) => {
      const p = f.probe.minutiae[i], e = f.enrolled.minutiae[j];
      return Math.hypot(c * p.x - sn * p.y + tx - e.x, sn * p.x + c * p.y + ty - e.y);
    }).sort((x: number, y: number) => x - y);
    expect(d[Math.floor(d.length / 2)]).toBeLessThan(10);
    const trail = await s.call('GET', `/v1/cases/${fullCase}/audit`, { key: k.examinerIT });
    expect(trail.body.entries.map((e: { action: string }) => e.action)).toContain('case.compare');
  });

  it('withholds the enrolled finger of an undisclosed hit/no-hit candidate, and another agency\'s case entirely', async () => {
    const r = await s.call('GET', `/v1/cases/${hiddenCase}/candidates/${hiddenHandle}/comparison`, { key: k.examinerIT });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect(r.text).not.toContain('minutiae');
    expect((await s.call('GET', `/v1/cases/${fullCase}/candidates/${fullHandle}/comparison`, { key: k.examinerDE })).body.error.code).toBe('CASE_NOT_FOUND');
    expect((await s.call('GET', `/v1/cases/${fullCase}/audit`, { key: k.examinerDE })).status).toBe(404);
    expect((await s.call('GET', `/v1/cases/${fullCase}/candidates/h_nonexistent123/comparison`, { key: k.examinerIT })).body.error.code).toBe('NOT_FOUND');
  });

  it('an inconclusive conclusion is recorded, confirms no one, and the existing outcomes still work', async () => {
    const d = await s.call('POST', `/v1/cases/${hiddenCase}/decisions`, { key: k.examinerIT, body: { candidate: hiddenHandle, outcome: 'inconclusive', note: 'partial print' } });
    expect(d.status).toBe(201);
    expect(d.body.outcome).toBe('inconclusive');
    const kase = await s.call('GET', `/v1/cases/${hiddenCase}`, { key: k.examinerIT });
    expect(kase.body.candidates[0]).toMatchObject({ outcome: 'inconclusive', note: 'partial print' });
    const closeUndecided = await s.call('GET', `/v1/cases/${hiddenCase}`, { key: k.examinerIT });
    for (const c of closeUndecided.body.candidates.slice(1)) {
      if (c.level !== 'none') await s.call('POST', `/v1/cases/${hiddenCase}/decisions`, { key: k.examinerIT, body: { candidate: c.handle, outcome: 'rejected' } });
    }
    const closed = await s.call('POST', `/v1/cases/${hiddenCase}/close`, { key: k.examinerIT, body: {} });
    expect(closed.body).toMatchObject({ status: 'closed', outcome: 'rejected' });
    const ok = await s.call('POST', `/v1/cases/${fullCase}/decisions`, { key: k.examinerIT, body: { candidate: fullHandle, outcome: 'confirmed' } });
    expect(ok.status).toBe(201);
    expect((await s.call('POST', `/v1/cases/${fullCase}/decisions`, { key: k.examinerIT, body: { candidate: fullHandle, outcome: 'maybe' } })).body.error.code).toBe('VALIDATION_FAILED');
    const trail = await s.call('GET', `/v1/cases/${hiddenCase}/audit`, { key: k.examinerIT });
    const actions = trail.body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['case.read', 'case.decide', 'case.close']));
    expect(trail.body.entries.every((e: { at: string }, i: number, a: { at: string }[]) => i === 0 || a[i - 1].at >= e.at)).toBe(true);
  });
});

describe("a second examiner's verification (ACE-V)", () => {
  it('is by another key, after every conclusion; a dispute keeps the case open until the conclusions change or are verified', async () => {
    const chk = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(2, 31), position: 2 }] } });
    const caseId = chk.body.caseId as string;
    const kase = await s.call('GET', `/v1/cases/${caseId}`, { key: k.examinerIT });
    const live = kase.body.candidates.filter((c: { level: string }) => c.level !== 'none');
    const verify = (key: string, outcome: string) => s.call('POST', `/v1/cases/${caseId}/verifications`, { key, body: { outcome, note: `${outcome} by 2nd` } });
    expect((await verify(k.examinerIT2, 'verified')).body.error.message).toContain('nothing to verify yet');
    for (const c of live) await s.call('POST', `/v1/cases/${caseId}/decisions`, { key: k.examinerIT, body: { candidate: c.handle, outcome: c === live[0] ? 'confirmed' : 'rejected' } });
    const self = await verify(k.examinerIT, 'verified');
    expect(self.status).toBe(409);
    expect(self.body.error.message).toContain('second examiner');
    expect((await verify(k.examinerIT2, 'disputed')).status).toBe(201);
    const refused = await s.call('POST', `/v1/cases/${caseId}/close`, { key: k.examinerIT, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('disputed');
    // The first examiner revises a conclusion: the dispute is of the old version now.
    await s.call('POST', `/v1/cases/${caseId}/decisions`, { key: k.examinerIT, body: { candidate: live[0].handle, outcome: 'confirmed', note: 'revised after dispute' } });
    const after = await s.call('GET', `/v1/cases/${caseId}`, { key: k.examinerIT });
    expect(after.body.verifications).toEqual([expect.objectContaining({ outcome: 'disputed', agency: 'IT', current: false })]);
    expect((await verify(k.examinerIT2, 'verified')).status).toBe(201);
    const closed = await s.call('POST', `/v1/cases/${caseId}/close`, { key: k.examinerIT, body: {} });
    expect(closed.body).toMatchObject({ status: 'closed', outcome: 'confirmed' });
    expect((await verify(k.examinerIT2, 'verified')).body.error.code).toBe('CASE_CLOSED');
    expect((await s.call('POST', `/v1/cases/${caseId}/verifications`, { key: k.examinerDE, body: { outcome: 'verified' } })).body.error.code).toBe('CASE_NOT_FOUND');
    const trail = await s.call('GET', `/v1/cases/${caseId}/audit`, { key: k.examinerIT });
    expect(trail.body.entries.filter((e: { action: string }) => e.action === 'case.verify')).toHaveLength(2);
  });
});
