// Connections through HTTP: links appear on their own after enrolment, across watchlists and agencies; clusters;
// decisions (a rejected link stays closed through a full pass); deletion removes links; no leak across agencies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionsModule } from '../src/connections/module.ts';
import type { Modalities } from '../src/fusion/modalities.ts';
import { biometricRoutesModule, fingerModule } from '../src/modules.ts';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let s: TestService;
const k: Record<string, string> = {};
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
/** Person p's finger at a position; each enrolment of p is another impression (seed), as from another capture. */
const finger = (p: number, pos: number) => synthFinger(5000 + p * 10 + pos);
const ids: Record<string, string> = {};

async function key(role: string, agency: string) {
  return (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role, agency } })).body.key as string;
}

/** Enrols person p as a new subject of a watchlist, with two fingers from impression `seed`. */
async function enrol(label: string, p: number, watchlist: string, enroller: string, seed: number) {
  const c = await s.call('POST', '/v1/subjects', { key: enroller, body: { watchlist, reference: label, name: `Name of ${label}` } });
  expect(c.status).toBe(201);
  ids[label] = c.body.id;
  for (const pos of [2, 7]) {
    const t = isoRecord(impression(finger(p, pos), seed, { rotDeg: seed * 3, dx: seed, dy: -seed, drop: 0.1, spurious: 2 }), pos);
    expect((await s.call('POST', `/v1/subjects/${c.body.id}/fingerprints`, { key: enroller, body: { template: b64(t), position: pos } })).status).toBe(201);
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const list = async (key: string, query = '') => {
  const r = await s.call('GET', `/v1/connections${query}`, { key });
  expect(r.status).toBe(200);
  return r.body.connections as { id: string; subjects: { subjectId: string | null; handle: string; watchlist: string; agency: string; name: string | null }[]; score: number; scores: { finger?: number }; level: string; status: string; clusterId: string | null }[];
};
const refsOf = (c: { subjects: { subjectId: string | null }[] }) => c.subjects.map((x) => Object.entries(ids).find(([, v]) => v === x.subjectId)?.[0] ?? null).sort();

beforeAll(async () => {
  const mods: Modalities = {};
  s = await startService({ modules: [biometricRoutesModule(mods), fingerModule(mods), connectionsModule(mods)] });
  k.enrFR = await key('enroller', 'FR');
  k.enrDE = await key('enroller', 'DE');
  k.enrIT = await key('enroller', 'IT');
  k.exIT = await key('examiner', 'IT');
  k.exDE = await key('examiner', 'DE');
  k.exFR = await key('examiner', 'FR');
  k.kiosk = await key('kiosk', 'IT');
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'fr-wanted', name: 'FR wanted', agency: 'FR', disclosure: 'full' } });
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'it-wanted', name: 'IT wanted', agency: 'IT', disclosure: 'full' } });
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'de-sensitive', name: 'DE sensitive', agency: 'DE', disclosure: 'hit-no-hit' } });
  // Person 1: in FR's list and (under another name) in DE's hit/no-hit list. Person 2: FR and IT. Person 3: three
  // subjects (FR, IT, FR again). Person 4: twice in DE's own list. Persons 10..15: once each.
  await enrol('P1-fr', 1, 'fr-wanted', k.enrFR, 1);
  await enrol('P1-de', 1, 'de-sensitive', k.enrDE, 2);
  await enrol('P2-fr', 2, 'fr-wanted', k.enrFR, 1);
  await enrol('P2-it', 2, 'it-wanted', k.enrIT, 3);
  await enrol('P3-fr', 3, 'fr-wanted', k.enrFR, 1);
  await enrol('P3-it', 3, 'it-wanted', k.enrIT, 2);
  await enrol('P3-fr2', 3, 'fr-wanted', k.enrFR, 3);
  await enrol('P4-de', 4, 'de-sensitive', k.enrDE, 1);
  await enrol('P4-de2', 4, 'de-sensitive', k.enrDE, 2);
  for (let p = 10; p < 16; p++) await enrol(`D${p}`, p, p % 2 ? 'fr-wanted' : 'it-wanted', p % 2 ? k.enrFR : k.enrIT, 1);
}, 120_000);
afterAll(async () => { await s?.close(); });

