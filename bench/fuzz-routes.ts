// Hostile input on every route: random bytes, truncations and bit flips of valid bodies, fields replaced by
// random JSON, huge counts, deep nesting, wrong content types, junk ids and query strings. The only
// acceptable answers are 2xx, or 4xx whose code is in src/errors.ts with that code's status; never a 5xx
// for input it could reject, never a stack trace, internal path or SQL in a body; the process keeps serving.
//
//   npx tsx bench/fuzz-routes.ts [cases=30000] [seed=1]
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES } from '../src/errors.ts';
import { impression, isoRecord, synthFinger } from '../test/lib/fingers.ts';
import { transaction, type1, type9M1, type10Face } from '../test/itl-fixtures.ts';

const ITL = 'application/vnd.ansi-nist-itl';
const CONTENT_TYPES = ['application/json', 'application/octet-stream', ITL, 'image/jpeg', 'image/png', 'text/plain',
  'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/xml', ''];
/** What an error body must never show: stack frames, file paths, SQL, driver messages. */
const LEAK = /\bat [\w.<>]+ \(|node_modules|\/work\/|\/src\/|\.ts:\d|\.js:\d|\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|syntax error at|violates .* constraint|relation "|duplicate key|ECONNREFUSED/i;

export interface Fixtures {
  adminKey: string;
  watchlist: string;
  subjectId: string;
  checkId: string;
  caseId: string;
  handle: string;
  keyId: string;
  /** Face enrolment and checks are served (GET /ready reports faces: true). */
  faces: boolean;
  jpeg?: Uint8Array;
}

export type Inject = FastifyInstance['inject'];
interface Case { route: string; method: string; url: string; headers: Record<string, string>; payload?: string | Buffer; kind: string }
export interface Failure { route: string; kind: string; status: number; code?: string; why: string; sample: string }
export interface FuzzStats { cases: number; byRoute: Record<string, number>; byStatus: Record<string, number>; failures: Failure[]; ms: number }

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

/** The routes, each with a valid body (when it takes one) to mutate, and the ids its path takes. */
function routes(f: Fixtures) {
  const template = isoRecord(synthFinger(77), 2);
  const probe = isoRecord(impression(synthFinger(77), 5, { drop: 0.1, rotDeg: 8 }), 2);
  const itlFinger = Buffer.from(transaction(type1([[9, '01']]), type9M1('01')));
  const itlFace = Buffer.from(transaction(type1([[10, '01']]), type10Face('01', f.jpeg)));
  return [
    { method: 'POST', path: '/v1/keys', json: { role: 'kiosk', agency: 'FZ', label: 'fuzz' } },
    { method: 'GET', path: '/v1/keys' },
    { method: 'DELETE', path: '/v1/keys/:id', ids: ['00000000-0000-0000-0000-000000000000'] },
    { method: 'POST', path: '/v1/watchlists', json: { id: 'fz-list', name: 'Fuzz', agency: 'FZ', disclosure: 'hit-no-hit', searchableBy: ['FZ'], hitFpir: 1e-4 } },
    { method: 'GET', path: '/v1/watchlists' },
    { method: 'GET', path: '/v1/watchlists/:id', ids: [f.watchlist] },
    { method: 'DELETE', path: '/v1/watchlists/:id', ids: ['fz-nonexistent'], query: ['force=true', 'force=maybe'] },
    { method: 'POST', path: '/v1/subjects', json: { watchlist: f.watchlist, reference: 'R1', name: 'N', aliases: ['a'], attributes: { k: 1 } } },
    { method: 'GET', path: '/v1/subjects', query: [`watchlist=${f.watchlist}`, 'limit=5', 'offset=1', 'reference=R1'] },
    { method: 'GET', path: '/v1/subjects/:id', ids: [f.subjectId] },
    { method: 'DELETE', path: '/v1/subjects/:id', ids: ['00000000-0000-0000-0000-000000000000'] },
    { method: 'POST', path: '/v1/subjects/:id/fingerprints', ids: [f.subjectId], json: { template: b64(template), position: 2 }, binary: { 'application/octet-stream': Buffer.from(template), [ITL]: itlFinger } },
    { method: 'POST', path: '/v1/subjects/:id/faces', ids: [f.subjectId], json: { image: b64(f.jpeg ?? new Uint8Array([0xff, 0xd8, 0xff, 0xd9])) }, binary: { 'image/jpeg': Buffer.from(f.jpeg ?? [0xff, 0xd8]), [ITL]: itlFace }, faces: true },
    { method: 'POST', path: '/v1/checks', json: { fingerprints: [{ template: b64(probe), position: 2 }], watchlists: [f.watchlist], limit: 5 }, binary: { [ITL]: itlFinger } },
    { method: 'GET', path: '/v1/checks/:id', ids: [f.checkId] },
    { method: 'POST', path: '/v1/verifications', json: { fingerprint: { template: b64(probe) }, against: { fingerprint: { template: b64(template) } } } },
    { method: 'GET', path: '/v1/cases', query: ['status=pending', 'limit=3'] },
    { method: 'GET', path: '/v1/cases/:id', ids: [f.caseId] },
    { method: 'POST', path: '/v1/cases/:id/decisions', ids: [f.caseId], json: { candidate: f.handle, outcome: 'rejected', note: 'fuzz' } },
    { method: 'POST', path: '/v1/cases/:id/close', ids: ['00000000-0000-0000-0000-000000000000'], json: { note: 'x' } },
    { method: 'GET', path: '/v1/hits', query: ['status=pending', 'limit=2'] },
    { method: 'POST', path: '/v1/hits/:id/disclose', ids: [f.handle], json: { note: 'x' } },
    { method: 'GET', path: '/v1/audit', query: ['action=check.run', 'limit=5', 'since=2020-01-01T00:00:00Z', 'before=99'] },
    { method: 'GET', path: '/v1/audit/verify' },
  ] as { method: string; path: string; ids?: string[]; query?: string[]; json?: unknown; binary?: Record<string, Buffer>; faces?: boolean }[];
}

/** Structural JSON mutations: replace, drop or add a field; huge numbers, counts, strings; deep nesting. */
function mutateJson(value: unknown, r: () => number, junk: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]) => {
    paths.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(value, []);
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const p = paths[Math.floor(r() * paths.length)];
  const replacement = [junk, 1e308, -1, 2 ** 53 + 1, 'x'.repeat(200_000), Array(5_000).fill(0), Array(100_000).fill('A'),
    DEEP, null, JSON.parse('{"__proto__":{"admin":true}}'), { constructor: { prototype: { polluted: 1 } } }, '\u0000\ud800', true][Math.floor(r() * 13)];
  if (!p.length) return replacement;
  let parent: any = copy;
  for (const k of p.slice(0, -1)) parent = parent[k];
  const last = p[p.length - 1];
  const op = r();
  if (op < 0.7) parent[last] = replacement;
  else if (op < 0.85 && !Array.isArray(parent)) delete parent[last];
  else parent[`extra${Math.floor(r() * 10)}`] = junk;
  return copy;
}
/** Deep nesting is spliced in as text: neither the client's JSON.stringify nor fast-check should recurse into it. */
const DEEP = '__deep_nesting__';
const DEEP_DEPTH = 20_000;
const withDeep = (json: string) => json.replace(`"${DEEP}"`, '['.repeat(DEEP_DEPTH) + ']'.repeat(DEEP_DEPTH));

