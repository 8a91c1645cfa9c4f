// The front's side of the changes stream: after PostgreSQL committed an enrolment or a deletion, a notice goes to
// the stream subject of the subject's shard (a deletion to every shard: its subject may be gone). The stream's
// acknowledgement comes before the enrolment's 201, and the front remembers, per shard, the sequence of the last
// notice it published there: each later search asks the shard to have applied that far (read-your-writes).
import type { JetStreamClient, NatsConnection } from 'nats';
import { AppError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { subjectsOfSamples } from '../store/samples.ts';
import { shardOf } from '../store/shard.ts';
import { subjects } from './tuning.ts';
import { encodeChange, type ChangeNotice } from './wire.ts';

export class ChangePublisher {
  private readonly js: JetStreamClient;
  private readonly last = new Map<number, number>();

  constructor(nc: NatsConnection, private readonly db: Db, private readonly shards: number, private readonly log: (err: unknown, m: string) => void) {
    this.js = nc.jetstream();
  }

  /** The stream sequence this front's last change on `shard` got (0: none since it started). */
  after(shard: number): number { return this.last.get(shard) ?? 0; }

  private async publish(shard: number, notice: ChangeNotice): Promise<void> {
    let ack;
    try {
      ack = await this.js.publish(subjects.changes(this.shards, shard), encodeChange(notice));
    } catch (e) {
      this.log(e, `publishing a change to shard ${shard} failed`);
      throw new AppError('SHARDS_UNAVAILABLE', `the change is stored, but the workers of shard ${shard} could not be told (NATS unavailable); they load it at their next start`);
    }
    this.last.set(shard, Math.max(this.after(shard), ack.seq));
  }

  /** Enrolled samples, each on its subject's shard (looked up in PostgreSQL where the caller does not say). */
  async added(modality: 'face' | 'finger', items: { sampleId: number; subjectId?: string }[]): Promise<void> {
    const unknown = items.filter((i) => !i.subjectId).map((i) => i.sampleId);
    const owners = await subjectsOfSamples(this.db, unknown);
    const byShard = new Map<number, number[]>();
    for (const i of items) {
      const subject = i.subjectId ?? owners.get(i.sampleId);
      if (!subject) continue; // deleted meanwhile: nothing to add
      const s = shardOf(subject, this.shards);
      byShard.set(s, [...(byShard.get(s) ?? []), i.sampleId]);
    }
    await Promise.all([...byShard].map(([s, ids]) => this.publish(s, { op: 'add', modality, ids })));
  }

  /** Deleted samples, to every shard. Checks already drop them (PostgreSQL decides who a hit belongs to), so the
   *  notice only frees the workers' memory: it is sent in the background. */
  removed(modality: 'face' | 'finger', ids: number[]): void {
    if (!ids.length) return;
    for (let s = 0; s < this.shards; s++) {
      this.publish(s, { op: 'remove', modality, ids }).catch((e) => this.log(e, `publishing a deletion to shard ${s} failed; its workers drop the samples at their next start`));
    }
  }
}
