// The owner agency's side of hit/no-hit sharing: the hits other agencies' checks found on its hit/no-hit
// watchlists (oldest first, so it can meet a response time), one hit with the probe that matched, and its
// decision to disclose the identity to the requesting agency or to decline.
import type { Db } from '../store/db.ts';
import { AppError } from '../errors.ts';
import { appendAudit, audit } from '../store/audit.ts';
import type { Principal } from '../store/keys.ts';
import { lockHitDecision, recordHitDecision, type HitDecision, type HitStatus } from './hit-decisions.ts';
import { loadProbe, type ProbeView } from './probes.ts';

export interface HitSummary {
  handle: string; caseId: string; checkId: string; requestingAgency: string; watchlist: string;
  subjectId: string; reference: string | null; name: string | null;
  score: number; scores: { face?: number; finger?: number }; level: string;
  status: HitStatus; decidedAt: string | null; note: string | null; createdAt: string;
}
export interface HitDetail extends HitSummary { probeKept: boolean; probe: ProbeView }

interface Row {
  handle: string; case_id: string; check_id: string; subject_id: string; watchlist: string; owner_agency: string;
  score: number; scores: HitSummary['scores']; level: string; requesting: string; created_at: Date;
  reference: string | null; name: string | null; status: HitDecision | null; decided_at: Date | null; note: string | null;
}

const HITS = `
  SELECT x.handle, x.case_id, x.check_id, x.subject_id, x.watchlist, x.owner_agency, x.score, x.scores, x.level,
         x.requesting_agency AS requesting, x.found_at AS created_at, s.reference, s.name, d.status, d.decided_at, d.note
  FROM owner_hits x JOIN subjects s ON s.id = x.subject_id
  LEFT JOIN hit_decisions d ON d.subject_id = x.subject_id AND d.requesting_agency = x.requesting_agency
  WHERE true`;

const summary = (h: Row): HitSummary => ({
  handle: h.handle, caseId: h.case_id, checkId: h.check_id, requestingAgency: h.requesting, watchlist: h.watchlist,
  subjectId: h.subject_id, reference: h.reference, name: h.name,
  score: +h.score.toFixed(4), scores: h.scores, level: h.level,
  status: h.status ?? 'pending', decidedAt: h.decided_at?.toISOString() ?? null, note: h.note, createdAt: h.created_at.toISOString(),
});

/** The caller's agency's hits, oldest first; `offset` pages. */
export async function listHits(db: Db, p: Principal, f: { status?: HitStatus; limit: number; offset: number; requestId: string }): Promise<{ hits: HitSummary[]; next: number | null }> {
  const r = await db.query<Row>(
    `${HITS} AND x.owner_agency = $1
       AND ($2::text IS NULL OR COALESCE(d.status, 'pending') = $2)
     ORDER BY x.found_at, x.id LIMIT $3 OFFSET $4`,
    [p.agency, f.status ?? null, f.limit + 1, f.offset]);
  const rows = r.rows.slice(0, f.limit);
  await audit(db, { keyId: p.keyId, role: p.role, agency: p.agency, requestId: f.requestId, action: 'hit.list', details: { status: f.status ?? null, count: rows.length } });
  return { hits: rows.map(summary), next: r.rows.length > f.limit ? f.offset + f.limit : null };
}

/** To anyone but its owner agency (or an admin) a hit does not exist. */
const mayDecide = (p: Principal, h: Pick<Row, 'owner_agency'>) => p.role === 'admin' || h.owner_agency === p.agency;

async function oneHit(db: Db, p: Principal, handle: string): Promise<Row> {
  const h = (await db.query<Row>(`${HITS} AND x.handle = $1`, [handle])).rows[0];
  if (!h || !mayDecide(p, h)) throw new AppError('HIT_NOT_FOUND', 'no such hit');
  return h;
}

/** One hit with the probe that matched, so the owner's examiner can compare before deciding. Audited. */
export async function readHit(db: Db, p: Principal, handle: string, requestId: string): Promise<HitDetail> {
  const h = await oneHit(db, p, handle);
  const probe = await loadProbe(db, h.check_id);
  await audit(db, { keyId: p.keyId, role: p.role, agency: p.agency, requestId, action: 'hit.read', target: handle, details: { caseId: h.case_id, probeKept: probe.kept } });
  return { ...summary(h), probeKept: probe.kept, probe: probe.view };
}

/** Disclose or decline. A disclosure is final; a decline may later turn into a disclosure. Either holds for
 *  every hit on this subject by the requesting agency, earlier and later ones. */
export async function decideHit(db: Db, p: Principal, handle: string, status: HitDecision, note: string | null, requestId: string): Promise<{ handle: string; status: HitDecision; disclosed: boolean }> {
  const h = await oneHit(db, p, handle);
  return db.tx(async (c) => {
    const now = await lockHitDecision(c, h.subject_id, h.requesting);
    if (now === 'disclosed' && status === 'declined') throw new AppError('HIT_ALREADY_DISCLOSED', 'this identity was disclosed to the requesting agency already; a disclosure cannot be withdrawn');
    if (now !== status) {
      await recordHitDecision(c, { subjectId: h.subject_id, agency: h.requesting, status, handle, note, keyId: p.keyId });
      await appendAudit(c, {
        keyId: p.keyId, role: p.role, agency: p.agency, requestId, action: status === 'disclosed' ? 'hit.disclose' : 'hit.decline', target: handle,
        details: { caseId: h.case_id, requestingAgency: h.requesting, note },
      });
    }
    return { handle, status, disclosed: status === 'disclosed' };
  });
}