function bitFlip(buf: Buffer, r: () => number, flips: number): Buffer {
  const out = Buffer.from(buf);
  for (let i = 0; i < flips && out.length; i++) out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8);
  return out;
}

/** Base64 of a template damaged inside valid JSON: the codecs see it, not the JSON parser. */
function damagedTemplate(t: Buffer, r: () => number): string {
  const k = r();
  if (k < 0.3) return bitFlip(t, r, 1 + Math.floor(r() * 8)).toString('base64');
  if (k < 0.6) return t.subarray(0, Math.floor(r() * t.length)).toString('base64');
  const b = Buffer.from(t);
  if (b.length > 27) b[27] = 255; // ISO 2005: minutiae count of the first view
  if (b.length > 13) b.writeUInt16BE(0xffff, 14 - 2 + Math.floor(r() * 4)); // image size / resolution
  return b.toString('base64');
}

const caseArb = (f: Fixtures) => {
  const rs = routes(f);
  return fc.record({
    route: fc.integer({ min: 0, max: rs.length - 1 }),
    kind: fc.constantFrom('random-bytes', 'truncate', 'bit-flip', 'json-field', 'template', 'content-type', 'binary-flip', 'binary-truncate', 'path', 'query', 'auth'),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    bytes: fc.uint8Array({ maxLength: 4096 }),
    junk: fc.jsonValue({ maxDepth: 4 }),
    text: fc.string({ unit: 'binary', maxLength: 300 }),
    ctype: fc.constantFrom(...CONTENT_TYPES),
  }).map(({ route, kind, seed, bytes, junk, text, ctype }): Case => {
    const rt = rs[route];
    let s = seed;
    const r = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
    let id = rt.ids?.[Math.floor(r() * rt.ids.length)] ?? '';
    let query = rt.query && r() < 0.5 ? rt.query[Math.floor(r() * rt.query.length)] : '';
    const headers: Record<string, string> = { authorization: `Bearer ${f.adminKey}` };
    let payload: string | Buffer | undefined;
    const valid = rt.json !== undefined ? JSON.stringify(rt.json) : undefined;
    if (valid !== undefined) { payload = valid; headers['content-type'] = 'application/json'; }
    const binTypes = Object.keys(rt.binary ?? {});
    switch (kind) {
      case 'random-bytes': payload = Buffer.from(bytes); headers['content-type'] = ctype || 'application/octet-stream'; break;
      case 'truncate': if (valid) payload = valid.slice(0, Math.floor(r() * valid.length)); break;
      case 'bit-flip': if (valid) payload = bitFlip(Buffer.from(valid), r, 1 + Math.floor(r() * 4)); break;
      case 'json-field': if (rt.json !== undefined) payload = withDeep(JSON.stringify(mutateJson(rt.json, r, junk))); break;
      case 'template': {
        const t = rt.binary?.['application/octet-stream'] ?? (rt.path === '/v1/checks' || rt.path === '/v1/verifications' ? Buffer.from(isoRecord(synthFinger(77), 2)) : undefined);
        if (t && valid) payload = valid.replace(/"template":"[^"]+"/, `"template":"${damagedTemplate(t, r)}"`);
        break;
      }
      case 'content-type': if (ctype) headers['content-type'] = ctype; else delete headers['content-type']; break;
      case 'binary-flip': case 'binary-truncate': {
        if (!binTypes.length) { payload = Buffer.from(bytes); headers['content-type'] = ctype || 'application/octet-stream'; break; }
        const t = binTypes[Math.floor(r() * binTypes.length)];
        const b = rt.binary![t];
        payload = kind === 'binary-flip' ? bitFlip(b, r, 1 + Math.floor(r() * 16)) : b.subarray(0, Math.floor(r() * b.length));
        headers['content-type'] = t;
        break;
      }
      case 'path': id = [encodeURIComponent(text), 'x'.repeat(300), '%00', '..%2F..%2Fetc%2Fpasswd', `${id}%27%20OR%201=1--`, '-1', '1e400'][Math.floor(r() * 7)] || 'a'; break;
      case 'query': query = [`${encodeURIComponent(text)}=${encodeURIComponent(text)}`, 'limit=-1', 'limit=99999999999', 'limit=1e3', 'limit[]=1', 'status=%00',
        'since=not-a-date', 'offset=1&offset=2', 'watchlist=../../x', `action=${'a'.repeat(5000)}`][Math.floor(r() * 10)]; break;
      case 'auth': headers.authorization = [`Bearer ${text}`, `Bearer ${f.adminKey}x`, 'Basic YWRtaW46YWRtaW4=', `Bearer ${'A'.repeat(10_000)}`, 'Bearer'][Math.floor(r() * 5)].replace(/[\r\n\0]/g, ''); break;
    }
    // Header values must be valid HTTP: a client cannot send others; drop the characters no client could.
    for (const k of Object.keys(headers)) headers[k] = headers[k].replace(/[^\t\x20-\x7e]/g, '');
    if (rt.method === 'GET' || rt.method === 'DELETE') { if (kind !== 'random-bytes') payload = undefined; if (!payload) delete headers['content-type']; }
    const url = rt.path.replace(':id', id) + (query ? `?${query}` : '');
    return { route: `${rt.method} ${rt.path}`, method: rt.method, url, headers, payload, kind };
  });
};

