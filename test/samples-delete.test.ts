// Per-sample deletion through HTTP: DELETE /v1/subjects/{id}/faces/{sampleId} and .../fingerprints/{sampleId}
// remove one wrong photo or template, keep the subject and its other samples, are audited, and stay
// deleted across a restart, including one whose face index snapshot still holds the sample.
import { copyFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModules } from '../src/modules.ts';
import { faceFixture, probeVariant } from './lib/faces.ts';
import { impression, isoRecord, synthFinger } from './lib/fingers.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let s: TestService;
const k: Record<string, string> = {};
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
// The demo photos are casual group shots: enrolment's pose limits are relaxed for them.
const RELAXED = JSON.stringify({ enrol: { maxYawDeg: 45, maxPitchDeg: 35, maxRollDeg: 25, minExposureMean: 50 } });
/** Face fixtures: the subject's own photo, and a wrong photo (someone else) enrolled on it by mistake. */
const OWN = 0, WRONG = 8;
const fingerOf = (pos: number) => synthFinger(5000 + pos);
const fingerProbe = (pos: number) => b64(isoRecord(impression(fingerOf(pos), 7, { rotDeg: 10, dx: 6, dy: -4, drop: 0.1, spurious: 2 }), pos));
let subject = '';
let other = '';
const faceSample: Record<'own' | 'wrong', string> = { own: '', wrong: '' };
const fingerSample: Record<number, string> = {};
const probes: Record<'own' | 'wrong', string> = { own: '', wrong: '' };

const checkFace = (face: string) => s.call('POST', '/v1/checks', { key: k.kiosk, body: { face } });
const checkFinger = (pos: number) => s.call('POST', '/v1/checks', { key: k.kiosk, body: { fingerprints: [{ template: fingerProbe(pos), position: pos }] } });
/** The subject is a candidate worth an examiner's look (hit or review), not just the nearest of a tiny gallery. */
const found = (r: { body: { candidates: { subjectId: string; level?: string }[] } }) =>
  r.body.candidates.some((c) => c.subjectId === subject && c.level !== 'none');

beforeAll(async () => {
  process.env.BIOCHECK_FACE_QUALITY = RELAXED;
  s = await startService({ modules: await defaultModules() });
  k.enroller = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'enroller', agency: 'FR' } })).body.key;
  k.enrollerDE = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'enroller', agency: 'DE' } })).body.key;
  k.kiosk = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: 'PT' } })).body.key;
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'fr-wanted', name: 'FR wanted', agency: 'FR', disclosure: 'full' } });
  subject = (await s.call('POST', '/v1/subjects', { key: k.enroller, body: { watchlist: 'fr-wanted', name: 'Has a wrong photo' } })).body.id;
  other = (await s.call('POST', '/v1/subjects', { key: k.enroller, body: { watchlist: 'fr-wanted', name: 'Someone else' } })).body.id;
  for (const [which, fixture] of [['own', OWN], ['wrong', WRONG]] as const) {
    const crop = await faceFixture(fixture);
    const e = await s.call('POST', `/v1/subjects/${subject}/faces`, { key: k.enroller, raw: crop, headers: { 'content-type': 'image/jpeg' } });
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    faceSample[which] = e.body.sampleId;
    probes[which] = b64(await probeVariant(crop, { scale: 0.7, quality: 60 }));
  }
  for (const pos of [2, 7]) {
    const e = await s.call('POST', `/v1/subjects/${subject}/fingerprints`, { key: k.enroller, body: { template: b64(isoRecord(impression(fingerOf(pos), 1, { drop: 0.05 }), pos)), position: pos } });
    expect(e.status).toBe(201);
    fingerSample[pos] = e.body.sampleIds[0];
  }
  // Both faces and both fingers find the subject before any deletion.
  for (const p of [probes.own, probes.wrong]) expect(found(await checkFace(p))).toBe(true);
  for (const pos of [2, 7]) expect(found(await checkFinger(pos))).toBe(true);
}, 300_000);
afterAll(async () => { await s?.close(); delete process.env.BIOCHECK_FACE_QUALITY; });

