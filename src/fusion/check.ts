// The frontline 1:N check: every modality the probe has, every watchlist the caller may search,
// one fused ranking per subject, a decision from the watchlists' thresholds, and a case for hits/reviews.
import type { AppContext } from '../context.ts';
import { AppError, isAppError } from '../errors.ts';
import { randomUUID } from 'node:crypto';
import { appendAudit, type AuditEntry } from '../store/audit.ts';
import { effectiveQualityPolicy, type QualityPolicy } from '../quality-policy.ts';
import type { Principal } from '../store/keys.ts';
import { listWatchlists, maySearch, type Watchlist } from '../store/watchlists.ts';
import { insertCase, insertCheck, insertProbes, newHandle, recordBareCheck, type CheckRecord, type StoredCandidate } from '../cases/store.ts';
import { listable, mayInvestigate, type CheckMode } from '../cases/views.ts';
import { decisionOf, levelOf, opensCase, type Decision } from './decide.ts';
import { thresholdSize, watchlistSizes } from './gallery-size.ts';
import { fuseSubject, type SubjectEvidence } from './fuse.ts';
import { prepareFingerInput, type FingerProbeInput, type Modalities, type PreparedFinger, type SampleMatch, type SearchCoverage } from './modalities.ts';

/** How many samples each 1:N search returns before grouping by subject: several per subject, many subjects. */
const SEARCH_DEPTH_FACTOR = 5;
const MIN_SEARCH_DEPTH = 50;
export const MAX_LIMIT = 100;
export const MAX_PROBE_FINGERS = 10;

export interface CheckInput {
  face?: { image: Uint8Array; format: string };
  fingers: FingerProbeInput[];
  watchlists?: string[];
  limit: number;
  /** investigative: the top `limit` whatever their level (examiners and admins only). */
  mode?: CheckMode;
  /** The request's face quality policy (the key's may make it strict). */
  quality?: QualityPolicy;
}

export interface CheckOutcome {
  checkId: string;
  decision: Decision;
  mode: CheckMode;
  caseId: string | null;
  probeKept: boolean;
  candidates: StoredCandidate[];
  watchlists: Map<string, Watchlist>;
  timingsMs: Record<string, number>;
  /** A modality that could not be used while others were (e.g. a face below quality next to good fingers). */
  warnings: { modality: 'face' | 'finger'; code: string; message: string; details?: Record<string, unknown> }[];
  /** Image quality of each probe finger that came as an image, in probe order (null for templates). */
  fingerQuality: (Record<string, unknown> | null)[];
  /** The probe face's quality report (with presentationAttack when PAD is on), when a face was used. */
  faceQuality?: Record<string, unknown>;
  /** Shards of a sharded gallery that did not answer in time (cluster front only; absent when all did). */
  missingShards?: number[];
}

/** The watchlists this caller searches: the ones asked for (each must be searchable), or all it may search. */
export async function searchableWatchlists(ctx: AppContext, p: Principal, asked?: string[]): Promise<Watchlist[]> {
  const all = await listWatchlists(ctx.db);
  const allowed = all.filter((w) => maySearch(p, w));
  if (!asked) return allowed;
  return [...new Set(asked)].map((id) => {
    const w = all.find((x) => x.id === id);
    if (!w) throw new AppError('WATCHLIST_NOT_FOUND', `no watchlist '${id}'`);
    if (!allowed.includes(w)) throw new AppError('FORBIDDEN', `agency ${p.agency} may not search watchlist '${id}'`);
    return w;
  });
}

interface SampleOwner { sample_id: string; subject_id: string; watchlist: string; modality: string }

/** Sample ids → live subjects. PostgreSQL is the truth: an index entry whose sample is gone is dropped here. */
async function owners(ctx: AppContext, ids: number[]): Promise<Map<number, SampleOwner>> {
  if (!ids.length) return new Map();
  const r = await ctx.db.query<SampleOwner>(
    `SELECT s.id AS sample_id, s.subject_id, s.watchlist, s.modality FROM samples s
     JOIN subjects su ON su.id = s.subject_id AND su.deleted_at IS NULL WHERE s.id = ANY($1::bigint[])`, [ids]);
  return new Map(r.rows.map((x) => [Number(x.sample_id), x]));
}

