// Need to know, through HTTP: checks tell only hit/review candidates (investigative checks are an examiner's
// and audited), the owner agency sees its hits with the probe and discloses or declines (and later hits follow
// that decision), refused calls are on the audit record per key and minute, and the chain still verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Modalities } from '../src/fusion/modalities.ts';
import { thresholdSize } from '../src/fusion/gallery-size.ts';
import { RefusalAggregator } from '../src/http/refusal-audit.ts';
import type { AuditEntry } from '../src/store/audit.ts';
import { biometricRoutesModule, fingerModule } from '../src/modules.ts';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let s: TestService;
const k: Record<string, string> = {};
const keyIds: Record<string, string> = {};
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const enrolled = (seed: number) => b64(isoRecord(impression(synthFinger(seed), 1, { drop: 0.05 }), 2));
const probeOf = (seed: number, n: number) => b64(isoRecord(impression(synthFinger(seed), n, { rotDeg: 9, dx: 6, drop: 0.12, spurious: 2 }), 2));
const stranger = (n: number) => b64(isoRecord(synthFinger(900_000 + n), 2));
const subjects: { id: string; seed: number; name: string; reference: string; watchlist: string }[] = [];
const check = (key: string, body: Record<string, unknown>) => s.call('POST', '/v1/checks', { key, body });
const fingerCheck = (key: string, fp: string, extra: Record<string, unknown> = {}) => check(key, { fingerprints: [{ template: fp, position: 2 }], ...extra });

async function auditOf(filter: string): Promise<{ action: string; keyId: string | null; details: Record<string, unknown>; target: string | null }[]> {
  return (await s.call('GET', `/v1/audit?${filter}&limit=1000`, { key: ADMIN_KEY })).body.entries;
}
/** Refusals are written after the response: wait until `want` holds. */
async function eventually<T>(get: () => Promise<T>, want: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await get();
    if (want(v) || i > 50) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const mods: Modalities = {};
  s = await startService({ modules: [biometricRoutesModule(mods), fingerModule(mods)], config: { rateLimit: { perSecond: 5, burst: 200 } } });
  for (const [name, role, agency] of [['kiosk', 'kiosk', 'NO'], ['examiner', 'examiner', 'NO'], ['owner', 'examiner', 'SE'], ['enrollerSE', 'enroller', 'SE'], ['enrollerFR', 'enroller', 'FR'], ['other', 'examiner', 'DK']] as const) {
    const r = await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role, agency, label: name } });
    k[name] = r.body.key;
    keyIds[name] = r.body.id;
  }
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'fr-open', name: 'FR', agency: 'FR', disclosure: 'full' } });
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'se-hnh', name: 'SE', agency: 'SE', disclosure: 'hit-no-hit' } });
  for (let i = 0; i < 8; i++) {
    const watchlist = i < 5 ? 'fr-open' : 'se-hnh';
    const key = i < 5 ? k.enrollerFR : k.enrollerSE;
    const seed = 31_000 + i;
    const name = `Need Know ${i}`;
    const reference = `NK-${i}`;
    const c = await s.call('POST', '/v1/subjects', { key, body: { watchlist, reference, name } });
    expect((await s.call('POST', `/v1/subjects/${c.body.id}/fingerprints`, { key, body: { template: enrolled(seed), position: 2 } })).status).toBe(201);
    subjects.push({ id: c.body.id, seed, name, reference, watchlist });
  }
}, 120_000);
afterAll(async () => { await s?.close(); });

