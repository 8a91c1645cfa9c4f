// How audit entries are hashed: a leaf hash over an entry's content, and the chain link over the previous
// link and a leaf. Rows from before the sealed chain (migration 010) used one hash over both at once.
import { createHash } from 'node:crypto';

export const GENESIS = Buffer.alloc(32);

export interface AuditContent {
  at: string; keyId: string | null; role: string | null; agency: string | null; action: string;
  target: string | null; requestId: string | null; details: Record<string, unknown>;
}

/** Canonical JSON: keys sorted at every depth, so the hash does not depend on key order. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

export const leafHash = (c: AuditContent): Buffer => createHash('sha256').update(canonical(c)).digest();

export const linkHash = (prev: Buffer, leaf: Buffer): Buffer => createHash('sha256').update(prev).update(leaf).digest();

/** The in-row chain of entries written before migration 010. */
export const legacyHash = (prev: Buffer, c: AuditContent): Buffer => createHash('sha256').update(prev).update(canonical(c)).digest();