const EXPECTED = [['P1-de', 'P1-fr'], ['P2-fr', 'P2-it'], ['P3-fr', 'P3-fr2'], ['P3-fr', 'P3-it'], ['P3-fr2', 'P3-it'], ['P4-de', 'P4-de2']].map((x) => x.join('+')).sort();

describe('links after enrolment', () => {
  it('appear on their own, for every mated pair and no other, across watchlists', async () => {
    // The DE examiner sees all of them: FR and IT lists are fully disclosed, DE's are its own.
    const got = await until('the links', async () => {
      const c = await list(k.exDE);
      return c.length >= EXPECTED.length ? c : undefined;
    });
    expect(got.map((c) => refsOf(c).join('+')).sort()).toEqual(EXPECTED);
    for (const c of got) {
      expect(c.status).toBe('pending');
      expect(['hit', 'review']).toContain(c.level);
      expect(c.scores.finger).toBeGreaterThan(4);
      expect(c.subjects[0].handle).toMatch(/^h_/);
    }
  });

  it('form clusters: the three subjects of one person share one cluster id; other persons have their own', async () => {
    const all = await list(k.exDE);
    const p3 = all.filter((c) => refsOf(c).every((r) => r?.startsWith('P3')));
    expect(p3).toHaveLength(3);
    expect(new Set(p3.map((c) => c.clusterId)).size).toBe(1);
    expect(p3[0].clusterId).not.toBeNull();
    const p2 = all.find((c) => refsOf(c).includes('P2-fr'))!;
    expect(p2.clusterId).not.toBe(p3[0].clusterId);
  });

  it('filter by status, watchlist and score', async () => {
    expect((await list(ADMIN_KEY, '?watchlist=it-wanted')).map((c) => refsOf(c).join('+')).sort())
      .toEqual(['P2-fr+P2-it', 'P3-fr+P3-it', 'P3-fr2+P3-it']);
    expect(await list(ADMIN_KEY, '?minScore=99')).toEqual([]);
    expect(await list(ADMIN_KEY, '?status=different-persons')).toEqual([]);
    expect((await s.call('GET', '/v1/connections?watchlist=nope', { key: ADMIN_KEY })).body.error.code).toBe('WATCHLIST_NOT_FOUND');
    expect((await s.call('GET', '/v1/connections?minScore=abc', { key: ADMIN_KEY })).status).toBe(400);
    expect((await s.call('GET', '/v1/connections', { key: k.kiosk })).status).toBe(403);
  });
});

describe('need to know', () => {
  it("shows another agency's hit/no-hit subject only as a handle, and hides links between two of them", async () => {
    const it = await list(k.exIT);
    expect(it.map((c) => refsOf(c).join('+')).sort()).toEqual(EXPECTED.filter((x) => !x.startsWith('P4')).map((x) => (x.startsWith('P1') ? 'P1-fr' : x)).sort()
      .map((x) => (x === 'P1-fr' ? [null, 'P1-fr'].sort().join('+') : x)));
    const p1 = it.find((c) => refsOf(c).includes('P1-fr'))!;
    const de = p1.subjects.find((x) => x.watchlist === 'de-sensitive')!;
    expect(de).toMatchObject({ subjectId: null, name: null, agency: 'DE' });
    const text = JSON.stringify(it);
    for (const withheld of ['P1-de', 'P4-de', 'P4-de2']) {
      expect(text).not.toContain(ids[withheld]);
      expect(text).not.toContain(`Name of ${withheld}`);
    }
    // The owner sees its own subject in full.
    const own = (await list(k.exDE)).find((c) => refsOf(c).includes('P1-de'))!;
    expect(own.subjects.find((x) => x.watchlist === 'de-sensitive')).toMatchObject({ subjectId: ids['P1-de'], name: 'Name of P1-de' });
    // Another agency cannot decide on a link it may not see.
    const p4 = (await list(k.exDE)).find((c) => refsOf(c).includes('P4-de'))!;
    const r = await s.call('POST', `/v1/connections/${p4.id}/decisions`, { key: k.exIT, body: { outcome: 'same-person' } });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('CONNECTION_NOT_FOUND');
  });
});

