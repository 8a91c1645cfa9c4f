// A change of face embedder, through HTTP: a BYO embedder of 512 numbers (built here) enrols and checks
// (the index takes its width from the embedder); each template records which embedder made it (id + sha256);
// templates of two embedders are never compared: the service refuses to start with a one-line message until
// `npm run faces:reextract` has re-extracted the gallery from the stored enrolment images.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../models/onnx/builder.ts';
import { DEFAULT_FACE_ROLES } from '../src/face/modality.ts';
import { defaultModules } from '../src/modules.ts';
import { createService } from '../src/service.ts';
import { loadConfig } from '../src/config.ts';
import { faceFixture } from './lib/faces.ts';
import { rng } from './lib/fingers.ts';
import { ADMIN_KEY, freshDatabase, startService, type TestService } from './lib/service.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIM = 512;
const RELAXED = JSON.stringify({ enrol: { maxYawDeg: 45, maxPitchDeg: 35, maxRollDeg: 25, minExposureMean: 50 } });

/** [N,3,112,112] → 16x16 average pooling → [N,147] → linear → [N,512]: deterministic and image-dependent. */
function wideArcfaceLike(): Uint8Array {
  const g = new GraphBuilder('wide-arcface');
  g.input('input.1', ['N', 3, 112, 112]);
  const pooled = g.op('AveragePool', ['input.1'], { kernel_shape: [16, 16], strides: [16, 16] });
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  const r = rng(11);
  g.op('MatMul', [flat, g.constFloat('w', [147, DIM], Array.from({ length: 147 * DIM }, () => r() - 0.5))], {}, 'embedding');
  g.output('embedding', ['N', DIM]);
  return g.toBytes();
}

let url = '';
let dataDir = '';
let configPath = '';
let s: TestService | undefined;
const photos: Buffer[] = [];
const subjects: string[] = [];

async function enrol(svc: TestService, photo: Buffer): Promise<string> {
  const sub = await svc.call('POST', '/v1/subjects', { key: ADMIN_KEY, body: { watchlist: 'byo', name: `subject ${subjects.length}` } });
  const e = await svc.call('POST', `/v1/subjects/${sub.body.id}/faces`, { key: ADMIN_KEY, raw: photo, headers: { 'content-type': 'image/jpeg' } });
  expect(e.status, JSON.stringify(e.body)).toBe(201);
  subjects.push(sub.body.id);
  return sub.body.id;
}
const extractors = async () => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const r = await c.query<{ extractor: string }>("SELECT DISTINCT extractor FROM samples WHERE modality = 'face'");
  await c.end();
  return r.rows.map((x) => x.extractor);
};
function reextract(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/faces-reextract.ts'], {
      cwd: repoRoot, env: { ...process.env, DATABASE_URL: url, DATA_DIR: dataDir, BIOCHECK_MODELS_CONFIG: configPath, BIOCHECK_ADMIN_KEY: ADMIN_KEY },
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  process.env.BIOCHECK_FACE_QUALITY = RELAXED;
  const dir = mkdtempSync(path.join(tmpdir(), 'biocheck-byo-wide-'));
  writeFileSync(path.join(dir, 'wide-arcface.onnx'), wideArcfaceLike());
  configPath = path.join(dir, 'models.json');
  writeFileSync(configPath, JSON.stringify({
    models: [{
      id: 'wide-arcface', role: 'embedder', file: 'wide-arcface.onnx',
      input: { name: 'input.1', size: [112, 112], layout: 'NCHW', colour: 'rgb', mean: 127.5, std: 127.5 },
      outputs: ['embedding'], alignment: 'arcface',
    }],
    roles: { ...DEFAULT_FACE_ROLES, embedder: 'wide-arcface' },
  }));
  for (const i of [0, 3, 6]) photos.push(await faceFixture(i));
  url = await freshDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'biocheck-byo-wide-data-'));
  // The gallery starts with the default embedder (dlib, 128-d).
  s = await startService({ databaseUrl: url, modules: await defaultModules(), config: { dataDir } });
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'byo', name: 'BYO', agency: 'FR', disclosure: 'full' } });
  await enrol(s, photos[0]);
  await enrol(s, photos[1]);
  await s.close();
  s = undefined;
}, 300_000);
afterAll(async () => { await s?.close(); delete process.env.BIOCHECK_FACE_QUALITY; delete process.env.BIOCHECK_MODELS_CONFIG; });

describe('a change of face embedder', () => {
  it('records the embedder id and its file sha256 with each template', async () => {
    const [e] = await extractors();
    expect(e).toMatch(/^faceapi-dlib-resnet@sha256:[0-9a-f]{64}$/);
  });

  it('refuses to start on templates of another embedder, with a message that says what to do', async () => {
    process.env.BIOCHECK_MODELS_CONFIG = configPath;
    const config = loadConfig({ databaseUrl: url, adminKey: ADMIN_KEY, port: 0, dataDir });
    await expect(createService(config, await defaultModules(), { logger: false }))
      .rejects.toThrow(/configured face embedder is wide-arcface@sha256:.*faceapi-dlib-resnet@sha256:.*2 sample\(s\).*npm run faces:reextract/);
  }, 120_000);

  it('re-extracts the gallery from the stored images; then a 512-d embedder enrols and finds faces', async () => {
    const r = await reextract();
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('done: 2 of 2 re-extracted, 0 failed');
    expect(await extractors()).toEqual([expect.stringMatching(/^wide-arcface@sha256:[0-9a-f]{64}$/)]);
    process.env.BIOCHECK_MODELS_CONFIG = configPath;
    s = await startService({ databaseUrl: url, modules: await defaultModules(), config: { dataDir } });
    await enrol(s, photos[2]);
    for (let i = 0; i < 3; i++) {
      const c = await s.call('POST', '/v1/checks', { key: ADMIN_KEY, body: { face: photos[i].toString('base64') } });
      expect(c.status, JSON.stringify(c.body)).toBe(200);
      expect(c.body.candidates[0].subjectId).toBe(subjects[i]);
    }
  }, 300_000);
});
