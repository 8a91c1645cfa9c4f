// Faces end to end through HTTP with the real models: enrolment with quality, 1:N checks across
// watchlists, 1:1 verification, deletion, and a restart with the index from its snapshot and from PostgreSQL.
import { rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModules } from '../src/modules.ts';
import { FACE_BOXES, faceFixture, groupPhoto, probeVariant } from './lib/faces.ts';
import { pngWithHeader } from './lib/images.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let s: TestService;
const k: Record<string, string> = {};
const b64 = (b: Buffer) => b.toString('base64');
/** Captures strict mode refuses: a face about 40 px wide, and one at 12 % brightness. */
const poorCaptures = async (crop: Buffer) => ({
  tiny: await sharp(crop).resize(60).jpeg().toBuffer(),
  dark: await sharp(crop).linear(0.12, 0).jpeg().toBuffer(),
});
const noise = () => sharp(Buffer.from(Array.from({ length: 200 * 200 * 3 }, (_, i) => (i * 7919) % 251)), { raw: { width: 200, height: 200, channels: 3 } }).png().toBuffer();
const crops: Buffer[] = [];
const ids: string[] = [];
const yaw: number[] = [];
/** The most frontal enrolled faces: degraded probes of turned heads fall below the check's pose limits. */
const frontal = (n: number) => yaw.map((y, i) => [y, i]).sort((a, b) => a[0] - b[0]).slice(0, n).map(([, i]) => i);

beforeAll(async () => {
  s = await startService({ modules: await defaultModules() });
  k.enroller = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'enroller', agency: 'FR' } })).body.key;
  k.kiosk = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: 'PT' } })).body.key;
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'faces-a', name: 'A', agency: 'FR', disclosure: 'full' } });
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'faces-b', name: 'B', agency: 'FR', disclosure: 'full' } });
  // Casual group-photo faces, turned heads included: the default policy enrols every one of them.
  for (let f = 0; f < FACE_BOXES.length; f++) {
    const crop = await faceFixture(f);
    const i = crops.length;
    const sub = await s.call('POST', '/v1/subjects', { key: k.enroller, body: { watchlist: i % 2 ? 'faces-b' : 'faces-a', name: `Face ${i}` } });
    const e = await s.call('POST', `/v1/subjects/${sub.body.id}/faces`, { key: k.enroller, raw: crop, headers: { 'content-type': 'image/jpeg' } });
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    expect(e.body.quality.faceWidthPx).toBeGreaterThan(90);
    crops.push(crop);
    ids.push(sub.body.id);
    yaw.push(Math.abs(e.body.quality.yawDeg) + Math.abs(e.body.quality.pitchDeg));
  }
}, 300_000);
afterAll(async () => { await s?.close(); });

