// Which shards the front can search now: every worker says so on its shard's status subject each HEARTBEAT_MS;
// a shard is covered while one of its replicas was heard within COVERAGE_STALE_MS. /ready shows it per shard.
import type { NatsConnection, Subscription } from 'nats';
import { COVERAGE_STALE_MS, subjects } from './tuning.ts';
import { decodeStatus, type WorkerStatus } from './wire.ts';

export class ShardCoverage {
  private readonly heard = new Map<number, Map<number, { at: number; status: WorkerStatus }>>();
  private readonly sub: Subscription;
  private warnedShards = false;

  constructor(nc: NatsConnection, private readonly shards: number, log: (m: string) => void) {
    this.sub = nc.subscribe(subjects.allStatus, {
      callback: (err, m) => {
        if (err) return;
        let s: WorkerStatus;
        try { s = decodeStatus(m.data); } catch { return; }
        if (s.shards !== shards) {
          if (!this.warnedShards) log(`a worker of shard ${s.shard} runs with BIOCHECK_SHARDS=${s.shards}, this front with ${shards}: it is ignored`);
          this.warnedShards = true;
          return;
        }
        let r = this.heard.get(s.shard);
        if (!r) { r = new Map(); this.heard.set(s.shard, r); }
        r.set(s.replica, { at: Date.now(), status: s });
      },
    });
  }

  /** Replicas of a shard heard recently. */
  live(shard: number): WorkerStatus[] {
    const now = Date.now();
    return [...(this.heard.get(shard)?.values() ?? [])].filter((x) => now - x.at <= COVERAGE_STALE_MS).map((x) => x.status);
  }

  covered(shard: number): boolean { return this.live(shard).length > 0; }

  /** Registers one readiness condition per shard ("shard 0", "shard 1", ...). */
  register(register: (name: string, check: () => boolean) => void): void {
    for (let s = 0; s < this.shards; s++) register(`shard ${s}`, () => this.covered(s));
  }

  close(): void { this.sub.unsubscribe(); }
}