describe("the owner's disclosure of its side", () => {
  it('reaches the agency on the other side only, is final, audited, and nobody else may take it', async () => {
    const p1 = (await list(k.exDE)).find((c) => refsOf(c).includes('P1-de'))!;
    const deSide = (c: { subjects: { watchlist: string }[] }) => c.subjects.find((x) => x.watchlist === 'de-sensitive')! as Record<string, unknown>;
    const before = (await list(k.exFR)).find((c) => c.id === p1.id)!;
    expect(deSide(before)).toMatchObject({ subjectId: null, name: null, disclosure: 'pending' });
    // Not the owner: the connection does not exist for this purpose.
    for (const who of [k.exIT, k.exFR]) {
      const r = await s.call('POST', `/v1/connections/${p1.id}/disclose`, { key: who, body: {} });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('CONNECTION_NOT_FOUND');
    }
    // A link between DE's own subjects has no side withheld from the other: nothing to disclose.
    const p4 = (await list(k.exDE)).find((c) => refsOf(c).includes('P4-de'))!;
    expect((await s.call('POST', `/v1/connections/${p4.id}/disclose`, { key: k.exDE })).status).toBe(404);
    const ok = await s.call('POST', `/v1/connections/${p1.id}/disclose`, { key: k.exDE, body: { note: 'cleared for FR' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ connectionId: p1.id, agency: 'FR', status: 'disclosed', disclosed: true });
    const after = (await list(k.exFR)).find((c) => c.id === p1.id)!;
    expect(deSide(after)).toMatchObject({ subjectId: ids['P1-de'], name: 'Name of P1-de', disclosure: 'disclosed' });
    // IT, who sees the same link, still gets only the handle.
    const seenByIt = (await list(k.exIT)).find((c) => c.id === p1.id)!;
    expect(deSide(seenByIt)).toMatchObject({ subjectId: null, name: null, disclosure: 'pending' });
    expect(JSON.stringify(await list(k.exIT))).not.toContain(ids['P1-de']);
    const again = await s.call('POST', `/v1/connections/${p1.id}/decline`, { key: k.exDE });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('HIT_ALREADY_DISCLOSED');
    const audit = await s.call('GET', '/v1/audit?action=connection.disclose', { key: ADMIN_KEY });
    expect(JSON.stringify(audit.body)).toContain(p1.id);
  });
});

describe('decisions and full passes', () => {
  it('a different-persons decision is audited, leaves the cluster, and holds through a full pass', async () => {
    const p3 = (await list(ADMIN_KEY)).filter((c) => refsOf(c).every((r) => r?.startsWith('P3')));
    const target = p3.find((c) => refsOf(c).join('+') === 'P3-fr+P3-it')!;
    const d = await s.call('POST', `/v1/connections/${target.id}/decisions`, { key: k.exIT, body: { outcome: 'different-persons', note: 'twins' } });
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ connectionId: target.id, outcome: 'different-persons', status: 'different-persons', clusterId: null });
    expect((await s.call('POST', `/v1/connections/${target.id}/decisions`, { key: k.exIT, body: { outcome: 'maybe' } })).status).toBe(400);
    const audit = await s.call('GET', '/v1/audit?action=connection.decide', { key: ADMIN_KEY });
    expect(audit.body.entries[0]).toMatchObject({ agency: 'IT', target: target.id });

    const started = await s.call('POST', '/v1/connections/scan', { key: ADMIN_KEY });
    expect(started.status).toBe(202);
    expect((await s.call('POST', '/v1/connections/scan', { key: k.exIT })).status).toBe(403);
    const done = await until('the pass', async () => {
      const r = await s.call('GET', `/v1/connections/scan/${started.body.jobId}`, { key: ADMIN_KEY });
      return r.body.status === 'done' ? r.body : undefined;
    });
    expect(done.total).toBe(Object.keys(ids).length * 2);
    expect(done.done).toBe(done.total);
    const after = await list(ADMIN_KEY);
    expect(after.find((c) => c.id === target.id)).toMatchObject({ status: 'different-persons', clusterId: null });
    // The other two P3 links still merge all three subjects through P3-fr2.
    const rest = after.filter((c) => refsOf(c).every((r) => r?.startsWith('P3')) && c.id !== target.id);
    expect(rest).toHaveLength(2);
    expect(new Set(rest.map((c) => c.clusterId)).size).toBe(1);
    expect((await s.call('GET', '/v1/connections/scan/00000000-0000-0000-0000-000000000000', { key: ADMIN_KEY })).body.error.code).toBe('SCAN_NOT_FOUND');
    const metrics = await s.call('GET', '/metrics', { key: ADMIN_KEY });
    expect(metrics.text).toMatch(/biocheck_connections_searched_total \d+/);
  });

  it('a pass can be cancelled', async () => {
    const started = await s.call('POST', '/v1/connections/scan', { key: ADMIN_KEY });
    const c = await s.call('POST', `/v1/connections/scan/${started.body.jobId}/cancel`, { key: ADMIN_KEY });
    expect(c.status).toBe(200);
    // Cancelled before the worker got to it, or done already: never left running.
    expect(['cancelled', 'done']).toContain(c.body.status);
    const again = await s.call('POST', '/v1/connections/scan', { key: ADMIN_KEY });
    expect(again.status).toBe(202);
    await until('the second pass', async () => ((await s.call('GET', `/v1/connections/scan/${again.body.jobId}`, { key: ADMIN_KEY })).body.status === 'done' ? true : undefined));
  });
});

