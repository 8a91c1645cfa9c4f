// Start-up validation: every environment setting is checked before anything runs; a bad one names itself.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { repoRoot } from './lib/process.ts';

const problems = (env: Record<string, string>): string[] => {
  try { loadConfig({}, env); return []; } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
};

describe('configuration', () => {
  it('defaults need no environment', () => {
    const c = loadConfig({}, {});
    expect(c.port).toBe(8080);
    expect(c.logLevel).toBe('info');
    expect(c.adminKey).toBeUndefined();
  });

  it.each([
    ['PORT', '80a', /PORT="80a": expected a whole number in 0\.\.65535/],
    ['PORT', '70000', /PORT="70000"/],
    ['BIOCHECK_RATE_PER_SECOND', '1.5', /BIOCHECK_RATE_PER_SECOND="1.5"/],
    ['BIOCHECK_ADMIN_KEY', 'too-short-key', /BIOCHECK_ADMIN_KEY: expected 24\.\.512 characters without spaces, got 13/],
    ['BIOCHECK_ADMIN_KEY', 'a key with spaces that is long enough', /BIOCHECK_ADMIN_KEY/],
    ['BIOCHECK_EXECUTION_PROVIDER', 'npu', /BIOCHECK_EXECUTION_PROVIDER="npu": expected one of cpu, cuda, tensorrt, webgpu/],
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL="verbose": expected one of fatal, error, warn, info, debug, trace, silent/],
    ['BIOCHECK_RETAIN_NO_HIT_PROBES', 'maybe', /BIOCHECK_RETAIN_NO_HIT_PROBES="maybe": expected true or false/],
    ['BIOCHECK_PAD', 'yes please', /BIOCHECK_PAD="yes please": expected one of on, off/],
    ['BIOCHECK_PAD_MIN_SCORE', '2', /BIOCHECK_PAD_MIN_SCORE/],
    ['BIOCHECK_FACE_QUALITY', '{"enrol": {"nope": 1}}', /BIOCHECK_FACE_QUALITY\.enrol: unknown threshold "nope"/],
    ['BIOCHECK_FACE_EXACT_MAX', 'lots', /BIOCHECK_FACE_EXACT_MAX="lots"/],
    ['BIOCHECK_DB_QUERY_TIMEOUT_MS', '-5', /BIOCHECK_DB_QUERY_TIMEOUT_MS="-5"/],
    ['BIOCHECK_INFER_MAX_BATCH', '0', /BIOCHECK_INFER_MAX_BATCH=0: expected 1\.\.1024/],
    ['BIOCHECK_MODELS_CONFIG', '/nonexistent/models.json', /BIOCHECK_MODELS_CONFIG: no such file/],
    ['DATABASE_URL', 'localhost:5432', /DATABASE_URL: expected postgres:\/\//],
    ['BIOCHECK_METRICS_TOKEN', 'short-token', /BIOCHECK_METRICS_TOKEN: expected 24\.\.512 characters without spaces, got 11/],
    ['BIOCHECK_VECTOR_ADDON', '/nonexistent/vector.node', /BIOCHECK_VECTOR_ADDON: no such file/],
  ])('%s=%s is refused with a message naming it', (name, value, message) => {
    const found = problems({ [name]: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('reports every bad setting at once', () => {
    expect(problems({ PORT: 'x', LOG_LEVEL: 'loud', BIOCHECK_ADMIN_KEY: 'short' })).toHaveLength(3);
  });

  it('accepts good values', () => {
    const c = loadConfig({}, { PORT: '9000', LOG_LEVEL: 'debug', BIOCHECK_ADMIN_KEY: 'x'.repeat(24), BIOCHECK_RETAIN_NO_HIT_PROBES: 'yes',
      BIOCHECK_EXECUTION_PROVIDER: 'cuda', BIOCHECK_PAD: 'on', DATABASE_URL: 'postgres://u:p@db:5432/biocheck' });
    expect([c.port, c.logLevel, c.retainNoHitProbes, c.databaseUrl]).toEqual([9000, 'debug', true, 'postgres://u:p@db:5432/biocheck']);
  });

  it('passes the settings other modules use down in the configuration (they read no environment themselves)', () => {
    const c = loadConfig({}, { BIOCHECK_FACE_EXACT_MAX: '5000', BIOCHECK_DB_QUERY_TIMEOUT_MS: '2500', BIOCHECK_PAD: 'on', BIOCHECK_PAD_MIN_SCORE: '0.3',
      BIOCHECK_FACE_QUALITY: '{"check": {"maxYawDeg": 12}}', BIOCHECK_INFER_MAX_BATCH: '4', BIOCHECK_METRICS_TOKEN: 'm'.repeat(32) });
    expect(c.face.exactSearchMax).toBe(5000);
    expect(c.dbQueryTimeoutMs).toBe(2500);
    expect(c.face.pad).toEqual({ enabled: true, minScore: 0.3 });
    expect(c.face.quality.check.maxYawDeg).toBe(12);
    expect(c.face.runtime.maxBatch).toBe(4);
    expect(c.metricsToken).toBe('m'.repeat(32));
    const d = loadConfig({}, {});
    expect([d.face.exactSearchMax, d.dbQueryTimeoutMs, d.face.pad.enabled, d.face.pad.minScore, d.metricsToken]).toEqual([1_000_000, 10_000, false, undefined, undefined]);
  });

  it('npm start with a bad setting exits non-zero before starting anything, naming the setting', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: repoRoot, env: { ...process.env, BIOCHECK_ADMIN_KEY: 'short', DATA_DIR: '/nonexistent/never-created' }, encoding: 'utf8', timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/failed to start: invalid configuration[\s\S]*BIOCHECK_ADMIN_KEY: expected 24\.\.512 characters/);
  });
});
