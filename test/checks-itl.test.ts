// ANSI/NIST-ITL transactions end to end: an ITL enrolment (Type-9 INCITS 378 minutiae) followed by an
// ITL check finds the subject, answered as a Type-1 + Type-2 transaction when asked; malformed → 4xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModules } from '../src/modules.ts';
import { fieldText, parseTransaction, RESPONSE_FIELDS, splitItems } from '../src/ingest/itl/index.ts';
import { impression, synthFinger, type SynthMinutia } from './lib/fingers.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';
import { RS, US, tagged, transaction, type1 } from './itl-fixtures.ts';

const ITL = 'application/vnd.ansi-nist-itl';
let s: TestService;
let enroller: string;
let kiosk: string;

/** Type-9 with the INCITS 378 block, written field by field: 500 ppi, angles in 2-degree units. */
function type9(idc: string, position: number, ms: SynthMinutia[]): Uint8Array {
  const items = ms.map((m, i) => [i + 1, Math.round(m.x), Math.round(m.y), Math.round((m.angle * 180) / Math.PI / 2) % 180, m.type === 'ending' ? 1 : 2, 60].join(US));
  return tagged('9.001', [
    ['9.002', idc], ['9.003', '0'], ['9.004', 'U'],
    ['9.126', `27${US}513${US}0`], ['9.127', `1${US}0`], ['9.128', '300'], ['9.129', '400'],
    ['9.130', '1'], ['9.131', '500'], ['9.132', '500'], ['9.133', '0'],
    ['9.134', String(position)], ['9.135', `60${US}0${US}0`], ['9.136', String(ms.length)], ['9.137', items.join(RS)],
  ]);
}
const txn = (ms: SynthMinutia[], position = 3) => Buffer.from(transaction(type1([[9, '01']]), type9('01', position, ms)));

beforeAll(async () => {
  s = await startService({ modules: await defaultModules() });
  enroller = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'enroller', agency: 'NL' } })).body.key;
  kiosk = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: 'BE' } })).body.key;
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'nl-list', name: 'NL', agency: 'NL', disclosure: 'full' } });
}, 120_000);
afterAll(async () => { await s?.close(); });

describe('ANSI/NIST-ITL on the routes', () => {
  it('enrols from a transaction and finds the subject with a transaction, answering in ITL', async () => {
    const subj = await s.call('POST', '/v1/subjects', { key: enroller, body: { watchlist: 'nl-list', reference: 'NL-1', name: 'Itl Person' } });
    for (let i = 0; i < 5; i++) {
      const other = await s.call('POST', '/v1/subjects', { key: enroller, body: { watchlist: 'nl-list', name: `Other ${i}` } });
      await s.call('POST', `/v1/subjects/${other.body.id}/fingerprints`, { key: enroller, raw: txn(synthFinger(500 + i)), headers: { 'content-type': ITL } });
    }
    const base = synthFinger(4242);
    const e = await s.call('POST', `/v1/subjects/${subj.body.id}/fingerprints`, { key: enroller, raw: txn(impression(base, 1)), headers: { 'content-type': ITL } });
    expect(e.status).toBe(201);
    expect(e.body.positions).toEqual([3]);

    const probe = txn(impression(base, 9, { rotDeg: -10, dx: 12, drop: 0.15, spurious: 2 }));
    const json = await s.call('POST', '/v1/checks', { key: kiosk, raw: probe, headers: { 'content-type': ITL } });
    expect(json.status).toBe(200);
    expect(json.body.decision).toBe('hit');
    expect(json.body.candidates[0]).toMatchObject({ subjectId: subj.body.id, reference: 'NL-1' });

    const r = await s.call('POST', '/v1/checks', { key: kiosk, raw: probe, headers: { 'content-type': ITL, accept: ITL } });
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toContain(ITL);
    const t = parseTransaction(new Uint8Array(Buffer.from(r.text, 'latin1')));
    expect(t.records.map((x) => x.type)).toEqual([1, 2]);
    const t1 = t.records[0];
    const t2 = t.records[1];
    if (t1.kind !== 'tagged' || t2.kind !== 'tagged') throw new Error('tagged records expected');
    expect(fieldText(t1, 10)).toBe('TCN-0001'); // TCR answers the request's TCN
    expect(fieldText(t1, 7)).toBe('ORIG00001'); // sent back to the requesting ORI
    expect(fieldText(t2, RESPONSE_FIELDS.DECISION)).toBe('hit');
    const first = splitItems(fieldText(t2, RESPONSE_FIELDS.CANDIDATES)!)[0];
    expect(first[0]).toBe('1');
    expect(first[4]).toBe('NL-1');
  });
  it('answers a malformed transaction with a 4xx JSON error, and keeps serving', async () => {
    const good = txn(synthFinger(1));
    for (const bad of [good.subarray(0, good.length - 5), Buffer.from('1.001:99\x1d1.002:0500\x1c'), Buffer.from([0x1c, 0x1d, 0x1e])]) {
      const r = await s.call('POST', '/v1/checks', { key: kiosk, raw: Buffer.from(bad), headers: { 'content-type': ITL } });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.error.code).toMatch(/^ITL_/);
    }
    const noProbe = Buffer.from(transaction(type1([])));
    const np = await s.call('POST', '/v1/checks', { key: kiosk, raw: noProbe, headers: { 'content-type': ITL } });
    expect(np.status).toBe(422);
    expect((await s.call('GET', '/health')).status).toBe(200);
  });
});
