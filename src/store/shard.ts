// Which gallery shard a subject lives on: a stable hash of its id, the same in TypeScript and in SQL, so that the
// front routes an enrolment where the worker that loads it from PostgreSQL expects it.
import { createHash } from 'node:crypto';

export interface ShardOf { index: number; of: number }

/** The first 32 bits of md5(subject id), modulo the shard count: uniform, and unchanged by restarts or hosts. */
export function shardOf(subjectId: string, shards: number): number {
  return createHash('md5').update(subjectId.toLowerCase()).digest().readUInt32BE(0) % shards;
}

/** The same as SQL over a uuid column: the md5's first 8 hex digits as a non-negative bigint, modulo $n. */
export const shardSql = (column: string, shardsParam: string): string =>
  `(('x' || lpad(substr(md5(${column}::text), 1, 8), 16, '0'))::bit(64)::bigint % ${shardsParam})`;
