// Persistence of checks, their probes, and the cases that hits and reviews open.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import { withAudit, type AuditEntry } from '../store/audit.ts';
import type { Decision, Level } from '../fusion/decide.ts';
import type { FusedCandidate } from '../fusion/fuse.ts';
import type { CheckMode } from './views.ts';

export interface StoredCandidate extends FusedCandidate {
  handle: string;
  watchlist: string;
  ownerAgency: string;
  level: Level;
}

/** Opaque, unguessable, and unrelated to the subject id. */
export const newHandle = () => `h_${randomBytes(12).toString('base64url')}`;

export interface CheckRecord {
  id: string; keyId: string; agency: string; decision: Decision; mode: CheckMode; modalities: string[]; watchlists: string[];
  timings: Record<string, number>; quality: Record<string, unknown>;
}

const INSERT_CHECK = `INSERT INTO checks (id, key_id, agency, decision, mode, modalities, watchlists, timings, quality)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`;
const checkParams = (c: CheckRecord) => [c.id, c.keyId, c.agency, c.decision, c.mode, c.modalities, c.watchlists, JSON.stringify(c.timings), JSON.stringify(c.quality)];

export async function insertCheck(q: Queryable, c: CheckRecord): Promise<void> {
  await q.query(INSERT_CHECK, checkParams(c));
}

/** A check that keeps nothing but its record (a no-hit without its probe): one statement with its audit entry. */
export async function recordBareCheck(q: Queryable, c: CheckRecord, e: AuditEntry): Promise<void> {
  await withAudit(q, INSERT_CHECK, checkParams(c), e);
}

export async function insertProbes(q: Queryable, checkId: string, probes: { modality: 'face' | 'finger'; position?: number; format: string; data: Uint8Array }[]): Promise<void> {
  for (const p of probes) {
    await q.query('INSERT INTO check_probes (check_id, modality, position, format, data) VALUES ($1,$2,$3,$4,$5)',
      [checkId, p.modality, p.position ?? null, p.format, Buffer.from(p.data)]);
  }
}

export async function insertCase(q: Queryable, caseId: string, checkId: string, agency: string, candidates: StoredCandidate[]): Promise<void> {
  await q.query('INSERT INTO cases (id, check_id, agency) VALUES ($1,$2,$3)', [caseId, checkId, agency]);
  for (const [rank, c] of candidates.entries()) {
    await q.query(
      `INSERT INTO case_candidates (case_id, handle, rank, subject_id, watchlist, owner_agency, score, scores, matched, level)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
      [caseId, c.handle, rank + 1, c.subjectId, c.watchlist, c.ownerAgency, c.score, JSON.stringify(c.scores), JSON.stringify(c.matched), c.level]);
  }
}
