// ACE-V's "V": a second examiner verifies or disputes a case's conclusions before it closes. Optional; a dispute
// of the conclusions as they stand blocks closing until they change (a new decision) or are verified.
import { AppError } from '../errors.ts';
import type { Queryable } from '../store/db.ts';
import type { Principal } from '../store/keys.ts';

export type VerificationOutcome = 'verified' | 'disputed';
export interface Verification { outcome: VerificationOutcome; note: string | null; agency: string; at: string; caseVersion: number; current: boolean }

/** Records a verification of the case (locked by the caller, pending) at its current version. */
export async function recordVerification(c: Queryable, p: Principal, k: { id: string; version: number }, outcome: VerificationOutcome, note: string | null): Promise<void> {
  const open = await c.query("SELECT 1 FROM case_candidates WHERE case_id = $1 AND level <> 'none' AND outcome IS NULL", [k.id]);
  if (open.rowCount) throw new AppError('CONFLICT', `nothing to verify yet: ${open.rowCount} hit/review candidate(s) have no conclusion`);
  const own = await c.query('SELECT 1 FROM case_decisions WHERE case_id = $1 AND key_id = $2 LIMIT 1', [k.id, p.keyId]);
  if (own.rowCount) throw new AppError('CONFLICT', 'a second examiner verifies: this key recorded conclusions on this case');
  await c.query('INSERT INTO case_verifications (case_id, case_version, outcome, note, key_id, agency) VALUES ($1,$2,$3,$4,$5,$6)',
    [k.id, k.version, outcome, note, p.keyId, p.agency]);
}

export async function listVerifications(c: Queryable, k: { id: string; version: number }): Promise<Verification[]> {
  const r = await c.query<{ outcome: VerificationOutcome; note: string | null; agency: string; at: Date; case_version: number }>(
    'SELECT outcome, note, agency, at, case_version FROM case_verifications WHERE case_id = $1 ORDER BY id', [k.id]);
  return r.rows.map((v) => ({ outcome: v.outcome, note: v.note, agency: v.agency, at: v.at.toISOString(), caseVersion: v.case_version, current: v.case_version === k.version }));
}

/** Refuses to close a case whose conclusions, as they stand, were last disputed. */
export async function assertNotDisputed(c: Queryable, k: { id: string; version: number }): Promise<void> {
  const last = (await listVerifications(c, k)).filter((v) => v.current).at(-1);
  if (last?.outcome === 'disputed') throw new AppError('CONFLICT', 'a second examiner disputed these conclusions: revise them or have them verified before closing');
}