describe('deletion', () => {
  it('deleting a subject removes its links and splits its cluster', async () => {
    expect((await s.call('DELETE', `/v1/subjects/${ids['P3-fr2']}`, { key: k.enrFR })).status).toBe(204);
    expect((await s.call('DELETE', `/v1/subjects/${ids['P1-de']}`, { key: k.enrDE })).status).toBe(204);
    const after = await list(ADMIN_KEY);
    const text = JSON.stringify(after);
    expect(text).not.toContain(ids['P3-fr2']);
    expect(after.some((c) => refsOf(c).includes('P1-fr'))).toBe(false);
    // What is left of person 3 is the rejected link, in no cluster.
    const p3 = after.filter((c) => refsOf(c).some((r) => r?.startsWith('P3')));
    expect(p3).toHaveLength(1);
    expect(p3[0]).toMatchObject({ status: 'different-persons', clusterId: null });
  });
});

describe('a sample that cannot be searched', () => {
  it('is dropped from the queue alone; the search goes on for the others', async () => {
    // A finger sample whose stored template is not the matcher's (written around the API): its search throws.
    const sub = await s.call('POST', '/v1/subjects', { key: k.enrFR, body: { watchlist: 'fr-wanted', reference: 'broken' } });
    const extractor = (await s.ctx.db.query<{ extractor: string }>("SELECT extractor FROM samples WHERE modality = 'finger' LIMIT 1")).rows[0].extractor;
    await s.ctx.db.query(
      `INSERT INTO samples (subject_id, watchlist, modality, position, template, extractor, source_format) VALUES ($1, 'fr-wanted', 'finger', 2, $2, $3, 'test')`,
      [sub.body.id, Buffer.from('not a matcher template'), extractor]);
    await enrol('P5-fr', 5, 'fr-wanted', k.enrFR, 1);
    await enrol('P5-it', 5, 'it-wanted', k.enrIT, 2);
    await until('the queue to drain', async () => {
      const r = await s.ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM connection_work');
      return Number(r.rows[0].n) === 0 ? true : undefined;
    });
    expect((await list(ADMIN_KEY)).some((c) => refsOf(c).join('+') === 'P5-fr+P5-it')).toBe(true);
  });
});
