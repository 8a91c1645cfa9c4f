// Connections in PostgreSQL: the comparisons (evidence) between subjects' samples, the links fused from them,
// the clusters the links form, and the examiners' decisions.
import type { Queryable } from './db.ts';

export type ConnectionStatus = 'pending' | 'same-person' | 'different-persons' | 'inconclusive';
export type Pair = [string, string];

export interface EvidenceRow { probeSample: number; targetSample: number; subjectA: string; subjectB: string; modality: 'face' | 'finger'; score: number; raw: number }

export interface ConnectionRow {
  id: string; subjectA: string; subjectB: string; watchlistA: string; watchlistB: string; handleA: string; handleB: string;
  score: number; scores: { face?: number; finger?: number }; level: 'hit' | 'review' | 'none'; status: ConnectionStatus;
  clusterId: string | null; createdAt: string; updatedAt: string;
}

/**
 * The cluster rule: subjects are merged only through links strong enough to stand alone (hit level) that no
 * examiner has rejected, or that an examiner confirmed. Review-level links queue for review but never chain.
 */
const MERGES = `(c.status = 'same-person' OR (c.level = 'hit' AND c.status <> 'different-persons'))`;

export const orderPair = (x: string, y: string): Pair => (x < y ? [x, y] : [y, x]);
const pairKey = (p: Pair) => `${p[0]}|${p[1]}`;

/** Replaces the evidence found by searching these probe samples; returns every pair whose evidence changed. */
export async function replaceEvidence(q: Queryable, probes: number[], rows: EvidenceRow[]): Promise<Pair[]> {
  const pairs = new Map<string, Pair>();
  const old = await q.query<{ subject_a: string; subject_b: string }>(
    'DELETE FROM connection_evidence WHERE probe_sample = ANY($1::bigint[]) RETURNING subject_a, subject_b', [probes]);
  for (const r of old.rows) pairs.set(`${r.subject_a}|${r.subject_b}`, [r.subject_a, r.subject_b]);
  if (rows.length) {
    // A target sample deleted since the search is skipped (the join), not an error.
    await q.query(
      `INSERT INTO connection_evidence (probe_sample, target_sample, subject_a, subject_b, modality, score, raw)
       SELECT e.* FROM unnest($1::bigint[], $2::bigint[], $3::uuid[], $4::uuid[], $5::text[], $6::float8[], $7::float8[])
         AS e(p, t, a, b, m, s, r)
       WHERE EXISTS (SELECT 1 FROM samples WHERE id = e.p) AND EXISTS (SELECT 1 FROM samples WHERE id = e.t)
       ON CONFLICT (probe_sample, target_sample) DO UPDATE SET score = EXCLUDED.score, raw = EXCLUDED.raw`,
      [rows.map((r) => r.probeSample), rows.map((r) => r.targetSample), rows.map((r) => r.subjectA), rows.map((r) => r.subjectB),
        rows.map((r) => r.modality), rows.map((r) => r.score), rows.map((r) => r.raw)]);
    for (const r of rows) pairs.set(`${r.subjectA}|${r.subjectB}`, [r.subjectA, r.subjectB]);
  }
  return [...pairs.values()];
}

