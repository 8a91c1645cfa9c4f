// Fingerprint images through HTTP: enrolment as raw WSQ / PNG bodies and as JSON {image, ppi}, a check
// and a verification with images, the quality report, resolution handling, and 4xx answers for bad
// images. The images are synthetic fingers (test/lib/finger-images.ts); our extractor reads them.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModules } from '../src/modules.ts';
import { fingerImage, type ImpressionOptions } from './lib/finger-images.ts';
import { encodeWsq } from './lib/wsq-encode.ts';
import { fingerImageRecord, fingerImageRecord2011 } from './lib/finger-image-records.ts';
import { bmp, greyRamp } from './lib/bmp.ts';
import { encodeJ2k } from './lib/images.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

const W = 320, H = 400;
let s: TestService;
const k: Record<string, string> = {};
const subjects: string[] = [];
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const png = (px: Uint8Array, w = W, h = H) => sharp(px, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer();
const wsq = (seed: number, o: ImpressionOptions = {}) => encodeWsq(fingerImage(seed, o), W, H, { binWidth: 1.5, comment: 'NIST_COM 1\nPPI 500\n' });
const MOVED: ImpressionOptions = { dx: 9, dy: -7, rotDeg: 7, seed: 42 };

beforeAll(async () => {
  s = await startService({ modules: await defaultModules() });
  for (const [name, role] of [['enroller', 'enroller'], ['kiosk', 'kiosk']]) {
    k[name] = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role, agency: 'FR' } })).body.key;
  }
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'img-list', name: 'images', agency: 'FR', disclosure: 'full' } });
  for (let i = 0; i < 4; i++) {
    const c = await s.call('POST', '/v1/subjects', { key: k.enroller, body: { watchlist: 'img-list', reference: `IMG-${i}`, name: `Image ${i}` } });
    subjects.push(c.body.id);
  }
}, 120_000);
afterAll(async () => { await s?.close(); });

