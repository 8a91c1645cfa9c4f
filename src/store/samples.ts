// Biometric samples: written in one transaction with the subject's lock, streamed to rebuild indexes.
import type { Db, Queryable } from './db.ts';
import { shardSql, type ShardOf } from './shard.ts';

export interface NewSample {
  subjectId: string; watchlist: string; modality: 'face' | 'finger'; position: number | null;
  template: Uint8Array; extractor: string; quality: Record<string, unknown>; sourceFormat: string;
  source: Uint8Array | null; createdBy: string;
}

export async function insertSample(q: Queryable, s: NewSample): Promise<{ id: number; seq: number }> {
  const r = await q.query<{ id: string; seq: string }>(
    `INSERT INTO samples (subject_id, watchlist, modality, position, template, extractor, quality, source_format, source, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id, seq`,
    [s.subjectId, s.watchlist, s.modality, s.position, Buffer.from(s.template.buffer, s.template.byteOffset, s.template.byteLength),
      s.extractor, JSON.stringify(s.quality), s.sourceFormat, s.source ? Buffer.from(s.source) : null, s.createdBy]);
  return { id: Number(r.rows[0].id), seq: Number(r.rows[0].seq) };
}

/** Leaves a tombstone per deleted sample, so that index snapshots older than the deletion replay it. */
export async function tombstone(q: Queryable, deleted: { id: string | number; modality: 'face' | 'finger' }[]): Promise<void> {
  for (const s of deleted) await q.query('INSERT INTO sample_tombstones (sample_id, modality) VALUES ($1, $2)', [s.id, s.modality]);
}

/** Deletes one sample of one subject (the caller holds the subject's row lock); false when that subject
 *  holds no such sample of that modality. */
export async function deleteSample(q: Queryable, subjectId: string, modality: 'face' | 'finger', sampleId: number): Promise<boolean> {
  const r = await q.query('DELETE FROM samples WHERE id = $1 AND subject_id = $2 AND modality = $3 RETURNING id', [sampleId, subjectId, modality]);
  if (!r.rowCount) return false;
  await tombstone(q, [{ id: sampleId, modality }]);
  return true;
}

export interface StoredSample { id: number; seq: number; watchlistNum: number; position: number | null; template: Buffer; extractor: string }
export interface SampleChange { kind: 'add'; sample: StoredSample }
export interface SampleRemoval { kind: 'remove'; id: number; seq: number }

const PAGE = 2000;

type StoredRow = { id: string; seq: string; num: number; position: number | null; template: Buffer; extractor: string };
const stored = (x: StoredRow): StoredSample =>
  ({ id: Number(x.id), seq: Number(x.seq), watchlistNum: x.num, position: x.position, template: x.template, extractor: x.extractor });

/** Every live sample of a modality with seq > since, in seq order, page by page; only one shard's subjects when given. */
export async function* liveSamples(db: Db, modality: 'face' | 'finger', since = 0, shard?: ShardOf): AsyncGenerator<StoredSample> {
  let after = since;
  const onShard = shard ? `AND ${shardSql('s.subject_id', '$4')} = $5` : '';
  for (;;) {
    const r = await db.query<StoredRow>(
      `SELECT s.id, s.seq, w.num, s.position, s.template, s.extractor FROM samples s JOIN watchlists w ON w.id = s.watchlist
       WHERE s.modality = $1 AND s.seq > $2 ${onShard} ORDER BY s.seq LIMIT $3`, [modality, after, PAGE, ...(shard ? [shard.of, shard.index] : [])]);
    for (const x of r.rows) yield stored(x);
    if (r.rows.length < PAGE) return;
    after = Number(r.rows[r.rows.length - 1].seq);
  }
}

/** These samples of a modality, where they are still stored, as the indexes load them (an index catching up by id). */
export async function storedSamplesById(q: Queryable, modality: 'face' | 'finger', ids: number[]): Promise<StoredSample[]> {
  if (!ids.length) return [];
  const r = await q.query<StoredRow>(
    `SELECT s.id, s.seq, w.num, s.position, s.template, s.extractor FROM unnest($1::bigint[]) AS x(id) JOIN samples s ON s.id = x.id
     JOIN watchlists w ON w.id = s.watchlist WHERE s.modality = $2`, [ids, modality]);
  return r.rows.map(stored);
}

/** The subject of each of these samples (those still stored). */
export async function subjectsOfSamples(q: Queryable, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const r = await q.query<{ id: string; subject_id: string }>('SELECT id, subject_id FROM samples WHERE id = ANY($1::bigint[])', [ids]);
  return new Map(r.rows.map((x) => [Number(x.id), x.subject_id]));
}

