// Examiners' review workflows: list cases, open one (probe, candidates, the enrolled samples they matched),
// decide per candidate, close, verify. Every step is audited; decisions on one case serialise on its row lock.
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { appendAudit } from '../store/audit.ts';
import type { Principal } from '../store/keys.ts';
import { caseCandidateViews, loadCase, lockPendingCase, type CaseRow, type MatchedSample } from './access.ts';
import { probeRecords } from './probes.ts';
import { assertNotDisputed, listVerifications, recordVerification, type VerificationOutcome } from './verification.ts';

const by = (p: Principal) => ({ keyId: p.keyId, role: p.role, agency: p.agency });

export interface CaseFilter { status?: 'pending' | 'closed'; decision?: 'hit' | 'review'; watchlist?: string; limit: number; offset: number }

/** The caller's agency's cases (an admin's: all), newest first. Audited as case.list. */
export async function listCases(ctx: AppContext, p: Principal, f: CaseFilter, requestId: string) {
  const r = await ctx.db.query<CaseRow & { decision: string; candidates: string; pending: string; best: number | null; lists: string[] }>(
    `SELECT k.*, c.decision, (SELECT count(*) FROM case_candidates x WHERE x.case_id = k.id) AS candidates,
            (SELECT count(*) FROM case_candidates x WHERE x.case_id = k.id AND x.outcome IS NULL AND x.level <> 'none') AS pending,
            (SELECT max(x.score) FROM case_candidates x WHERE x.case_id = k.id) AS best,
            ARRAY(SELECT DISTINCT x.watchlist FROM case_candidates x WHERE x.case_id = k.id AND x.level <> 'none' ORDER BY 1) AS lists
     FROM cases k JOIN checks c ON c.id = k.check_id
     WHERE ($1::text IS NULL OR k.status = $1) AND ($2::text IS NULL OR k.agency = $2) AND ($4::text IS NULL OR c.decision = $4)
       AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM case_candidates x WHERE x.case_id = k.id AND x.watchlist = $5 AND x.level <> 'none'))
     ORDER BY k.created_at DESC LIMIT $3 OFFSET $6`,
    [f.status ?? null, p.role === 'admin' ? null : p.agency, f.limit, f.decision ?? null, f.watchlist ?? null, f.offset]);
  await ctx.db.tx((c) => appendAudit(c, { ...by(p), requestId, action: 'case.list', details: { status: f.status ?? null, count: r.rowCount } }));
  return r.rows.map((k) => ({
    id: k.id, checkId: k.check_id, status: k.status, outcome: k.outcome, decision: k.decision, agency: k.agency,
    candidates: Number(k.candidates), undecided: Number(k.pending), createdAt: k.created_at.toISOString(),
    bestScore: k.best === null ? null : +k.best.toFixed(4), watchlists: k.lists,
  }));
}

/** One case as the caller may see it: candidates by the disclosure rule, and the enrolled samples they matched
 *  only where the identity is visible to the caller. Audited as case.read. */
export async function readCase(ctx: AppContext, p: Principal, id: string, requestId: string) {
  const k = await loadCase(ctx, p, id);
  const { mode, viewed } = await caseCandidateViews(ctx, p, k, requestId);
  const sampleIds = viewed.flatMap((v) => (v.identityVisible ? (v.row.matched as MatchedSample[]).map((m) => m.sampleId) : []));
  const samples = sampleIds.length
    ? (await ctx.db.query<{ id: string; position: number | null; source_format: string; source: Buffer | null }>(
      'SELECT id, position, source_format, source FROM samples WHERE id = ANY($1::bigint[])', [sampleIds])).rows
    : [];
  const probe = await probeRecords(ctx.db, k.check_id);
  const decisions = await ctx.db.query<{ candidate: string; outcome: string; note: string | null; agency: string; at: Date }>(
    'SELECT candidate, outcome, note, agency, at FROM case_decisions WHERE case_id = $1 ORDER BY id', [k.id]);
  await ctx.db.tx((c) => appendAudit(c, { ...by(p), requestId, action: 'case.read', target: k.id }));
  return {
    id: k.id, checkId: k.check_id, status: k.status, outcome: k.outcome, agency: k.agency, version: k.version,
    createdAt: k.created_at.toISOString(), closedAt: k.closed_at?.toISOString() ?? null, mode,
    probeKept: probe.length > 0,
    probe: probe.map((x) => ({ modality: x.modality, position: x.position, format: x.format, data: x.data.toString('base64') })),
    candidates: viewed.map(({ view, row, identityVisible }) => ({
      ...view, outcome: row.outcome ?? null, note: row.note ?? null,
      matched: identityVisible ? (row.matched as MatchedSample[]).map((m) => {
        const s = samples.find((x) => Number(x.id) === m.sampleId);
        return { ...m, position: s?.position ?? null, format: s?.source_format ?? null, source: s?.source ? s.source.toString('base64') : null };
      }) : [],
    })),
    decisions: decisions.rows.map((d) => ({ ...d, at: d.at.toISOString() })),
    verifications: await listVerifications(ctx.db, k),
  };
}