/** Probe data to keep: each finger's record, or once the transaction the fingers came in. */
function probeSources(fingers: FingerProbeInput[]) {
  const seen = new Set<Uint8Array>();
  return fingers.filter((f) => !seen.has(f.source) && seen.add(f.source))
    .map((f) => ({ modality: 'finger' as const, position: f.position, format: f.format, data: f.source }));
}

export async function runCheck(ctx: AppContext, mods: Modalities, p: Principal, input: CheckInput, requestId: string): Promise<CheckOutcome> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => { timings[name] = +(performance.now() - since).toFixed(2); };
  if (!input.face && input.fingers.length === 0) throw new AppError('VALIDATION_FAILED', 'a check needs a face, fingerprints, or both');
  if (input.face && !mods.face) throw new AppError('MODEL_UNAVAILABLE', 'face matching is not available on this service');
  if (input.fingers.length && !mods.finger) throw new AppError('MODEL_UNAVAILABLE', 'fingerprint matching is not available on this service');
  const mode = input.mode ?? 'standard';
  if (mode === 'investigative' && !mayInvestigate(p)) throw new AppError('FORBIDDEN', `role '${p.role}' may not run investigative checks`);

  const watchlists = await searchableWatchlists(ctx, p, input.watchlists);
  const byId = new Map(watchlists.map((w) => [w.id, w]));
  const nums = watchlists.map((w) => w.num);
  const depth = Math.max(MIN_SEARCH_DEPTH, input.limit * SEARCH_DEPTH_FACTOR);
  const coverage: SearchCoverage = { missingShards: new Set() };

  // Extraction first (rejects bad input before any search), then the searches side by side.
  let faceQuality: Record<string, unknown> | undefined;
  const warnings: CheckOutcome['warnings'] = [];
  const faceSearch = (async (): Promise<SampleMatch[]> => {
    if (!input.face || !mods.face) return [];
    const t = performance.now();
    let ex;
    try {
      ex = await mods.face.extract(input.face.image, 'check', { policy: effectiveQualityPolicy(input.quality, p.qualityPolicy) });
    } catch (e) {
      // With fingerprints in the same check, a poor face capture must not cost the traveller's fingers:
      // the check goes on without the face and says why. Alone, the face's error is the answer.
      // A presentation attack is refused whatever else the check carries.
      if (!(isAppError(e) && e.status < 500 && input.fingers.length) || e.code === 'PRESENTATION_ATTACK') throw e;
      warnings.push({ modality: 'face', code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) });
      return [];
    }
    Object.assign(timings, Object.fromEntries(Object.entries(ex.timings).map(([k, v]) => [`face.${k}`, v])));
    lap('face.extract', t);
    faceQuality = ex.quality;
    if (!nums.length) return [];
    const ts = performance.now();
    const hits = await mods.face.search(ex.embedding, nums, depth, coverage);
    lap('face.search', ts);
    return hits;
  })();
  const probeFingers: PreparedFinger[] = [];
  const fingerSearch = (async (): Promise<SampleMatch[][]> => {
    if (!input.fingers.length || !mods.finger) return [];
    const t = performance.now();
    for (const f of input.fingers) probeFingers.push(...await prepareFingerInput(mods.finger, f));
    if (probeFingers.length > MAX_PROBE_FINGERS) throw new AppError('VALIDATION_FAILED', `at most ${MAX_PROBE_FINGERS} fingers per check`);
    lap('finger.extract', t);
    if (!nums.length) return probeFingers.map(() => []);
    const ts = performance.now();
    const out = await Promise.all(probeFingers.map((pf) => mods.finger!.search(pf, nums, depth, coverage)));
    lap('finger.search', ts);
    return out;
  })();
  const [faceHits, fingerHits] = await Promise.all([faceSearch, fingerSearch]);

  const tf = performance.now();
  const sizes = await watchlistSizes(ctx.db);
  const own = await owners(ctx, [...faceHits.map((h) => h.sampleId), ...fingerHits.flat().map((h) => h.sampleId)]);
  const evidence = new Map<string, SubjectEvidence & { watchlist: string }>();
  const of = (o: SampleOwner) => {
    let e = evidence.get(o.subject_id);
    if (!e) { e = { subjectId: o.subject_id, watchlist: o.watchlist, fingers: [] }; evidence.set(o.subject_id, e); }
    return e;
  };
  for (const h of faceHits) {
    const o = own.get(h.sampleId);
    if (!o || !byId.has(o.watchlist)) continue;
    const e = of(o);
    if (!e.face || h.score > e.face.score) e.face = { score: h.score, raw: h.raw, sampleId: h.sampleId };
  }
  fingerHits.forEach((hits, probe) => {
    for (const h of hits) {
      const o = own.get(h.sampleId);
      if (!o || !byId.has(o.watchlist)) continue;
      const e = of(o);
      const cur = e.fingers.find((f) => f.probe === probe);
      if (!cur) e.fingers.push({ probe, score: h.score, raw: h.raw, sampleId: h.sampleId });
      else if (h.score > cur.score) Object.assign(cur, { score: h.score, raw: h.raw, sampleId: h.sampleId });
    }
  });
  const ranked: StoredCandidate[] = [...evidence.values()].map((e) => {
    const w = byId.get(e.watchlist)!;
    const fused = fuseSubject(e);
    return { ...fused, handle: newHandle(), watchlist: w.id, ownerAgency: w.agency, level: levelOf(fused.score, w, thresholdSize(w, sizes.get(w.id) ?? 1)) };
  }).sort((a, b) => b.score - a.score);
  const missingShards = [...coverage.missingShards].sort((a, b) => a - b);
  const decision = decisionOf(ranked.map((c) => c.level), missingShards.length);
  const told = ranked.filter((c) => listable(p, p.agency, byId.get(c.watchlist)!, c.level, mode));
  const candidates = told.slice(0, input.limit);
  // A hit or review below the returned limit still belongs in the case; nothing the caller is not told does.
  const forCase = told.filter((c, i) => i < input.limit || c.level !== 'none');
  lap('fuse', tf);

  const tp = performance.now();
  const modalities = [...(input.face && !warnings.some((w) => w.modality === 'face') ? ['face'] : []), ...(input.fingers.length ? ['finger'] : [])];
  const checkId = randomUUID();
  const probeKept = opensCase(decision) || ctx.config.retainNoHitProbes;
  const record: CheckRecord = {
    id: checkId, keyId: p.keyId, agency: p.agency, decision, mode, modalities, watchlists: watchlists.map((w) => w.id), timings, quality: faceQuality ?? {},
  };
  const caseId = opensCase(decision) ? randomUUID() : null;
  const entry: AuditEntry = {
    keyId: p.keyId, role: p.role, agency: p.agency, requestId, action: mode === 'investigative' ? 'check.investigative' : 'check.run', target: checkId,
    details: { decision, caseId, modalities, watchlists: watchlists.map((w) => w.id), candidates: candidates.length, ...(missingShards.length ? { missingShards } : {}) },
  };
  if (!probeKept && !caseId) {
    // Most checks: nothing to keep but the record, written with its audit entry in one statement.
    await recordBareCheck(ctx.db, record, entry);
  } else {
    await ctx.db.tx(async (c) => {
      await insertCheck(c, record);
      if (probeKept) {
        await insertProbes(c, checkId, [
          ...(input.face ? [{ modality: 'face' as const, format: input.face.format, data: input.face.image }] : []),
          ...probeSources(input.fingers),
        ]);
      }
      if (caseId) await insertCase(c, caseId, checkId, p.agency, forCase);
      await appendAudit(c, entry);
    });
  }
  lap('persist', tp);
  lap('total', t0);
  // For operations: per watchlist searched, the best level any of its subjects reached (src/http/domain-metrics.ts).
  const perWatchlist = watchlists.map((w) => ({ id: w.id, decision: decisionOf(ranked.filter((c) => c.watchlist === w.id).map((c) => c.level)) }));
  ctx.observe.checked({ decision, mode, watchlists: perWatchlist });
  const fingerQuality = probeFingers.some((f) => f.quality) ? probeFingers.map((f) => f.quality ?? null) : [];
  return { checkId, decision, mode, caseId, probeKept, candidates, watchlists: byId, timingsMs: timings, warnings, fingerQuality, ...(faceQuality ? { faceQuality } : {}), ...(missingShards.length ? { missingShards } : {}) };
}
