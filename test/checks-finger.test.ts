// End to end through HTTP with fingerprints: enrolment, 1:N checks across watchlists, hit/no-hit
// disclosure, the examiner flow, 1:1 verification, deletion, and the audit chain.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModules } from '../src/modules.ts';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let s: TestService;
const k: Record<string, string> = {};
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
/** Subject i has fingers at positions 2 and 7, synthesised from seeds 1000+i*10+pos. */
const finger = (i: number, pos: number) => synthFinger(1000 + i * 10 + pos);
const probe = (i: number, pos: number, seed: number) => b64(isoRecord(impression(finger(i, pos), seed, { rotDeg: 12, dx: 8, dy: -6, drop: 0.15, spurious: 3 }), pos));
const subjects: { id: string; watchlist: string; name: string }[] = [];

async function key(role: string, agency: string) {
  const r = await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role, agency } });
  return r.body.key as string;
}

beforeAll(async () => {
  s = await startService({ modules: await defaultModules() });
  k.enrollerFR = await key('enroller', 'FR');
  k.enrollerDE = await key('enroller', 'DE');
  k.kioskIT = await key('kiosk', 'IT');
  k.examinerIT = await key('examiner', 'IT');
  k.examinerIT2 = await key('examiner', 'IT');
  k.examinerDE = await key('examiner', 'DE');
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'fr-wanted', name: 'FR wanted', agency: 'FR', disclosure: 'full' } });
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'de-sensitive', name: 'DE sensitive', agency: 'DE', disclosure: 'hit-no-hit' } });
  for (let i = 0; i < 12; i++) {
    const fr = i % 2 === 0;
    const name = `Person ${i}`;
    const c = await s.call('POST', '/v1/subjects', { key: fr ? k.enrollerFR : k.enrollerDE, body: { watchlist: fr ? 'fr-wanted' : 'de-sensitive', reference: `REF-${i}`, name } });
    expect(c.status).toBe(201);
    subjects.push({ id: c.body.id, watchlist: fr ? 'fr-wanted' : 'de-sensitive', name });
    for (const pos of [2, 7]) {
      const e = await s.call('POST', `/v1/subjects/${c.body.id}/fingerprints`, {
        key: fr ? k.enrollerFR : k.enrollerDE, body: { template: b64(isoRecord(impression(finger(i, pos), 1, { drop: 0.05 }), pos)), position: pos },
      });
      expect(e.status).toBe(201);
      expect(e.body.sampleIds).toHaveLength(1);
      expect(e.body.minutiae[0]).toBeGreaterThan(30);
    }
  }
}, 120_000);
afterAll(async () => { await s?.close(); });

describe('fingerprint enrolment', () => {
  it('takes the raw record as application/octet-stream', async () => {
    const c = await s.call('POST', '/v1/subjects', { key: k.enrollerFR, body: { watchlist: 'fr-wanted', name: 'Raw Body' } });
    const r = await s.call('POST', `/v1/subjects/${c.body.id}/fingerprints`, { key: k.enrollerFR, raw: Buffer.from(isoRecord(synthFinger(5), 3)), headers: { 'content-type': 'application/octet-stream' } });
    expect(r.status).toBe(201);
    expect(r.body.positions).toEqual([3]);
  });
  it('rejects garbage and truncated records with a template error code', async () => {
    const c = subjects[0];
    const good = isoRecord(synthFinger(7), 1);
    for (const raw of [Buffer.from('not a template at all'), Buffer.from(good.subarray(0, good.length - 3))]) {
      const r = await s.call('POST', `/v1/subjects/${c.id}/fingerprints`, { key: k.enrollerFR, raw, headers: { 'content-type': 'application/octet-stream' } });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toMatch(/^TEMPLATE_/);
    }
    const bad64 = await s.call('POST', `/v1/subjects/${c.id}/fingerprints`, { key: k.enrollerFR, body: { template: '@@@not base64@@@' } });
    expect(bad64.status).toBe(400);
  });
  it('refuses another agency\'s enroller', async () => {
    const r = await s.call('POST', `/v1/subjects/${subjects[0].id}/fingerprints`, { key: k.enrollerDE, body: { template: b64(isoRecord(synthFinger(8), 1)) } });
    expect(r.status).toBe(403);
  });
});