export type CandidateOutcome = 'confirmed' | 'rejected' | 'inconclusive';

/** An examiner's conclusion on one candidate of a pending case. Audited as case.decide. */
export async function decideCandidate(ctx: AppContext, p: Principal, id: string, d: { candidate: string; outcome: CandidateOutcome; note?: string }, requestId: string) {
  await loadCase(ctx, p, id);
  return ctx.db.tx(async (c) => {
    const k = await lockPendingCase(c, id, 'this case is closed');
    const cand = await c.query('UPDATE case_candidates SET outcome = $3, note = $4, decided_by = $5, decided_at = now() WHERE case_id = $1 AND handle = $2',
      [k.id, d.candidate, d.outcome, d.note ?? null, p.keyId]);
    if (!cand.rowCount) throw new AppError('NOT_FOUND', 'no such candidate in this case');
    await c.query('INSERT INTO case_decisions (case_id, candidate, outcome, note, key_id, agency) VALUES ($1,$2,$3,$4,$5,$6)',
      [k.id, d.candidate, d.outcome, d.note ?? null, p.keyId, p.agency]);
    const v = await c.query<{ version: number }>('UPDATE cases SET version = version + 1 WHERE id = $1 RETURNING version', [k.id]);
    await appendAudit(c, { ...by(p), requestId, action: 'case.decide', target: k.id, details: { candidate: d.candidate, outcome: d.outcome } });
    return { caseId: k.id, candidate: d.candidate, outcome: d.outcome, version: v.rows[0].version };
  });
}

/** Closes a case once every hit/review candidate has a conclusion and no current dispute stands: confirmed if
 *  any candidate was confirmed, else rejected. Audited as case.close. */
export async function closeCase(ctx: AppContext, p: Principal, id: string, note: string | null, requestId: string) {
  await loadCase(ctx, p, id);
  return ctx.db.tx(async (c) => {
    const k = await lockPendingCase(c, id, 'this case is closed already');
    const open = await c.query("SELECT 1 FROM case_candidates WHERE case_id = $1 AND level <> 'none' AND outcome IS NULL", [k.id]);
    if (open.rowCount) throw new AppError('CONFLICT', `${open.rowCount} hit/review candidate(s) have no decision yet`);
    await assertNotDisputed(c, k);
    const confirmed = await c.query("SELECT 1 FROM case_candidates WHERE case_id = $1 AND outcome = 'confirmed'", [k.id]);
    const outcome = confirmed.rowCount ? 'confirmed' as const : 'rejected' as const;
    await c.query("UPDATE cases SET status = 'closed', outcome = $2, closed_at = now(), closed_by = $3, version = version + 1 WHERE id = $1", [k.id, outcome, p.keyId]);
    await appendAudit(c, { ...by(p), requestId, action: 'case.close', target: k.id, details: { outcome, note } });
    return { id: k.id, status: 'closed' as const, outcome };
  });
}

/** A second examiner verifies or disputes the case's conclusions as they stand (its version). Audited as case.verify. */
export async function verifyCase(ctx: AppContext, p: Principal, id: string, outcome: VerificationOutcome, note: string | null, requestId: string) {
  await loadCase(ctx, p, id);
  return ctx.db.tx(async (c) => {
    const k = await lockPendingCase(c, id, 'this case is closed');
    await recordVerification(c, p, k, outcome, note);
    await appendAudit(c, { ...by(p), requestId, action: 'case.verify', target: k.id, details: { outcome, version: k.version } });
    return { caseId: k.id, outcome, caseVersion: k.version };
  });
}