describe('fingerprint image enrolment', () => {
  it('raw WSQ body: minutiae extracted, quality reported', async () => {
    const r = await s.call('POST', `/v1/subjects/${subjects[0]}/fingerprints?position=2`, {
      key: k.enroller, raw: Buffer.from(wsq(101)), headers: { 'content-type': 'image/x-wsq' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.positions).toEqual([2]);
    expect(r.body.minutiae[0]).toBeGreaterThanOrEqual(12);
    expect(r.body.quality[0].score).toBeGreaterThan(40);
    expect(r.body.quality[0]).toMatchObject({ ppi: 500, extractor: expect.stringMatching(/^biocheck-extract/) });
  });

  it('raw PNG body and JSON {image, position}', async () => {
    const r1 = await s.call('POST', `/v1/subjects/${subjects[1]}/fingerprints`, { key: k.enroller, raw: await png(fingerImage(102)), headers: { 'content-type': 'image/png' } });
    expect(r1.status, r1.text).toBe(201);
    const r2 = await s.call('POST', `/v1/subjects/${subjects[2]}/fingerprints`, { key: k.enroller, body: { image: b64(wsq(103)), position: 2 } });
    expect(r2.status, r2.text).toBe(201);
  });

  it('an ISO/IEC 19794-4 record as application/octet-stream: its view and position', async () => {
    const rec = fingerImageRecord([{ position: 7, width: W, height: H, data: fingerImage(106) }]);
    const r = await s.call('POST', `/v1/subjects/${subjects[1]}/fingerprints`, { key: k.enroller, raw: Buffer.from(rec), headers: { 'content-type': 'application/octet-stream' } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.positions).toEqual([7]);
    const c = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { fingerprints: [{ image: b64(await png(fingerImage(106, MOVED))), position: 7 }] } });
    expect(c.body.candidates[0]?.subjectId).toBe(subjects[1]);
  });

  it('an ISO/IEC 19794-4:2011 record with a JPEG 2000 lossless view, and a BMP body, enrol and are found', async () => {
    const grey = fingerImage(108);
    const rgb = new Uint8Array(W * H * 3);
    for (let i = 0; i < grey.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
    const j2k = await encodeJ2k({ width: W, height: H, channels: 3, data: rgb });
    const c = await s.call('POST', '/v1/subjects', { key: k.enroller, body: { watchlist: 'img-list', reference: 'IMG-2011', name: 'Image 2011' } });
    const rec = fingerImageRecord2011([{ position: 4, width: W, height: H, data: j2k, compression: 5 }]);
    const r = await s.call('POST', `/v1/subjects/${c.body.id}/fingerprints`, { key: k.enroller, raw: Buffer.from(rec), headers: { 'content-type': 'application/octet-stream' } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.positions).toEqual([4]);
    const moved = fingerImage(108, MOVED);
    const asBmp = bmp({ width: W, height: H, bpp: 8, palette: greyRamp, pixel: (x, y) => moved[y * W + x] });
    const found = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { fingerprints: [{ image: b64(asBmp), position: 4 }] } });
    expect(found.status, found.text).toBe(200);
    expect(found.body.candidates[0]?.subjectId).toBe(c.body.id);
    const d = await s.call('POST', '/v1/subjects', { key: k.enroller, body: { watchlist: 'img-list', reference: 'IMG-BMP', name: 'Image BMP' } });
    const other = fingerImage(109);
    const e = await s.call('POST', `/v1/subjects/${d.body.id}/fingerprints?position=5`, { key: k.enroller, raw: Buffer.from(bmp({ width: W, height: H, bpp: 8, palette: greyRamp, pixel: (x, y) => other[y * W + x] })), headers: { 'content-type': 'image/bmp' } });
    expect(e.status, e.text).toBe(201);
    expect(e.body.minutiae[0]).toBeGreaterThan(10);
  });

  it('a 1000 ppi image is resampled to 500 ppi before extraction', async () => {
    const big = await sharp(fingerImage(104), { raw: { width: W, height: H, channels: 1 } }).resize(W * 2, H * 2).png().toBuffer();
    const r = await s.call('POST', `/v1/subjects/${subjects[3]}/fingerprints`, { key: k.enroller, body: { image: b64(big), ppi: 1000, position: 2 } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.quality[0].ridgePeriodPx).toBeGreaterThan(6);
    expect(r.body.quality[0].ridgePeriodPx).toBeLessThan(12);
  });

  it('bad images are 4xx with a code', async () => {
    const cut = wsq(105).subarray(0, 500);
    const r1 = await s.call('POST', `/v1/subjects/${subjects[0]}/fingerprints`, { key: k.enroller, raw: Buffer.from(cut), headers: { 'content-type': 'image/x-wsq' } });
    expect([r1.status, r1.body.error.code]).toEqual([422, 'WSQ_TRUNCATED']);
    const r2 = await s.call('POST', `/v1/subjects/${subjects[0]}/fingerprints`, { key: k.enroller, body: { image: b64(Buffer.from('definitely not an image')) } });
    expect(r2.status).toBe(415);
    const r3 = await s.call('POST', `/v1/subjects/${subjects[0]}/fingerprints`, { key: k.enroller, body: { image: b64(wsq(105)), template: b64(wsq(105)) } });
    expect([r3.status, r3.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const blank = await png(new Uint8Array(W * H).fill(200));
    const r4 = await s.call('POST', `/v1/subjects/${subjects[0]}/fingerprints`, { key: k.enroller, raw: blank, headers: { 'content-type': 'image/png' } });
    expect([r4.status, r4.body.error.code]).toEqual([422, 'TEMPLATE_NO_MINUTIAE']);
  });
});

describe('fingerprint images in checks and verification', () => {
  it('a check with another impression of an enrolled finger finds its subject first', async () => {
    const r = await s.call('POST', '/v1/checks', { key: k.kiosk, body: { fingerprints: [{ image: b64(await png(fingerImage(101, MOVED))), position: 2 }] } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.candidates[0]?.subjectId).toBe(subjects[0]);
    expect(r.body.fingerprintQuality[0].minutiae).toBeGreaterThan(10);
  });

  it('verification: image against image of the same finger matches, of another finger does not', async () => {
    const same = await s.call('POST', '/v1/verifications', {
      key: k.kiosk, body: { fingerprint: { image: b64(wsq(103, MOVED)) }, against: { fingerprint: { image: b64(await png(fingerImage(103))) } } },
    });
    expect(same.status, same.text).toBe(200);
    expect(same.body.match).toBe(true);
    const other = await s.call('POST', '/v1/verifications', {
      key: k.kiosk, body: { fingerprint: { image: b64(wsq(103, MOVED)) }, against: { fingerprint: { image: b64(await png(fingerImage(104))) } } },
    });
    expect(other.body.match).toBe(false);
  });
});

describe('ANSI/NIST-ITL transactions with finger images', () => {
  const ITL = 'application/vnd.ansi-nist-itl';
  const itl = async () => import('./itl-fixtures.ts');

  it('a Type-14 WSQ image enrols; a Type-4 uncompressed image of the same finger finds it', async () => {
    const { transaction, type1, type4, type14 } = await itl();
    const c = await s.call('POST', '/v1/subjects', { key: k.enroller, body: { watchlist: 'img-list', reference: 'ITL-1', name: 'ITL image' } });
    const enrol = transaction(type1([[14, '01']]), type14('01', wsq(107)));
    const r = await s.call('POST', `/v1/subjects/${c.body.id}/fingerprints`, { key: k.enroller, raw: Buffer.from(enrol), headers: { 'content-type': ITL } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.minutiae[0]).toBeGreaterThan(10);
    const raw = type4(1, W, H, fingerImage(107, MOVED));
    raw[17] = 0; // GCA 0: uncompressed
    const check = await s.call('POST', '/v1/checks', { key: k.kiosk, raw: Buffer.from(transaction(type1([[4, '01']]), raw)), headers: { 'content-type': ITL } });
    expect(check.status, check.text).toBe(200);
    expect(check.body.candidates[0]?.subjectId).toBe(c.body.id);
  });

  it('a Type-9 with FBI/IAFIS minutiae (9.014-9.023) enrols and a check with it finds its subject', async () => {
    const { transaction, type1, tagged, RS, US } = await itl();
    // 40 minutiae spread over a 16 x 20 mm finger, written as MAT items (0.01 mm, lower-left origin, degrees).
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const mat = Array.from({ length: 40 }, (_, i) => {
      const x = String(Math.round(150 + rnd() * 1300)).padStart(4, '0'), y = String(Math.round(150 + rnd() * 1700)).padStart(4, '0');
      const t = String(Math.floor(rnd() * 360)).padStart(3, '0');
      return [String(i + 1).padStart(3, '0'), `${x}${y}${t}`, '40', rnd() < 0.5 ? 'A' : 'B'].join(US);
    }).join(RS);
    const t9 = tagged('9.001', [['9.002', '01'], ['9.003', '1'], ['9.004', 'U'], ['9.014', '03'], ['9.015', '40'], ['9.016', `AFIS/FBI${US}A`], ['9.023', mat]]);
    const tx = Buffer.from(transaction(type1([[9, '01']]), t9));
    const c = await s.call('POST', '/v1/subjects', { key: k.enroller, body: { watchlist: 'img-list', reference: 'ITL-IAFIS', name: 'IAFIS minutiae' } });
    const r = await s.call('POST', `/v1/subjects/${c.body.id}/fingerprints`, { key: k.enroller, raw: tx, headers: { 'content-type': ITL } });
    expect(r.status, r.text).toBe(201);
    expect([r.body.positions, r.body.minutiae]).toEqual([[3], [40]]);
    const check = await s.call('POST', '/v1/checks', { key: k.kiosk, raw: tx, headers: { 'content-type': ITL } });
    expect(check.status, check.text).toBe(200);
    expect(check.body.candidates[0]?.subjectId).toBe(c.body.id);
  });

  it('a Type-13 latent too small to be a fingerprint is a 422, not a crash', async () => {
    const { transaction, type1, tagged } = await itl();
    const latent = tagged('13.001', [
      ['13.002', '07'], ['13.003', '4'], ['13.004', 'ORIG00001'], ['13.005', '20240131'], ['13.006', '3'], ['13.007', '2'],
      ['13.008', '1'], ['13.009', '1000'], ['13.010', '1000'], ['13.011', 'NONE'], ['13.012', '8'], ['13.013', '0'], ['13.999', new Uint8Array([1, 2, 3, 4, 5, 6])],
    ]);
    const r = await s.call('POST', '/v1/checks', { key: k.kiosk, raw: Buffer.from(transaction(type1([[13, '07']]), latent)), headers: { 'content-type': ITL } });
    expect(r.status, r.text).toBe(422);
  });
});
