// The NATS connection and the changes stream, as both roles set them up. The URL may carry credentials: it is
// never logged (only its host).
import { connect, nanos, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { CHANGES_MAX_AGE_MS, CHANGES_STREAM, subjects } from './tuning.ts';

/** host:port of a NATS URL, without any user or password in it. */
export function natsHost(url: string): string {
  try { const u = new URL(url); return `${u.hostname}:${u.port || 4222}`; } catch { return '(unparsable URL)'; }
}

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  try {
    // Reconnect for ever: a NATS restart must not stop a worker or a front; searches meanwhile count shards missing.
    return await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  } catch (e) {
    throw new Error(`cannot reach NATS at ${natsHost(url)} (BIOCHECK_NATS_URL): ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Creates the changes stream where missing; returns its last sequence (0 when empty). */
export async function ensureChangesStream(nc: NatsConnection): Promise<number> {
  const jsm = await nc.jetstreamManager();
  try {
    return (await jsm.streams.info(CHANGES_STREAM)).state.last_seq;
  } catch {
    try {
      return (await jsm.streams.add({
        name: CHANGES_STREAM, subjects: [subjects.allChanges], retention: RetentionPolicy.Limits, storage: StorageType.File,
        max_age: nanos(CHANGES_MAX_AGE_MS),
      })).state.last_seq;
    } catch {
      // Another process created it first.
      return (await jsm.streams.info(CHANGES_STREAM)).state.last_seq;
    }
  }
}