describe('answers by role and level', () => {
  it('a stranger is a no-hit with no candidates, whatever the limit, and keeps no probe', async () => {
    const r = await fingerCheck(k.kiosk, stranger(1), { limit: 100 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ decision: 'no-hit', candidates: [], caseId: null, probeKept: false, mode: 'standard' });
    const poll = await s.call('GET', `/v1/checks/${r.body.checkId}`, { key: k.kiosk });
    expect(poll.body).toMatchObject({ candidates: [], probeKept: false, review: null });
    for (const x of subjects) expect(r.text + poll.text).not.toContain(x.name);
  });
  it('a hit lists only hit and review candidates; the poll says the probe was kept', async () => {
    const r = await fingerCheck(k.kiosk, probeOf(subjects[1].seed, 5), { limit: 100 });
    expect(r.body.decision).toBe('hit');
    expect(r.body.candidates.length).toBeGreaterThan(0);
    for (const c of r.body.candidates) expect(['hit', 'review']).toContain(c.level);
    expect(r.body.candidates[0]).toMatchObject({ subjectId: subjects[1].id, name: subjects[1].name });
    expect(r.body.probeKept).toBe(true);
    const poll = await s.call('GET', `/v1/checks/${r.body.checkId}`, { key: k.kiosk });
    expect(poll.body.probeKept).toBe(true);
    expect(poll.body.candidates.map((c: { handle: string }) => c.handle)).toEqual(r.body.candidates.map((c: { handle: string }) => c.handle));
    const kase = await s.call('GET', `/v1/cases/${r.body.caseId}`, { key: k.examiner });
    expect(kase.body.probeKept).toBe(true);
    for (const c of kase.body.candidates) expect(['hit', 'review']).toContain(c.level);
  });
  it('an investigative check is refused for kiosks, lists every level for examiners and is audited as such', async () => {
    const refused = await fingerCheck(k.kiosk, stranger(2), { mode: 'investigative' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const r = await fingerCheck(k.examiner, stranger(2), { mode: 'investigative', limit: 100 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ decision: 'no-hit', mode: 'investigative' });
    // Every subject of the open list ranks, at level none, with its identity; no one of SE's hit/no-hit list does.
    const open = subjects.filter((x) => x.watchlist === 'fr-open').map((x) => x.id);
    expect(r.body.candidates.map((c: { subjectId: string }) => c.subjectId).sort()).toEqual([...open].sort());
    for (const c of r.body.candidates) expect(c.level).toBe('none');
    for (const x of subjects.filter((y) => y.watchlist === 'se-hnh')) expect(r.text).not.toContain(x.name);
    expect(r.text).not.toContain('se-hnh');
    const entries = await auditOf('action=check.investigative');
    expect(entries.find((e) => e.target === r.body.checkId)).toMatchObject({ keyId: keyIds.examiner });
  });
  it('the ITL reply of a no-hit carries no candidate', async () => {
    const { ITL_CONTENT_TYPE, fieldText, parseTransaction, RESPONSE_FIELDS } = await import('../src/ingest/itl/index.ts');
    const r = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { fingerprints: [{ template: stranger(3), position: 2 }], limit: 100 }, headers: { accept: ITL_CONTENT_TYPE } });
    const t = parseTransaction(new Uint8Array(Buffer.from(r.text, 'latin1')));
    const t2 = t.records[1];
    if (t2.kind !== 'tagged') throw new Error('tagged Type-2 expected');
    expect(fieldText(t2, RESPONSE_FIELDS.CANDIDATE_COUNT)).toBe('0');
    expect(fieldText(t2, RESPONSE_FIELDS.CANDIDATES)).toBeUndefined();
  });
  it("a hit/no-hit list's thresholds use its size rounded up to a power of ten", () => {
    expect(thresholdSize({ disclosure: 'hit-no-hit' }, 3)).toBe(10);
    expect(thresholdSize({ disclosure: 'hit-no-hit' }, 10)).toBe(10);
    expect(thresholdSize({ disclosure: 'hit-no-hit' }, 11)).toBe(100);
    expect(thresholdSize({ disclosure: 'hit-no-hit' }, 0)).toBe(1);
    expect(thresholdSize({ disclosure: 'full' }, 37)).toBe(37);
  });
  it("a check that searched another agency's hit/no-hit list does not report search timings", async () => {
    const r = await fingerCheck(k.kiosk, stranger(4));
    expect(Object.keys(r.body.timingsMs).filter((x) => x.endsWith('.search'))).toEqual([]);
    const own = await fingerCheck(k.kiosk, stranger(4), { watchlists: ['fr-open'] });
    expect(own.body.timingsMs['finger.search']).toBeGreaterThanOrEqual(0);
  });
});

