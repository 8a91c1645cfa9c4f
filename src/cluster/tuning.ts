// Tuned constants of the scale-out (NATS subjects, stream limits, heartbeats). Settings an operator changes are in
// src/config.ts (BIOCHECK_ROLE, BIOCHECK_NATS_URL, BIOCHECK_SHARDS, BIOCHECK_SHARD, BIOCHECK_REPLICA, BIOCHECK_SEARCH_DEADLINE_MS).

/** The JetStream stream that carries enrolments and deletions to the shards' workers. */
export const CHANGES_STREAM = 'BIOCHECK_SAMPLES';
/** Changes are kept this long: a worker down for longer reloads its shard from PostgreSQL, as at any start. */
export const CHANGES_MAX_AGE_MS = 7 * 24 * 3600_000;
/** Every worker says it is alive this often; the front counts a shard covered while one of its workers was heard
 *  within COVERAGE_STALE_MS. */
export const HEARTBEAT_MS = 1_000;
export const COVERAGE_STALE_MS = 3_500;
/** A worker keeps this much of a search's deadline for the search itself when it waits to catch up first. */
export const CATCH_UP_SHARE = 0.5;
/** Change messages a worker's consumer holds at once. */
export const CONSUME_BATCH = 256;
/** Native search threads of a worker's face index. */
export const FACE_THREADS = 2;

const SUBJECT_ROOT = 'biocheck';
/** Subjects include the shard count: a change of BIOCHECK_SHARDS starts new consumers instead of misreading old ones. */
export const subjects = {
  search: (shard: number) => `${SUBJECT_ROOT}.search.${shard}`,
  queue: (shard: number) => `shard-${shard}`,
  changes: (shards: number, shard: number) => `${SUBJECT_ROOT}.samples.${shards}.${shard}`,
  allChanges: `${SUBJECT_ROOT}.samples.>`,
  status: (shard: number) => `${SUBJECT_ROOT}.status.${shard}`,
  allStatus: `${SUBJECT_ROOT}.status.*`,
  durable: (shards: number, shard: number, replica: number) => `shard-${shard}-of-${shards}-replica-${replica}`,
};
