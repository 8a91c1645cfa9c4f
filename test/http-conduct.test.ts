// How the HTTP layer behaves around the routes: one log line per request (probes at debug), optional bodies may
// be left out, and a refused choice lists the allowed values.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let s: TestService;
const lines: Array<{ level: number; msg: string; url?: string; statusCode?: number; reqId?: string }> = [];
const NO_CASE = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  const stream = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  s = await startService({ logger: { level: 'debug', stream } });
});
afterAll(async () => { await s?.close(); });

describe('HTTP conduct', () => {
  it('logs one line per request, when answered; probes at debug, the rest at info', async () => {
    lines.length = 0;
    await s.call('GET', '/health');
    await s.call('GET', '/ready');
    await s.call('GET', '/v1/keys', { key: ADMIN_KEY });
    const requests = lines.filter((l) => l.reqId);
    expect(requests.map((l) => [l.url, l.level, l.msg, l.statusCode])).toEqual([
      ['/health', 20, 'request', 200], ['/ready', 20, 'request', 200], ['/v1/keys', 30, 'request', 200],
    ]);
  });

  it('a bodiless action (close, disclose) takes no body, with or without a JSON Content-Type', async () => {
    const examiner = (await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'examiner', agency: 'FR' } })).body.key;
    for (const headers of [{}, { "content-type": "application/json" }] as Record<string, string>[]) {
      const close = await s.call('POST', `/v1/cases/${NO_CASE}/close`, { key: examiner, headers });
      expect(close.body.error.code, JSON.stringify(headers)).toBe('CASE_NOT_FOUND');
      const disclose = await s.call('POST', '/v1/hits/h_unknownhandle/disclose', { key: ADMIN_KEY, headers });
      expect(disclose.status, disclose.text).toBe(404);
    }
    // A body that is needed is still needed.
    const none = await s.call('POST', '/v1/keys', { key: ADMIN_KEY, headers: { 'content-type': 'application/json' } });
    expect(none.body.error).toEqual({ code: 'VALIDATION_FAILED', message: 'a JSON object body is required' });
  });

  it('a value outside a choice is refused with the allowed values', async () => {
    const r = await s.call('POST', '/v1/keys', { key: ADMIN_KEY, body: { role: 'boss', agency: 'FR' } });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe('body/role must be one of: admin, enroller, kiosk, examiner');
  });
});