describe("the owner's side of a hit", () => {
  const hitOn = async (i: number, n: number) => {
    const r = await fingerCheck(k.kiosk, probeOf(subjects[i].seed, n));
    expect(r.body.decision).toBe('hit');
    return r.body as { checkId: string; caseId: string; candidates: { handle: string; disclosure?: string; name: string | null; subjectId: string | null }[] };
  };
  it('lists pending hits oldest first, paged, and shows one with the probe that matched; to others it does not exist', async () => {
    const a = await hitOn(5, 11);
    const b = await hitOn(6, 12);
    const list = await s.call('GET', '/v1/hits?status=pending&limit=1', { key: k.owner });
    expect(list.status).toBe(200);
    expect(list.body.hits).toHaveLength(1);
    expect(list.body.next).toBe(1);
    const all = (await s.call('GET', '/v1/hits?status=pending', { key: k.owner })).body.hits as { handle: string; createdAt: string }[];
    const handles = all.map((h) => h.handle);
    expect(handles.indexOf(a.candidates[0].handle)).toBeLessThan(handles.indexOf(b.candidates[0].handle));
    expect(all.map((h) => h.createdAt)).toEqual([...all.map((h) => h.createdAt)].sort());
    const one = await s.call('GET', `/v1/hits/${a.candidates[0].handle}`, { key: k.owner });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ requestingAgency: 'NO', subjectId: subjects[5].id, name: subjects[5].name, status: 'pending', probeKept: true });
    expect(one.body.scores.finger).toBeGreaterThan(0);
    expect(one.body.probe.fingerprints).toEqual([{ template: probeOf(subjects[5].seed, 11), position: 2, format: 'template' }]);
    for (const who of [k.examiner, k.other]) {
      const r = await s.call('GET', `/v1/hits/${a.candidates[0].handle}`, { key: who });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('HIT_NOT_FOUND');
    }
    expect((await s.call('GET', `/v1/hits/${a.candidates[0].handle}`, { key: k.kiosk })).status).toBe(403);
    const reads = await auditOf('action=hit.read');
    expect(reads.find((e) => e.target === a.candidates[0].handle)).toMatchObject({ keyId: keyIds.owner });
  });
  it('decline (with an empty body) never discloses, and a later hit on the same subject follows it', async () => {
    const first = await hitOn(7, 21);
    const h = first.candidates[0].handle;
    expect(first.candidates[0]).toMatchObject({ subjectId: null, name: null, disclosure: 'pending' });
    const noBody = await s.call('POST', `/v1/hits/${h}/decline`, { key: k.owner });
    expect(noBody.status, noBody.text).toBe(200);
    expect(noBody.body).toEqual({ handle: h, status: 'declined', disclosed: false });
    const emptyJson = await s.call('POST', `/v1/hits/${h}/decline`, { key: k.owner, raw: '', headers: { 'content-type': 'application/json' } });
    expect(emptyJson.status, emptyJson.text).toBe(200);
    const kase = await s.call('GET', `/v1/cases/${first.caseId}`, { key: k.examiner });
    const poll = await s.call('GET', `/v1/checks/${first.checkId}`, { key: k.kiosk });
    const later = await hitOn(7, 22);
    for (const r of [kase.body, poll.body, later]) {
      expect(r.candidates[0]).toMatchObject({ subjectId: null, name: null, reference: null, disclosure: 'declined' });
    }
    for (const text of [kase.text, poll.text, JSON.stringify(later)]) {
      for (const withheld of [subjects[7].id, subjects[7].name, subjects[7].reference]) expect(text).not.toContain(withheld);
    }
    expect((await s.call('GET', '/v1/hits?status=declined', { key: k.owner })).body.hits.map((x: { handle: string }) => x.handle)).toEqual(expect.arrayContaining([h, later.candidates[0].handle]));
    // The owner may still disclose; then every hit on that subject by that agency shows the identity, a later one at once.
    expect((await s.call('POST', `/v1/hits/${later.candidates[0].handle}/disclose`, { key: k.owner, body: { note: 'cleared' } })).status).toBe(200);
    const again = await s.call('GET', `/v1/cases/${first.caseId}`, { key: k.examiner });
    expect(again.body.candidates[0]).toMatchObject({ subjectId: subjects[7].id, name: subjects[7].name, disclosure: 'disclosed' });
    const third = await hitOn(7, 23);
    expect(third.candidates[0]).toMatchObject({ subjectId: subjects[7].id, name: subjects[7].name, disclosure: 'disclosed' });
    // Another agency's check is not covered by NO's disclosure.
    const dk = await fingerCheck(k.other, probeOf(subjects[7].seed, 24));
    expect(dk.body.candidates[0]).toMatchObject({ subjectId: null, name: null, disclosure: 'pending' });
    // A disclosure cannot be withdrawn.
    const back = await s.call('POST', `/v1/hits/${h}/decline`, { key: k.owner, body: {} });
    expect(back.status).toBe(409);
    expect(back.body.error.code).toBe('HIT_ALREADY_DISCLOSED');
    // Reads that showed the disclosed identity are on the record.
    const reads = await auditOf('action=disclosure.read');
    expect(reads.map((e) => e.target)).toEqual(expect.arrayContaining([first.caseId, third.checkId]));
  });
  it('a case closes with an empty body', async () => {
    const r = await fingerCheck(k.kiosk, probeOf(subjects[2].seed, 31));
    for (const c of r.body.candidates) await s.call('POST', `/v1/cases/${r.body.caseId}/decisions`, { key: k.examiner, body: { candidate: c.handle, outcome: 'rejected' } });
    const closed = await s.call('POST', `/v1/cases/${r.body.caseId}/close`, { key: k.examiner });
    expect(closed.status, closed.text).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  it('describes the new and changed routes with every status and an example', async () => {
    const doc = (await s.call('GET', '/docs/json')).body;
    for (const [path, method] of [['/v1/hits', 'get'], ['/v1/hits/{handle}', 'get'], ['/v1/hits/{handle}/disclose', 'post'], ['/v1/hits/{handle}/decline', 'post'],
      ['/v1/checks', 'post'], ['/v1/checks/{id}', 'get'], ['/v1/cases/{id}', 'get'], ['/v1/cases/{id}/close', 'post']]) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.description, `${method} ${path}`).toBeTruthy();
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '404']));
      expect(JSON.stringify(op.responses['200'])).toContain('example');
    }
    expect(JSON.stringify(doc.paths['/v1/checks'].post.requestBody)).toContain('investigative');
  });
});