/** All evidence of these pairs, by pair. */
export async function evidenceOf(q: Queryable, pairs: Pair[]): Promise<Map<string, EvidenceRow[]>> {
  const out = new Map<string, EvidenceRow[]>(pairs.map((p) => [pairKey(p), []]));
  if (!pairs.length) return out;
  const r = await q.query<{ probe_sample: string; target_sample: string; subject_a: string; subject_b: string; modality: 'face' | 'finger'; score: number; raw: number }>(
    `SELECT e.* FROM connection_evidence e JOIN unnest($1::uuid[], $2::uuid[]) AS p(a, b) ON e.subject_a = p.a AND e.subject_b = p.b`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
  for (const x of r.rows) {
    out.get(`${x.subject_a}|${x.subject_b}`)?.push({
      probeSample: Number(x.probe_sample), targetSample: Number(x.target_sample), subjectA: x.subject_a, subjectB: x.subject_b,
      modality: x.modality, score: x.score, raw: x.raw,
    });
  }
  return out;
}

export interface LinkScore { score: number; scores: Record<string, number>; level: 'hit' | 'review' | 'none'; samples: number[] }

/**
 * Records a pair's fused score. Below the thresholds an undecided link is removed; a decided one stays (its
 * decision holds through later passes) with level 'none'. Decisions are never overwritten here.
 */
export async function writeLink(q: Queryable, pair: Pair, s: LinkScore, handles: () => [string, string]): Promise<void> {
  if (s.level === 'none') {
    await q.query("DELETE FROM connections WHERE subject_a = $1 AND subject_b = $2 AND status = 'pending'", pair);
    await q.query("UPDATE connections SET score = $3, scores = $4, samples = $5, level = 'none', updated_at = now() WHERE subject_a = $1 AND subject_b = $2",
      [...pair, s.score, JSON.stringify(s.scores), s.samples]);
    return;
  }
  const [ha, hb] = handles();
  await q.query(
    `INSERT INTO connections (subject_a, subject_b, handle_a, handle_b, score, scores, samples, level)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8
     WHERE EXISTS (SELECT 1 FROM subjects WHERE id = $1 AND deleted_at IS NULL) AND EXISTS (SELECT 1 FROM subjects WHERE id = $2 AND deleted_at IS NULL)
     ON CONFLICT (subject_a, subject_b) DO UPDATE SET score = EXCLUDED.score, scores = EXCLUDED.scores, samples = EXCLUDED.samples,
       level = EXCLUDED.level, updated_at = now()`,
    [...pair, ha, hb, s.score, JSON.stringify(s.scores), s.samples, s.level]);
}

/** Which of these pairs have a link row (of any level or status). */
export async function linkedPairs(q: Queryable, pairs: Pair[]): Promise<Set<string>> {
  if (!pairs.length) return new Set();
  const r = await q.query<{ subject_a: string; subject_b: string }>(
    'SELECT c.subject_a, c.subject_b FROM unnest($1::uuid[], $2::uuid[]) AS p(a, b) JOIN connections c ON c.subject_a = p.a AND c.subject_b = p.b',
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
  return new Set(r.rows.map((x) => `${x.subject_a}|${x.subject_b}`));
}

/** Pairs whose links rest on any of these (deleted) samples. */
export async function pairsOfSamples(q: Queryable, sampleIds: number[]): Promise<Pair[]> {
  if (!sampleIds.length) return [];
  const r = await q.query<{ subject_a: string; subject_b: string }>('SELECT subject_a, subject_b FROM connections WHERE samples && $1::bigint[]', [sampleIds]);
  return r.rows.map((x) => [x.subject_a, x.subject_b]);
}

/** Pairs linked without any evidence left (e.g. a sample deleted while the process was down). */
export async function pairsWithoutEvidence(q: Queryable): Promise<Pair[]> {
  const r = await q.query<{ subject_a: string; subject_b: string }>(
    `SELECT subject_a, subject_b FROM connections c WHERE NOT EXISTS
       (SELECT 1 FROM connection_evidence e WHERE e.subject_a = c.subject_a AND e.subject_b = c.subject_b)`);
  return r.rows.map((x) => [x.subject_a, x.subject_b]);
}

/**
 * Recomputes the clusters of these subjects: connected components over merging links (MERGES). A cluster's id
 * is its smallest link id: opaque, and shared by every link inside it; a link between clusters, or one an examiner
 * rejected, has none.
 */
export async function recluster(q: Queryable, subjects: string[]): Promise<void> {
  const done = new Set<string>();
  for (const start of subjects) {
    if (done.has(start)) continue;
    const members = new Set([start]);
    const links = new Set<string>();
    let frontier = [start];
    while (frontier.length) {
      const r = await q.query<{ id: string; subject_a: string; subject_b: string }>(
        `SELECT c.id, c.subject_a, c.subject_b FROM connections c WHERE (c.subject_a = ANY($1::uuid[]) OR c.subject_b = ANY($1::uuid[])) AND ${MERGES}`, [frontier]);
      frontier = [];
      for (const x of r.rows) {
        links.add(x.id);
        for (const s of [x.subject_a, x.subject_b]) if (!members.has(s)) { members.add(s); frontier.push(s); }
      }
    }
    for (const m of members) done.add(m);
    const ids = [...members];
    const clusterId = links.size ? [...links].sort()[0] : null;
    await q.query(`UPDATE connections SET cluster_id = $2 WHERE subject_a = ANY($1::uuid[]) AND subject_b = ANY($1::uuid[])
      AND status <> 'different-persons' AND cluster_id IS DISTINCT FROM $2`, [ids, clusterId]);
    await q.query(`UPDATE connections SET cluster_id = NULL WHERE (subject_a = ANY($1::uuid[]) OR subject_b = ANY($1::uuid[]))
      AND ((subject_a = ANY($1::uuid[])) <> (subject_b = ANY($1::uuid[])) OR status = 'different-persons') AND cluster_id IS NOT NULL`, [ids]);
  }
}

/** A deleted subject leaves no link (its evidence goes with its samples); its neighbours' clusters are redone. */
export async function forgetSubject(q: Queryable, subjectId: string): Promise<void> {
  const r = await q.query<{ subject_a: string; subject_b: string }>(
    'DELETE FROM connections WHERE subject_a = $1 OR subject_b = $1 RETURNING subject_a, subject_b', [subjectId]);
  await recluster(q, [...new Set(r.rows.flatMap((x) => [x.subject_a, x.subject_b]))].filter((s) => s !== subjectId));
}

interface Row {
  id: string; subject_a: string; subject_b: string; watchlist_a: string; watchlist_b: string; handle_a: string; handle_b: string;
  score: number; scores: Record<string, number>; level: 'hit' | 'review' | 'none'; status: ConnectionStatus; cluster_id: string | null;
  created_at: Date; updated_at: Date;
}
const toRow = (x: Row): ConnectionRow => ({
  id: x.id, subjectA: x.subject_a, subjectB: x.subject_b, watchlistA: x.watchlist_a, watchlistB: x.watchlist_b,
  handleA: x.handle_a, handleB: x.handle_b, score: x.score, scores: x.scores, level: x.level, status: x.status,
  clusterId: x.cluster_id, createdAt: x.created_at.toISOString(), updatedAt: x.updated_at.toISOString(),
});
const SELECT = `SELECT c.*, sa.watchlist AS watchlist_a, sb.watchlist AS watchlist_b FROM connections c
  JOIN subjects sa ON sa.id = c.subject_a JOIN subjects sb ON sb.id = c.subject_b`;

export interface ConnectionFilter {
  /** Both sides must lie in these watchlists... */
  reachable: string[];
  /** ...and at least one side in these (where the caller may see the identity). */
  anyOf: string[];
  status?: ConnectionStatus; watchlist?: string; minScore?: number; limit: number;
}

export async function listConnections(q: Queryable, f: ConnectionFilter): Promise<ConnectionRow[]> {
  const r = await q.query<Row>(
    `${SELECT} WHERE sa.watchlist = ANY($1) AND sb.watchlist = ANY($1) AND (sa.watchlist = ANY($2) OR sb.watchlist = ANY($2))
       AND ($3::text IS NULL OR c.status = $3) AND ($4::text IS NULL OR sa.watchlist = $4 OR sb.watchlist = $4)
       AND c.score >= $5 AND c.level <> 'none'
     ORDER BY c.score DESC, c.id LIMIT $6`,
    [f.reachable, f.anyOf, f.status ?? null, f.watchlist ?? null, f.minScore ?? 0, f.limit]);
  return r.rows.map(toRow);
}

export async function getConnection(q: Queryable, id: string, lock = false): Promise<ConnectionRow | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const r = await q.query<Row>(`${SELECT} WHERE c.id = $1${lock ? ' FOR UPDATE OF c' : ''}`, [id]);
  return r.rows[0] ? toRow(r.rows[0]) : null;
}

export async function recordDecision(q: Queryable, d: { connectionId: string; outcome: Exclude<ConnectionStatus, 'pending'>; note: string | null; keyId: string; agency: string }): Promise<void> {
  await q.query('UPDATE connections SET status = $2, updated_at = now() WHERE id = $1', [d.connectionId, d.outcome]);
  await q.query('INSERT INTO connection_decisions (connection_id, outcome, note, key_id, agency) VALUES ($1,$2,$3,$4,$5)',
    [d.connectionId, d.outcome, d.note, d.keyId, d.agency]);
}
