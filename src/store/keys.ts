// API keys: "bck_<prefix>_<secret>". The prefix finds the row; only a hash of the secret is stored,
// and it is compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { QualityPolicy } from '../quality-policy.ts';
import type { Db, Queryable } from './db.ts';

export type Role = 'admin' | 'enroller' | 'kiosk' | 'examiner';
export const ROLES: readonly Role[] = ['admin', 'enroller', 'kiosk', 'examiner'];

export interface Principal {
  keyId: string; role: Role; agency: string; label: string | null;
  /** The key's face quality policy (src/quality-policy.ts); absent means the default. */
  qualityPolicy?: QualityPolicy;
}

/** A key given from outside (BIOCHECK_ADMIN_KEY): any string of this many characters, no spaces. */
export const ADMIN_KEY_LENGTH = { min: 24, max: 512 } as const;
const KEY_RE = /^bck_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();

export function generateKey(): { key: string; prefix: string; secretHash: Buffer } {
  const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { key: `bck_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

export async function ensureAgency(q: Queryable, code: string): Promise<void> {
  await q.query('INSERT INTO agencies (code) VALUES ($1) ON CONFLICT DO NOTHING', [code]);
}

export async function createKey(q: Queryable, role: Role, agency: string, label: string | null, createdBy: string | null,
  qualityPolicy: QualityPolicy = 'inform'): Promise<{ id: string; key: string }> {
  await ensureAgency(q, agency);
  const { key, prefix, secretHash } = generateKey();
  const r = await q.query<{ id: string }>(
    'INSERT INTO api_keys (prefix, secret_hash, role, agency, label, created_by, quality_policy) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id',
    [prefix, secretHash, role, agency, label, createdBy, qualityPolicy]);
  return { id: r.rows[0].id, key };
}

/** Stores a key given from outside (BIOCHECK_ADMIN_KEY) if it is not there yet. */
export async function importAdminKey(db: Db, key: string, agency: string): Promise<string> {
  const m = KEY_RE.exec(key);
  // Any string of 24+ characters is accepted as a bootstrap key; it is hashed like the others.
  const prefix = m ? m[1] : `env${createHash('sha256').update(key).digest('hex').slice(0, 9)}`;
  const secret = m ? m[2] : key;
  await ensureAgency(db.pool, agency);
  const r = await db.query<{ id: string }>(
    `INSERT INTO api_keys (prefix, secret_hash, role, agency, label) VALUES ($1,$2,'admin',$3,'bootstrap (BIOCHECK_ADMIN_KEY)')
     ON CONFLICT (prefix) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, revoked_at = NULL RETURNING id`,
    [prefix, hashSecret(secret), agency]);
  return r.rows[0].id;
}

/** The prefix (which finds the row) and the secret of a key as given; null for a string that is no key. */
function splitKey(key: string): { prefix: string; secret: string } | null {
  const m = KEY_RE.exec(key);
  if (m) return { prefix: m[1], secret: m[2] };
  if (key.length >= ADMIN_KEY_LENGTH.min && key.length <= ADMIN_KEY_LENGTH.max) return { prefix: `env${createHash('sha256').update(key).digest('hex').slice(0, 9)}`, secret: key };
  return null;
}

/** The key a refused caller named by its prefix (revoked or not, whatever secret it sent), for the audit. */
export async function keyNamedBy(db: Db, key: string): Promise<Omit<Principal, 'label'> | null> {
  const k = splitKey(key);
  if (!k) return null;
  const r = await db.query<{ id: string; role: Role; agency: string }>('SELECT id, role, agency FROM api_keys WHERE prefix = $1', [k.prefix]);
  return r.rows[0] ? { keyId: r.rows[0].id, role: r.rows[0].role, agency: r.rows[0].agency } : null;
}

/**
 * Keys that authenticated, by the hash of the whole key: a check then costs no key lookup. Entries live briefly,
 * so a key revoked by another process on the same database stops working within that time; a revocation
 * through this process forgets its keys at once (forgetAuthenticated). Failures are never cached.
 */
const AUTH_TTL_MS = 5_000;
/** Bound on cached keys: past it the cache starts afresh rather than grow. */
const AUTH_CACHE_MAX = 10_000;
const authenticated = new WeakMap<Db, Map<string, { principal: Principal; until: number }>>();

export function forgetAuthenticated(db: Db): void { authenticated.delete(db); }

export async function authenticate(db: Db, key: string): Promise<Principal | null> {
  const cacheKey = createHash('sha256').update(key).digest('base64');
  let cache = authenticated.get(db);
  const hit = cache?.get(cacheKey);
  if (hit && hit.until > Date.now()) return hit.principal;
  const p = await lookUp(db, key);
  if (p) {
    if (!cache || cache.size >= AUTH_CACHE_MAX) authenticated.set(db, cache = new Map());
    cache.set(cacheKey, { principal: p, until: Date.now() + AUTH_TTL_MS });
  }
  return p;
}

async function lookUp(db: Db, key: string): Promise<Principal | null> {
  const k = splitKey(key);
  if (!k) return null;
  const { prefix, secret } = k;
  const r = await db.query<{ id: string; secret_hash: Buffer; role: Role; agency: string; label: string | null; quality_policy: QualityPolicy }>(
    'SELECT id, secret_hash, role, agency, label, quality_policy FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL', [prefix]);
  const row = r.rows[0];
  const given = hashSecret(secret);
  // Compare even when no row matched, so timing does not tell whether a prefix exists.
  const stored = row?.secret_hash ?? Buffer.alloc(32);
  const ok = timingSafeEqual(given, stored) && row !== undefined;
  return ok ? { keyId: row.id, role: row.role, agency: row.agency, label: row.label, qualityPolicy: row.quality_policy } : null;
}

export async function countAdminKeys(db: Db): Promise<number> {
  const r = await db.query<{ n: string }>("SELECT count(*) AS n FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL");
  return Number(r.rows[0].n);
}