/** Judges one answer; returns why it is wrong, or undefined. */
function judge(c: Case, status: number, body: string, faces: boolean): string | undefined {
  if (LEAK.test(body) && status >= 400) return 'error body leaks internals';
  if (status >= 200 && status < 300) return undefined;
  let code: string | undefined;
  try { code = JSON.parse(body)?.error?.code; } catch { return `status ${status} with a non-JSON body`; }
  if (!code || !(code in ERROR_CODES)) return `unknown error code ${code}`;
  if (ERROR_CODES[code as keyof typeof ERROR_CODES] !== status) return `code ${code} with status ${status}`;
  if (status >= 500) {
    if (code === 'MODEL_UNAVAILABLE' && !faces && c.route.endsWith('/faces')) return undefined;
    return `5xx (${code}) for input it could reject`;
  }
  if (status < 400) return `unexpected status ${status}`;
  return undefined;
}

export async function runFuzz(inject: Inject, f: Fixtures, opts: { cases: number; seed: number; batch?: number; log?: (m: string) => void }): Promise<FuzzStats> {
  const stats: FuzzStats = { cases: 0, byRoute: {}, byStatus: {}, failures: [], ms: 0 };
  const t0 = performance.now();
  const batch = opts.batch ?? 500;
  const arb = caseArb(f);
  for (let done = 0; done < opts.cases; done += batch) {
    const cases = fc.sample(arb, { numRuns: Math.min(batch, opts.cases - done), seed: opts.seed + done });
    for (const c of cases) {
      let status: number;
      let body: string;
      try {
        const r = await inject({ method: c.method as 'GET', url: c.url, headers: c.headers, payload: c.payload });
        status = r.statusCode;
        body = r.body;
      } catch (e) {
        status = -1;
        body = String(e);
      }
      stats.cases++;
      stats.byRoute[c.route] = (stats.byRoute[c.route] ?? 0) + 1;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      const why = status === -1 ? `inject threw: ${body}` : judge(c, status, body, f.faces);
      if (why && stats.failures.length < 200) {
        let code: string | undefined;
        try { code = JSON.parse(body)?.error?.code; } catch { /* none */ }
        stats.failures.push({ route: c.route, kind: c.kind, status, code, why, sample: `${c.url} ${String(c.headers['content-type'])} ${String(c.payload ?? '').slice(0, 200)} -> ${body.slice(0, 300)}` });
      }
    }
    opts.log?.(`${stats.cases} cases, ${stats.failures.length} failures`);
  }
  stats.ms = performance.now() - t0;
  return stats;
}