describe('audit of refusals', () => {
  it('401 under a named key, 403, 404 on another agency\'s resource, 429: each on record with status and code', async () => {
    const revoked = await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: 'NO' } });
    await s.call('DELETE', `/v1/keys/${revoked.body.id}`, { key: ADMIN_KEY });
    expect((await s.call('GET', '/v1/hits', { key: revoked.body.key })).status).toBe(401);
    const wrongSecret = `${(k.kiosk as string).slice(0, 17)}${'x'.repeat(43)}`;
    expect((await s.call('GET', '/v1/hits', { key: wrongSecret })).status).toBe(401);
    expect((await s.call('GET', '/v1/audit', { key: k.kiosk })).status).toBe(403);
    const theirs = await fingerCheck(k.other, probeOf(subjects[0].seed, 41));
    expect((await s.call('GET', `/v1/cases/${theirs.body.caseId}`, { key: k.examiner })).status).toBe(404);
    const refused = (keyId: string) => eventually(() => auditOf(`action=request.refused&keyId=${keyId}`), (e) => e.length > 0);
    expect((await refused(revoked.body.id))[0].details).toMatchObject({ status: 401, code: 'UNAUTHORIZED', route: '/v1/hits' });
    const kiosk = await eventually(() => auditOf(`action=request.refused&keyId=${keyIds.kiosk}`), (e) => e.some((x) => x.details.status === 401) && e.some((x) => x.details.status === 403));
    expect(kiosk.map((e) => e.details)).toEqual(expect.arrayContaining([
      expect.objectContaining({ status: 401, code: 'UNAUTHORIZED' }), expect.objectContaining({ status: 403, code: 'FORBIDDEN', route: '/v1/audit' }),
    ]));
    expect((await refused(keyIds.examiner)).map((e) => e.details)).toEqual(expect.arrayContaining([
      expect.objectContaining({ status: 404, code: 'CASE_NOT_FOUND', route: '/v1/cases/:id', path: `/v1/cases/${theirs.body.caseId}` }),
    ]));
    // A burst: one entry at once, the repeats as one count when the minute is over (at shutdown at the latest).
    const burst = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: 'NO' } })).body;
    let limited = 0;
    for (let i = 0; i < 260; i++) if ((await s.call('GET', '/v1/audit', { key: burst.key })).status === 429) limited++;
    expect(limited).toBeGreaterThan(10);
    const entries = await eventually(() => auditOf(`keyId=${burst.id}`), (e) => e.length >= 2);
    expect(entries.filter((e) => e.action === 'request.refused').map((e) => e.details.status).sort()).toEqual([403, 429]);
    expect(entries.length).toBeLessThanOrEqual(4);
  });
  it('aggregates repeats per key, kind and minute, in bounded memory', () => {
    const written: AuditEntry[] = [];
    const agg = new RefusalAggregator(async (e) => { written.push(e); }, 60_000, 3);
    const r = (keyId: string, status = 404) => ({ who: { keyId, role: 'kiosk' as const, agency: 'NO' }, status, code: 'NOT_FOUND', method: 'GET', route: '/v1/x/:id', path: '/v1/x/1', requestId: 'r' });
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    expect(agg.record(r('a'), t0)).toMatchObject({ action: 'request.refused', keyId: 'a', details: { status: 404, code: 'NOT_FOUND' } });
    for (let i = 0; i < 1000; i++) expect(agg.record(r('a'), t0 + i)).toBeNull();
    expect(agg.record(r('a', 403), t0)).not.toBeNull();
    expect(agg.record(r('b'), t0)).not.toBeNull();
    expect(agg.record(r('c'), t0)).toBeNull(); // over the bound: counted in the overflow aggregate
    expect(agg.record(r('d'), t0)).toBeNull();
    expect(agg.drain(t0 + 59_000)).toEqual([]);
    const out = agg.drain(t0 + 60_000);
    expect(out).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'request.refused.repeats', keyId: 'a', details: expect.objectContaining({ repeats: 1000 }) }),
      expect.objectContaining({ action: 'request.refused.repeats', keyId: null, details: expect.objectContaining({ repeats: 2, overflow: true }) }),
    ]));
    expect(out).toHaveLength(2);
    expect(agg.record(r('a'), t0 + 60_000)).not.toBeNull(); // a new minute
  });
  it('the audit chain verifies', async () => {
    const v = await s.call('GET', '/v1/audit/verify', { key: ADMIN_KEY });
    expect(v.body).toMatchObject({ ok: true });
    expect(v.body.entries).toBeGreaterThan(20);
  });
});