describe('fingerprint checks', () => {
  it('finds the right subject across watchlists, ranked first, with a calibrated score', async () => {
    const r = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(4, 2, 77), position: 2 }] } });
    expect(r.status).toBe(200);
    expect(r.body.decision).toBe('hit');
    expect(r.body.candidates[0]).toMatchObject({ subjectId: subjects[4].id, watchlist: 'fr-wanted', reference: 'REF-4', name: 'Person 4' });
    expect(r.body.candidates[0].score).toBeGreaterThan(4);
    expect(r.body.candidates[0].scores.finger).toBeGreaterThan(4);
    for (let i = 1; i < r.body.candidates.length; i++) expect(r.body.candidates[i - 1].score).toBeGreaterThanOrEqual(r.body.candidates[i].score);
    expect(r.body.caseId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.timingsMs.total).toBeGreaterThan(0);
  });
  it('two fingers of one subject fuse to a higher score than one', async () => {
    const one = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(6, 2, 5), position: 2 }] } });
    const two = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(6, 2, 5), position: 2 }, { template: probe(6, 7, 6), position: 7 }] } });
    expect(two.body.candidates[0].subjectId).toBe(subjects[6].id);
    expect(two.body.candidates[0].score).toBeGreaterThanOrEqual(one.body.candidates[0].score);
  });
  it('a face that cannot be used does not cost the fingers: the check goes on and says why', async () => {
    const noFace = Buffer.from(await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 120, b: 60 } } }).jpeg().toBuffer()).toString('base64');
    const r = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { face: noFace, fingerprints: [{ template: probe(4, 2, 31), position: 2 }] } });
    expect(r.status).toBe(200);
    expect(r.body.candidates[0].subjectId).toBe(subjects[4].id);
    expect(r.body.warnings).toEqual([expect.objectContaining({ modality: 'face', code: 'FACE_NOT_FOUND' })]);
    const alone = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { face: noFace } });
    expect(alone.status).toBe(422);
    expect(alone.body.error.code).toBe('FACE_NOT_FOUND');
  });
  it('an unknown finger is a no-hit and leaves no probe behind', async () => {
    const r = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: b64(isoRecord(synthFinger(424242), 2)), position: 2 }] } });
    expect(r.status).toBe(200);
    expect(r.body.decision).toBe('no-hit');
    expect(r.body.caseId).toBeNull();
    const probes = await s.ctx.db.query('SELECT 1 FROM check_probes WHERE check_id = $1', [r.body.checkId]);
    expect(probes.rowCount).toBe(0);
  });
  it('honours the watchlist filter and the limit', async () => {
    const r = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(5, 2, 8) }], watchlists: ['fr-wanted'], limit: 3 } });
    expect(r.body.candidates.length).toBeLessThanOrEqual(3);
    for (const c of r.body.candidates) expect(c.watchlist).toBe('fr-wanted');
    expect(r.body.candidates.some((c: { subjectId: string }) => c.subjectId === subjects[5].id)).toBe(false);
    const unknown = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(5, 2, 8) }], watchlists: ['nope'] } });
    expect(unknown.status).toBe(404);
  });
  it('withholds a hit/no-hit identity from another agency until the owner discloses it', async () => {
    const r = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(3, 7, 9), position: 7 }] } });
    expect(r.body.decision).toBe('hit');
    const top = r.body.candidates[0];
    expect(top).toMatchObject({ subjectId: null, reference: null, name: null, watchlist: 'de-sensitive', agency: 'DE', disclosure: 'pending' });
    expect(top.handle).toMatch(/^h_/);
    for (const withheld of [subjects[3].id, 'REF-3', 'Person 3']) {
      expect(r.text).not.toContain(withheld);
      expect(JSON.stringify(r.headers)).not.toContain(withheld);
    }
    const kase = await s.call('GET', `/v1/cases/${r.body.caseId}`, { key: k.examinerIT });
    expect(kase.status).toBe(200);
    expect(kase.text).not.toContain(subjects[3].id);
    expect(kase.text).not.toContain('Person 3');
    expect(kase.body.candidates[0].matched).toEqual([]);
    // The owner sees the hit, and discloses it.
    const hits = await s.call('GET', '/v1/hits?status=pending', { key: k.examinerDE });
    const mine = hits.body.hits.find((h: { handle: string }) => h.handle === top.handle);
    expect(mine).toMatchObject({ subjectId: subjects[3].id, name: 'Person 3', requestingAgency: 'IT' });
    expect((await s.call('POST', `/v1/hits/${top.handle}/disclose`, { key: k.examinerIT, body: {} })).status).toBe(404);
    expect((await s.call('POST', `/v1/hits/${top.handle}/disclose`, { key: k.examinerDE, body: { note: 'cleared for IT' } })).status).toBe(200);
    const after = await s.call('GET', `/v1/cases/${r.body.caseId}`, { key: k.examinerIT });
    expect(after.body.candidates[0]).toMatchObject({ subjectId: subjects[3].id, name: 'Person 3', disclosure: 'disclosed' });
    expect(after.body.candidates[0].matched.length).toBeGreaterThan(0);
    const audit = await s.call('GET', `/v1/audit?action=hit.disclose`, { key: ADMIN_KEY });
    expect(audit.body.entries[0]).toMatchObject({ agency: 'DE', target: top.handle });
  });
  it('a deleted subject is never returned again', async () => {
    const victim = subjects[10];
    expect((await s.call('DELETE', `/v1/subjects/${victim.id}`, { key: k.enrollerFR })).status).toBe(204);
    const r = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(10, 2, 11), position: 2 }] } });
    expect(r.body.candidates.some((c: { subjectId: string }) => c.subjectId === victim.id)).toBe(false);
    expect(r.body.decision).not.toBe('hit');
    const samples = await s.ctx.db.query('SELECT 1 FROM samples WHERE subject_id = $1', [victim.id]);
    expect(samples.rowCount).toBe(0);
  });
});