/** Makes the ids the routes need: a watchlist, a subject with a finger, a check with a case and a handle. */
export async function makeFixtures(inject: Inject, adminKey: string, faces: boolean, jpeg?: Uint8Array): Promise<Fixtures> {
  const call = async (method: string, url: string, body: unknown) => {
    const r = await inject({ method: method as 'POST', url, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
    return JSON.parse(r.body);
  };
  const key = await call('POST', '/v1/keys', { role: 'kiosk', agency: 'FZ' });
  await call('POST', '/v1/watchlists', { id: 'fuzz', name: 'Fuzz', agency: 'ADMIN', disclosure: 'hit-no-hit' });
  const subject = await call('POST', '/v1/subjects', { watchlist: 'fuzz', name: 'Fuzz Subject', reference: 'FZ-1' });
  await call('POST', `/v1/subjects/${subject.id}/fingerprints`, { template: b64(isoRecord(synthFinger(77), 2)), position: 2 });
  const check = await call('POST', '/v1/checks', { fingerprints: [{ template: b64(isoRecord(impression(synthFinger(77), 3, { drop: 0.05 }), 2)), position: 2 }] });
  if (!check.caseId) throw new Error('fixture check opened no case');
  return { adminKey, watchlist: 'fuzz', subjectId: subject.id, checkId: check.checkId, caseId: check.caseId, handle: check.candidates[0].handle, keyId: key.id, faces, jpeg };
}

async function main() {
  const { packageVersion, writeReport } = await import('./lib/report.ts');
  const { loadConfig } = await import('../src/config.ts');
  const { createService } = await import('../src/service.ts');
  const { defaultModules } = await import('../src/modules.ts');
  const cases = Number(process.argv[2] ?? 30_000);
  const seed = Number(process.argv[3] ?? 1);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'biocheck-fuzz-routes-'));
  chmodSync(dataDir, 0o755);
  const adminKey = 'fuzz-routes-admin-key-0123456789abcdef';
  const svc = await createService(loadConfig({ databaseUrl: undefined, dataDir, adminKey, port: 0, rateLimit: { perSecond: 1e6, burst: 1e6 }, bodyLimit: 1024 * 1024 }),
    await defaultModules(), { logger: false });
  try {
    await svc.app.ready();
    const ready = JSON.parse((await svc.app.inject({ url: '/ready' })).body);
    const faces = ready.checks?.faces === true;
    const fixtures = await makeFixtures(svc.app.inject.bind(svc.app), adminKey, faces);
    const stats = await runFuzz(svc.app.inject.bind(svc.app), fixtures, { cases, seed, log: (m) => process.stdout.write(`\r${m}   `) });
    const health = (await svc.app.inject({ url: '/health' })).statusCode;
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    console.log();
    const summary = { cases: stats.cases, failures: stats.failures.length, seconds: +(stats.ms / 1000).toFixed(1), healthAfter: health, rssMiB: rss, faces };
    console.log(summary);
    writeReport({
      name: 'fuzz-routes', command: `npx tsx bench/fuzz-routes.ts ${cases} ${seed}`,
      dataset: 'generated: fast-check cases over every /v1 route (synthetic ISO/ITL fingerprint bodies)',
      versions: { 'fast-check': packageVersion('fast-check'), fastify: packageVersion('fastify') },
      results: { summary, byRoute: stats.byRoute, byStatus: stats.byStatus, failures: stats.failures },
      markdown: [
        `${stats.cases} cases in ${summary.seconds} s (seed ${seed}), ${stats.failures.length} failures; /health after: ${health}; RSS ${rss} MiB; face routes ${faces ? 'served' : 'not loaded (MODEL_UNAVAILABLE accepted)'}.`,
        '', 'Mutations: random bytes under random content types, truncations and bit flips of valid JSON, a field replaced by random JSON / huge number / 200 kB string / 100k-item array / 20k-deep nesting / prototype keys, damaged templates inside valid JSON (bit flips, truncation, impossible counts), bit flips and truncations of valid binary ISO records and ANSI/NIST-ITL transactions, junk path ids and query strings, malformed Authorization.',
        '', 'Oracle: 2xx, or 4xx whose code is in src/errors.ts with its status; no 5xx; no stack frames, paths or SQL in bodies.',
        '', '| status | cases |', '|---|---|', ...Object.entries(stats.byStatus).map(([k, v]) => `| ${k} | ${v} |`),
        '', '| route | cases |', '|---|---|', ...Object.entries(stats.byRoute).map(([k, v]) => `| ${k} | ${v} |`),
        '', stats.failures.length ? ['Failures (first 200):', ...stats.failures.map((x) => `- ${x.route} [${x.kind}] ${x.status} ${x.code ?? ''}: ${x.why}`)].join('\n') : 'No failures.',
      ].join('\n'),
    });
    if (stats.failures.length || health !== 200) process.exitCode = 1;
  } finally {
    await svc.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