describe('probe retention', () => {
  it('deletes probes past retention, not while the case is pending or a hit awaits its owner; the poll then says so', async () => {
    const { purgeExpiredProbes } = await import('../src/cases/retention.ts');
    const closed = await fingerCheck(k.kiosk, probeOf(subjects[3].seed, 51));
    for (const c of closed.body.candidates) await s.call('POST', `/v1/cases/${closed.body.caseId}/decisions`, { key: k.examiner, body: { candidate: c.handle, outcome: 'rejected' } });
    expect((await s.call('POST', `/v1/cases/${closed.body.caseId}/close`, { key: k.examiner })).status).toBe(200);
    const pending = await fingerCheck(k.kiosk, probeOf(subjects[4].seed, 52));
    // A hit on SE's list whose case NO closed but SE has not decided yet.
    const awaiting = await fingerCheck(k.kiosk, probeOf(subjects[5].seed, 53));
    for (const c of awaiting.body.candidates) await s.call('POST', `/v1/cases/${awaiting.body.caseId}/decisions`, { key: k.examiner, body: { candidate: c.handle, outcome: 'rejected' } });
    expect((await s.call('POST', `/v1/cases/${awaiting.body.caseId}/close`, { key: k.examiner })).status).toBe(200);
    const ids = [closed.body.checkId, pending.body.checkId, awaiting.body.checkId];
    await s.ctx.db.query("UPDATE checks SET created_at = now() - interval '100 days' WHERE id = ANY($1::uuid[])", [ids]);
    expect(await purgeExpiredProbes(s.ctx.db, 90)).toBeGreaterThanOrEqual(1);
    const kept = async (id: string) => (await s.call('GET', `/v1/checks/${id}`, { key: k.kiosk })).body.probeKept;
    expect(await kept(closed.body.checkId)).toBe(false);
    expect(await kept(pending.body.checkId)).toBe(true);
    expect(await kept(awaiting.body.checkId)).toBe(true);
    const purge = await auditOf('action=probe.purge');
    expect(purge[0].details).toMatchObject({ retentionDays: 90 });
  });
});