describe('per-sample deletion', () => {
  it('refuses what is not the caller\'s to delete, and unknown samples, without deleting anything', async () => {
    const del = (key: string, url: string) => s.call('DELETE', url, { key });
    const face = `/v1/subjects/${subject}/faces/${faceSample.wrong}`;
    expect((await del(k.kiosk, face)).status).toBe(403);
    expect((await del(k.enrollerDE, face)).status).toBe(403);
    // Another subject's sample, a finger sample under /faces, an unknown id and a non-number are not found.
    for (const url of [`/v1/subjects/${other}/faces/${faceSample.wrong}`, `/v1/subjects/${subject}/faces/${fingerSample[7]}`,
      `/v1/subjects/${subject}/fingerprints/${faceSample.wrong}`, `/v1/subjects/${subject}/faces/999999999`, `/v1/subjects/${subject}/faces/abc`]) {
      const r = await del(k.enroller, url);
      expect(r.status, url).toBe(404);
      expect(r.body.error.code, url).toBe('SAMPLE_NOT_FOUND');
    }
    expect((await del(k.enroller, '/v1/subjects/00000000-0000-4000-8000-000000000000/faces/1')).body.error.code).toBe('SUBJECT_NOT_FOUND');
    expect((await s.call('GET', `/v1/subjects/${subject}`, { key: k.enroller })).body.samples).toEqual({ face: 2, finger: 2 });
  });

  it('deletes one face and one finger sample: gone from checks at once, the rest still found, audited', async () => {
    expect((await s.call('DELETE', `/v1/subjects/${subject}/faces/${faceSample.wrong}`, { key: k.enroller })).status).toBe(204);
    expect((await s.call('DELETE', `/v1/subjects/${subject}/fingerprints/${fingerSample[7]}`, { key: k.enroller })).status).toBe(204);
    expect(found(await checkFace(probes.wrong))).toBe(false);
    expect(found(await checkFinger(7))).toBe(false);
    expect(found(await checkFace(probes.own))).toBe(true);
    expect(found(await checkFinger(2))).toBe(true);
    expect((await s.call('GET', `/v1/subjects/${subject}`, { key: k.enroller })).body.samples).toEqual({ face: 1, finger: 1 });
    // A second deletion of the same sample finds nothing.
    expect((await s.call('DELETE', `/v1/subjects/${subject}/faces/${faceSample.wrong}`, { key: k.enroller })).status).toBe(404);
    const audit = await s.call('GET', '/v1/audit?action=sample.delete', { key: ADMIN_KEY });
    const details = (audit.body.entries as { target: string; details: { modality: string; sample: number } }[]).filter((e) => e.target === subject).map((e) => e.details);
    expect(details).toEqual(expect.arrayContaining([{ modality: 'face', sample: Number(faceSample.wrong) }, { modality: 'finger', sample: Number(fingerSample[7]) }]));
  });

  it('stays deleted after a restart, even from a face index snapshot taken before the deletion', async () => {
    // Keep the snapshot written at this stop, delete the subject's remaining face, then put that older
    // snapshot back: the next start must replay the deletion from PostgreSQL.
    const { url } = s;
    const { dataDir } = s.ctx.config;
    const restart = async () => { await s.close(); s = await startService({ databaseUrl: url, modules: await defaultModules(), config: { dataDir } }); };
    await restart();
    const indexDir = path.join(dataDir, 'index');
    const snap = path.join(indexDir, readdirSync(indexDir).find((f) => f.endsWith('.hnsw'))!);
    copyFileSync(snap, `${snap}.before`);
    expect(found(await checkFace(probes.own))).toBe(true);
    expect((await s.call('DELETE', `/v1/subjects/${subject}/faces/${faceSample.own}`, { key: k.enroller })).status).toBe(204);
    await s.close();
    copyFileSync(`${snap}.before`, snap);
    s = await startService({ databaseUrl: url, modules: await defaultModules(), config: { dataDir } });
    expect(found(await checkFace(probes.own))).toBe(false);
    expect(found(await checkFace(probes.wrong))).toBe(false);
    expect(found(await checkFinger(7))).toBe(false);
    expect(found(await checkFinger(2))).toBe(true);
  }, 300_000);
});