describe('face enrolment', () => {
  it('takes JSON base64 as well as the raw image, and several samples per subject', async () => {
    const r = await s.call('POST', `/v1/subjects/${ids[0]}/faces`, { key: k.enroller, body: { image: b64(await probeVariant(crops[0], { scale: 0.9, quality: 85 })) } });
    expect(r.status).toBe(201);
    expect(r.body.sampleId).toMatch(/^\d+$/);
    const sub = await s.call('GET', `/v1/subjects/${ids[0]}`, { key: k.enroller });
    expect(sub.body.samples.face).toBe(2);
  });
  it('strict: refuses poor captures with reasons a kiosk can act on (as before, now on request)', async () => {
    const { tiny, dark } = await poorCaptures(crops[2]);
    // A group photo also misses the enrolment pose/size limits: FACE_MULTIPLE only when that is its one reason.
    const cases: [Buffer, string[], string][] = [[tiny, ['FACE_QUALITY_TOO_LOW'], 'FACE_TOO_SMALL'], [dark, ['FACE_QUALITY_TOO_LOW'], 'UNDEREXPOSED'],
      [await noise(), ['FACE_NOT_FOUND'], 'NO_FACE'], [groupPhoto(3), ['FACE_MULTIPLE', 'FACE_QUALITY_TOO_LOW'], 'MULTIPLE_FACES']];
    for (const [img, codes, reason] of cases) {
      const r = await s.call('POST', `/v1/subjects/${ids[2]}/faces?quality=strict`, { key: k.enroller, raw: img, headers: { 'content-type': 'image/jpeg' } });
      expect(r.status, reason).toBe(422);
      expect(codes).toContain(r.body.error.code);
      expect(JSON.stringify(r.body.error.details)).toContain(reason);
    }
    const json = await s.call('POST', `/v1/subjects/${ids[2]}/faces`, { key: k.enroller, body: { image: b64(tiny), quality: 'strict' } });
    expect(json.status).toBe(422);
    expect(json.body.error.details.quality.reasons.map((r: { code: string }) => r.code)).toContain('FACE_TOO_SMALL');
  });
  it('default: enrols poor captures and says what falls short; only an image without a face is refused', async () => {
    const { tiny, dark } = await poorCaptures(crops[2]);
    for (const [img, reason] of [[tiny, 'FACE_TOO_SMALL'], [dark, 'UNDEREXPOSED']] as const) {
      const r = await s.call('POST', `/v1/subjects/${ids[2]}/faces`, { key: k.enroller, raw: img, headers: { 'content-type': 'image/jpeg' } });
      expect(r.status, reason).toBe(201);
      expect(r.body.quality.reasons).toContain(reason);
      expect(r.body.quality.warnings.find((w: { code: string }) => w.code === reason).message).toMatch(/\S/);
      expect(r.body.quality.score).toBeGreaterThanOrEqual(0);
      expect(r.body.quality.score).toBeLessThan(100);
    }
    const none = await s.call('POST', `/v1/subjects/${ids[2]}/faces`, { key: k.enroller, raw: await noise(), headers: { 'content-type': 'image/png' } });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('FACE_NOT_FOUND');
  });
  it('default: several faces in view - the largest is used, with a warning', async () => {
    // A face fixture pasted large beside a smaller copy of itself: the large one must be the one used.
    const big = await sharp(crops[5]).resize(300, 300).toBuffer();
    const small = await sharp(crops[8]).resize(180, 180).toBuffer();
    const pair = await sharp({ create: { width: 560, height: 320, channels: 3, background: { r: 120, g: 120, b: 120 } } })
      .composite([{ input: big, left: 10, top: 10 }, { input: small, left: 360, top: 70 }]).jpeg({ quality: 90 }).toBuffer();
    const sub = await s.call('POST', '/v1/subjects', { key: k.enroller, body: { watchlist: 'faces-a', name: 'Two faces' } });
    const r = await s.call('POST', `/v1/subjects/${sub.body.id}/faces`, { key: k.enroller, raw: pair, headers: { 'content-type': 'image/jpeg' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.quality.faceCount).toBe(2);
    expect(r.body.quality.warnings.map((w: { code: string }) => w.code)).toContain('MULTIPLE_FACES');
    expect(r.body.quality.faceWidthPx).toBeGreaterThan(100); // the 300 px copy's face (the 180 px copy's is ~70 px)
    const v = await s.call('POST', '/v1/verifications', { key: k.kiosk, body: { face: b64(pair), against: { face: b64(crops[5]) } } });
    expect(v.body.match, JSON.stringify(v.body)).toBe(true);
    expect(v.body.quality.face.reasons).toContain('MULTIPLE_FACES');
    const strict = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { face: b64(pair), quality: 'strict' } });
    expect(strict.status).toBe(422);
    expect(strict.body.error.code).toBe('FACE_MULTIPLE');
    await s.call('DELETE', `/v1/subjects/${sub.body.id}`, { key: k.enroller });
  });
  it('a watchlist or key whose qualityPolicy is strict refuses poor captures whatever the request asks', async () => {
    const w = await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'faces-strict', name: 'Strict', agency: 'FR', disclosure: 'full', qualityPolicy: 'strict' } });
    expect(w.body.qualityPolicy).toBe('strict');
    const sub = await s.call('POST', '/v1/subjects', { key: k.enroller, body: { watchlist: 'faces-strict', name: 'Strict' } });
    const { tiny } = await poorCaptures(crops[2]);
    const r = await s.call('POST', `/v1/subjects/${sub.body.id}/faces?quality=inform`, { key: k.enroller, raw: tiny, headers: { 'content-type': 'image/jpeg' } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('FACE_QUALITY_TOO_LOW');
    const key = await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'kiosk', agency: 'PT', qualityPolicy: 'strict' } });
    expect(key.body.qualityPolicy).toBe('strict');
    const c = await s.call('POST', '/v1/checks', { key: key.body.key, body: { face: b64(tiny), quality: 'inform' } });
    expect(c.status).toBe(422);
    expect(c.body.error.details.quality.reasons.map((x: { code: string }) => x.code)).toContain('FACE_TOO_SMALL');
  });
  it('rejects what is not an image, and bombs, with image error codes', async () => {
    const r = await s.call('POST', `/v1/subjects/${ids[2]}/faces`, { key: k.enroller, raw: Buffer.from('definitely not a jpeg'), headers: { 'content-type': 'image/jpeg' } });
    expect([415, 422]).toContain(r.status);
    expect(r.body.error.code).toMatch(/^IMAGE_/);
    const bomb = await s.call('POST', `/v1/subjects/${ids[2]}/faces`, { key: k.enroller, raw: Buffer.from(pngWithHeader(100_000, 100_000)), headers: { 'content-type': 'image/png' } });
    expect(bomb.status).toBe(413);
    expect(bomb.body.error.code).toBe('IMAGE_TOO_MANY_PIXELS');
  });
});