describe('examiner flow', () => {
  it('lists, opens, decides (concurrently, without lost updates) and closes; the kiosk polls the outcome', async () => {
    const r = await s.call('POST', '/v1/checks', { key: k.kioskIT, body: { fingerprints: [{ template: probe(8, 2, 12), position: 2 }] } });
    const caseId = r.body.caseId;
    const list = await s.call('GET', '/v1/cases?status=pending', { key: k.examinerIT });
    expect(list.body.cases.map((c: { id: string }) => c.id)).toContain(caseId);
    expect((await s.call('GET', '/v1/cases?status=pending', { key: k.examinerDE })).body.cases.map((c: { id: string }) => c.id)).not.toContain(caseId);
    const kase = await s.call('GET', `/v1/cases/${caseId}`, { key: k.examinerIT });
    expect(kase.body.probe[0]).toMatchObject({ modality: 'finger', position: 2 });
    const [c1, c2] = kase.body.candidates;
    expect(c1.subjectId).toBe(subjects[8].id);
    const both = await Promise.all([
      s.call('POST', `/v1/cases/${caseId}/decisions`, { key: k.examinerIT, body: { candidate: c1.handle, outcome: 'confirmed', note: 'same finger' } }),
      // A check lists hits and reviews only: with no second candidate, both examiners decide the first.
      s.call('POST', `/v1/cases/${caseId}/decisions`, { key: k.examinerIT2, body: { candidate: c2?.handle ?? c1.handle, outcome: c2 ? 'rejected' : 'confirmed' } }),
    ]);
    expect(both.map((x) => x.status)).toEqual([201, 201]);
    expect(new Set(both.map((x) => x.body.version))).toEqual(new Set([1, 2]));
    const decided = await s.call('GET', `/v1/cases/${caseId}`, { key: k.examinerIT });
    expect(decided.body.decisions).toHaveLength(2);
    for (const c of kase.body.candidates.slice(2)) await s.call('POST', `/v1/cases/${caseId}/decisions`, { key: k.examinerIT, body: { candidate: c.handle, outcome: 'rejected' } });
    const closed = await s.call('POST', `/v1/cases/${caseId}/close`, { key: k.examinerIT, body: {} });
    expect(closed.status).toBe(200);
    expect(closed.body.outcome).toBe('confirmed');
    const poll = await s.call('GET', `/v1/checks/${r.body.checkId}`, { key: k.kioskIT });
    expect(poll.body.review).toMatchObject({ status: 'closed' });
    expect((await s.call('POST', `/v1/cases/${caseId}/decisions`, { key: k.examinerIT, body: { candidate: c1.handle, outcome: 'rejected' } })).body.error.code).toBe('CASE_CLOSED');
    expect((await s.call('GET', `/v1/checks/${r.body.checkId}`, { key: k.examinerDE })).status).toBe(404);
  });
});

describe('fingerprint verification', () => {
  it('matches two impressions of one finger and not of two', async () => {
    const same = await s.call('POST', '/v1/verifications', { key: k.kioskIT, body: { fingerprint: { template: probe(1, 2, 20) }, against: { fingerprint: { template: probe(1, 2, 21) } } } });
    expect(same.status).toBe(200);
    expect(same.body.match).toBe(true);
    expect(same.body.score).toBeGreaterThan(same.body.threshold);
    const diff = await s.call('POST', '/v1/verifications', { key: k.kioskIT, body: { fingerprint: { template: probe(1, 2, 20) }, against: { fingerprint: { template: probe(2, 2, 21) } } } });
    expect(diff.body.match).toBe(false);
    const mixed = await s.call('POST', '/v1/verifications', { key: k.kioskIT, body: { fingerprint: { template: probe(1, 2, 20) }, against: { face: 'aGVsbG8=' } } });
    expect(mixed.status).toBe(400);
  });
});

describe('audit chain', () => {
  it('verifies, and detects an edited row', async () => {
    const ok = await s.call('GET', '/v1/audit/verify', { key: ADMIN_KEY });
    expect(ok.body).toMatchObject({ ok: true });
    expect(ok.body.entries).toBeGreaterThan(20);
    const victim = await s.ctx.db.query<{ id: string }>("SELECT id FROM audit_log WHERE action = 'check.run' ORDER BY id LIMIT 1");
    // Tampering needs the append-only trigger off: what an attacker with database access would do.
    await s.ctx.db.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await s.ctx.db.query(`UPDATE audit_log SET details = jsonb_set(details, '{decision}', '"no-hit"') WHERE id = $1`, [victim.rows[0].id]);
    await s.ctx.db.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const bad = await s.call('GET', '/v1/audit/verify', { key: ADMIN_KEY });
    expect(bad.body).toMatchObject({ ok: false, firstBadId: Number(victim.rows[0].id) });
  });
});
