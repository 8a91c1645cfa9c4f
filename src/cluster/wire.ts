// What travels over NATS: search requests and replies, change notices, worker status. JSON (small messages: a
// 128-d embedding is 684 bytes of base64, a finger template about 1 KiB); every message is checked on arrival.

export interface SearchBase {
  /** The changes stream's sequence this shard must have applied first (the front's last enrolment there). */
  after: number;
  /** Milliseconds the front waits; a worker still catching up past its share of it does not answer. */
  deadlineMs: number;
  k: number;
  watchlists: number[];
}
export type SearchRequest =
  | SearchBase & { kind: 'face'; vectors: Float32Array[] }
  | SearchBase & { kind: 'finger'; template: Uint8Array; position: number };

/** One hit per entry: sample id and the raw score (the front calibrates). */
export type WireHit = [number, number];
export type SearchReply =
  | { ok: true; shard: number; replica: number; hits: WireHit[][] }
  | { ok: false; shard: number; replica: number; error: string };

/** A committed enrolment or deletion: ids only, the worker reads the samples from PostgreSQL (the record). */
export interface ChangeNotice { op: 'add' | 'remove'; modality: 'face' | 'finger'; ids: number[] }

export interface WorkerStatus { shard: number; shards: number; replica: number; faces: number; fingers: number; applied: number }

export class WireError extends Error {
  constructor(message: string) { super(message); this.name = 'WireError'; }
}

const enc = (x: unknown): Uint8Array => Buffer.from(JSON.stringify(x));
function dec(data: Uint8Array, what: string): Record<string, unknown> {
  let v: unknown;
  try { v = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')); } catch { throw new WireError(`${what}: not JSON`); }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new WireError(`${what}: not an object`);
  return v as Record<string, unknown>;
}
const int = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new WireError(`${what}: expected a non-negative integer`);
  return v;
};
const ints = (v: unknown, what: string): number[] => {
  if (!Array.isArray(v)) throw new WireError(`${what}: expected an array`);
  return v.map((x, i) => int(x, `${what}[${i}]`));
};
const bytes = (v: unknown, what: string): Uint8Array => {
  if (typeof v !== 'string') throw new WireError(`${what}: expected base64`);
  return new Uint8Array(Buffer.from(v, 'base64'));
};
const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');

export function encodeSearch(r: SearchRequest): Uint8Array {
  const base = { after: r.after, deadlineMs: r.deadlineMs, k: r.k, watchlists: r.watchlists };
  return r.kind === 'face'
    ? enc({ ...base, kind: 'face', vectors: r.vectors.map((v) => b64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))) })
    : enc({ ...base, kind: 'finger', template: b64(r.template), position: r.position });
}

export function decodeSearch(data: Uint8Array): SearchRequest {
  const o = dec(data, 'search request');
  const base = { after: int(o.after, 'after'), deadlineMs: int(o.deadlineMs, 'deadlineMs'), k: int(o.k, 'k'), watchlists: ints(o.watchlists, 'watchlists') };
  if (o.kind === 'face') {
    if (!Array.isArray(o.vectors)) throw new WireError('vectors: expected an array');
    const vectors = o.vectors.map((v, i) => {
      const b = bytes(v, `vectors[${i}]`);
      if (b.byteLength % 4) throw new WireError(`vectors[${i}]: not float32`);
      return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    });
    return { ...base, kind: 'face', vectors };
  }
  if (o.kind === 'finger') return { ...base, kind: 'finger', template: bytes(o.template, 'template'), position: int(o.position, 'position') };
  throw new WireError('kind: expected face or finger');
}

export const encodeReply = (r: SearchReply): Uint8Array => enc(r);

export function decodeReply(data: Uint8Array): SearchReply {
  const o = dec(data, 'search reply');
  const shard = int(o.shard, 'shard'), replica = int(o.replica, 'replica');
  if (o.ok !== true) return { ok: false, shard, replica, error: typeof o.error === 'string' ? o.error : 'unknown error' };
  if (!Array.isArray(o.hits)) throw new WireError('hits: expected an array');
  const hits = o.hits.map((q, i) => {
    if (!Array.isArray(q)) throw new WireError(`hits[${i}]: expected an array`);
    return q.map((h, j): WireHit => {
      if (!Array.isArray(h) || h.length !== 2 || typeof h[1] !== 'number' || !Number.isFinite(h[1])) throw new WireError(`hits[${i}][${j}]: expected [id, score]`);
      return [int(h[0], `hits[${i}][${j}][0]`), h[1]];
    });
  });
  return { ok: true, shard, replica, hits };
}

export const encodeChange = (c: ChangeNotice): Uint8Array => enc(c);

export function decodeChange(data: Uint8Array): ChangeNotice {
  const o = dec(data, 'change notice');
  if (o.op !== 'add' && o.op !== 'remove') throw new WireError('op: expected add or remove');
  if (o.modality !== 'face' && o.modality !== 'finger') throw new WireError('modality: expected face or finger');
  return { op: o.op, modality: o.modality, ids: ints(o.ids, 'ids') };
}

export const encodeStatus = (s: WorkerStatus): Uint8Array => enc(s);

export function decodeStatus(data: Uint8Array): WorkerStatus {
  const o = dec(data, 'worker status');
  return { shard: int(o.shard, 'shard'), shards: int(o.shards, 'shards'), replica: int(o.replica, 'replica'),
    faces: int(o.faces, 'faces'), fingers: int(o.fingers, 'fingers'), applied: int(o.applied, 'applied') };
}