describe('face checks', () => {
  it('finds each enrolled face from a degraded capture, ranked first', async () => {
    let hits = 0;
    for (const i of frontal(4)) {
      const probe = await probeVariant(crops[i], { scale: 0.6, rotate: 8, quality: 45, blur: 0.8 });
      const r = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { face: b64(probe) } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.candidates[0].subjectId).toBe(ids[i]);
      expect(r.body.candidates[0].scores.face).toBeGreaterThan(r.body.candidates[1]?.scores.face ?? 0);
      if (r.body.decision === 'hit') hits++;
      expect(r.body.timingsMs['face.embed']).toBeGreaterThan(0);
    }
    expect(hits).toBeGreaterThanOrEqual(3);
  });
  it('default: a small, turned, tilted face is checked and found, with its quality warnings; kiosk strict mode refuses it', async () => {
    const i = yaw.indexOf(Math.max(...yaw)); // the most turned enrolled head
    // About a third of the size (faces ~60-80 px wide, as in news photos), tilted 12°, JPEG q60.
    const probe = await probeVariant(crops[i], { scale: 0.33, rotate: 12, quality: 60 });
    const r = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { face: b64(probe) } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.candidates[0]?.subjectId).toBe(ids[i]);
    expect(r.body.quality.faceWidthPx).toBeLessThan(90);
    expect(r.body.quality.reasons.length).toBeGreaterThan(0);
    const strict = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { face: b64(await sharp(probe).resize(40).jpeg().toBuffer()), quality: 'strict' } });
    expect(strict.status).toBe(422);
    expect(strict.body.error.code).toBe('FACE_QUALITY_TOO_LOW');
    expect(strict.body.error.details.quality.reasons.map((x: { code: string }) => x.code)).toContain('FACE_TOO_SMALL');
    // The kiosk's strict check thresholds are today's: a face 40-90 px wide is still accepted at a check.
    const ok = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { face: b64(await probeVariant(crops[i], { scale: 0.8 })), quality: 'strict' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });
  it('searches only the watchlists asked for, and honours the limit', async () => {
    const probe = await probeVariant(crops[1], { scale: 0.8 });
    const r = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { face: b64(probe), watchlists: ['faces-a'], limit: 2 } });
    expect(r.body.candidates.length).toBeLessThanOrEqual(2);
    for (const c of r.body.candidates) expect(c.watchlist).toBe('faces-a');
    expect(r.body.candidates.map((c: { subjectId: string }) => c.subjectId)).not.toContain(ids[1]);
  });
  it('verifies 1:1: the same face matches, two different faces do not', async () => {
    const same = await s.call('POST', '/v1/verifications', { key: k.kiosk, body: { face: b64(await probeVariant(crops[6], { scale: 0.7, quality: 50 })), against: { face: b64(crops[6]) } } });
    expect(same.status).toBe(200);
    expect(same.body.match).toBe(true);
    expect(same.body.quality.face.score).toBeGreaterThan(0);
    expect(same.body.quality.against.faceWidthPx).toBeGreaterThan(90);
    const diff = await s.call('POST', '/v1/verifications', { key: k.kiosk, body: { face: b64(crops[6]), against: { face: b64(crops[8]) } } });
    expect(diff.body.match).toBe(false);
    expect(diff.body.score).toBeLessThan(same.body.score);
  });
  it('a deleted subject is gone from face checks at once', async () => {
    expect((await s.call('DELETE', `/v1/subjects/${ids[4]}`, { key: k.enroller })).status).toBe(204);
    const r = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { face: b64(await probeVariant(crops[4], { scale: 0.8 })) } });
    expect(r.body.candidates.map((c: { subjectId: string }) => c.subjectId)).not.toContain(ids[4]);
  });
});

describe('face index across restarts', () => {
  it('restores from its snapshot, and rebuilds from PostgreSQL when the snapshot is corrupt or gone', async () => {
    const dataDir = s.ctx.config.dataDir;
    const url = s.url;
    await s.close();
    const indexDir = path.join(dataDir, 'index');
    const snap = readdirSync(indexDir).find((f) => f.endsWith('.hnsw'));
    expect(snap).toBeDefined();
    const probe = b64(await probeVariant(crops[3], { scale: 0.7 }));
    for (const damage of ['none', 'corrupt', 'delete'] as const) {
      const file = path.join(indexDir, snap!);
      if (damage === 'corrupt') writeFileSync(file, Buffer.from('this is not an index'));
      if (damage === 'delete' && existsSync(file)) rmSync(file);
      s = await startService({ databaseUrl: url, modules: await defaultModules(), config: { dataDir } });
      const r = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { face: probe } });
      expect(r.body.candidates[0].subjectId, damage).toBe(ids[3]);
      expect(r.body.candidates.map((c: { subjectId: string }) => c.subjectId)).not.toContain(ids[4]);
      await s.close();
    }
    s = await startService({ databaseUrl: url, modules: await defaultModules(), config: { dataDir } });
  }, 300_000);
});