/** Deletions of a modality recorded after `since`. */
export async function removedSince(db: Db, modality: 'face' | 'finger', since: number): Promise<SampleRemoval[]> {
  const r = await db.query<{ sample_id: string; seq: string }>(
    'SELECT sample_id, seq FROM sample_tombstones WHERE modality = $1 AND seq > $2 ORDER BY seq', [modality, since]);
  return r.rows.map((x) => ({ kind: 'remove', id: Number(x.sample_id), seq: Number(x.seq) }));
}

/** The highest sequence number issued so far (adds and deletions alike). */
export async function currentSeq(db: Db): Promise<number> {
  const r = await db.query<{ s: string }>('SELECT GREATEST((SELECT coalesce(max(seq),0) FROM samples), (SELECT coalesce(max(seq),0) FROM sample_tombstones)) AS s');
  return Number(r.rows[0].s);
}

/** Adds and deletions of a modality after `since`, merged in sequence order (for index replay). */
export async function* changesSince(db: Db, modality: 'face' | 'finger', since: number): AsyncGenerator<SampleChange | SampleRemoval> {
  const removals = await removedSince(db, modality, since);
  let r = 0;
  for await (const s of liveSamples(db, modality, since)) {
    while (r < removals.length && removals[r].seq < s.seq) yield removals[r++];
    yield { kind: 'add', sample: s };
  }
  while (r < removals.length) yield removals[r++];
}

/** Live samples of a modality, or only those whose extractor is one of `extractors`. */
export async function countLive(db: Db, modality: 'face' | 'finger', extractors?: string[]): Promise<number> {
  const r = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM samples WHERE modality = $1 AND ($2::text[] IS NULL OR extractor = ANY($2))', [modality, extractors ?? null]);
  return Number(r.rows[0].n);
}

export interface OwnedSample { id: number; subjectId: string; modality: 'face' | 'finger'; position: number | null; template: Buffer; extractor: string }

/** These samples with their subjects, where both are live. Driven from the ids (unnest), so that the plan stays
 *  a primary-key lookup per id whatever the table statistics say. */
export async function liveSamplesById(q: Queryable, ids: number[]): Promise<OwnedSample[]> {
  if (!ids.length) return [];
  const r = await q.query<{ id: string; subject_id: string; modality: 'face' | 'finger'; position: number | null; template: Buffer; extractor: string }>(
    `SELECT s.id, s.subject_id, s.modality, s.position, s.template, s.extractor FROM unnest($1::bigint[]) AS x(id)
     JOIN samples s ON s.id = x.id JOIN subjects su ON su.id = s.subject_id AND su.deleted_at IS NULL`, [ids]);
  return r.rows.map((x) => ({ id: Number(x.id), subjectId: x.subject_id, modality: x.modality, position: x.position, template: x.template, extractor: x.extractor }));
}

/** How many live samples of a modality each extractor produced. */
export async function countByExtractor(db: Db, modality: 'face' | 'finger'): Promise<{ extractor: string; samples: number; withSource: number }[]> {
  const r = await db.query<{ extractor: string; n: string; src: string }>(
    'SELECT extractor, count(*) AS n, count(source) AS src FROM samples WHERE modality = $1 GROUP BY extractor ORDER BY extractor', [modality]);
  return r.rows.map((x) => ({ extractor: x.extractor, samples: Number(x.n), withSource: Number(x.src) }));
}

/** A page of samples (id order, after `afterId`) not made by one of `extractors`, with their stored captures. */
export async function staleSamples(db: Db, modality: 'face' | 'finger', extractors: string[], afterId: number, limit: number): Promise<{ id: number; source: Buffer | null }[]> {
  const r = await db.query<{ id: string; source: Buffer | null }>(
    'SELECT id, source FROM samples WHERE modality = $1 AND NOT (extractor = ANY($2)) AND id > $3 ORDER BY id LIMIT $4', [modality, extractors, afterId, limit]);
  return r.rows.map((x) => ({ id: Number(x.id), source: x.source }));
}

/** Replaces a sample's template (re-extraction by another model); a new sequence number makes index replay see it. */
export async function replaceTemplate(q: Queryable, id: number, template: Uint8Array, extractor: string): Promise<boolean> {
  const r = await q.query("UPDATE samples SET template = $2, extractor = $3, seq = nextval('sample_seq') WHERE id = $1",
    [id, Buffer.from(template.buffer, template.byteOffset, template.byteLength), extractor]);
  return (r.rowCount ?? 0) > 0;
}
