// A shard worker: loads its shard from PostgreSQL, then answers searches on biocheck.search.<shard> in the queue
// group shard-<shard> (its replicas share the load and cover for each other), applies the changes stream through
// its own durable consumer, and says it is alive on biocheck.status.<shard>.
//
// Ordering: before loading, the worker reads the stream's last sequence L. Every notice up to L was published after
// its PostgreSQL commit, so the load already holds it: L counts as applied, and older notices that the durable
// consumer still delivers are acknowledged without work. A search carries the sequence of the front's last change
// on this shard; the worker answers once it has applied that far, or says it cannot (the front counts the shard
// missing, so the check is incomplete, never a silent miss).
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type Msg, type NatsConnection, type Subscription } from 'nats';
import type { ClusterConfig } from '../config.ts';
import type { Db } from '../store/db.ts';
import { connectNats, ensureChangesStream } from './nats.ts';
import { ShardGalleries } from './shard-galleries.ts';
import { CATCH_UP_SHARE, CHANGES_STREAM, CONSUME_BATCH, HEARTBEAT_MS, subjects } from './tuning.ts';
import { decodeChange, decodeSearch, encodeReply, encodeStatus } from './wire.ts';

/** A notice that cannot be applied (PostgreSQL away) is retried this often, holding back the ones after it. */
const APPLY_RETRY_MS = 1_000;

export interface WorkerLog { info(m: string): void; error(m: string, err?: unknown): void }

export class ShardWorker {
  private nc?: NatsConnection;
  private search?: Subscription;
  private messages?: ConsumerMessages;
  private heartbeat?: NodeJS.Timeout;
  private consuming?: Promise<void>;
  private applied = 0;
  private waiters: (() => void)[] = [];
  private stopping = false;
  private readonly galleries: ShardGalleries;

  constructor(private readonly cfg: ClusterConfig, db: Db, faceExtractors: string[], private readonly log: WorkerLog, exactSearchMax: number) {
    this.galleries = new ShardGalleries(db, { index: cfg.shard, of: cfg.shards }, faceExtractors, exactSearchMax);
  }

  async start(): Promise<void> {
    const { shard, shards, replica } = this.cfg;
    const nc = this.nc = await connectNats(this.cfg.natsUrl, `biocheck-worker-${shard}-${replica}`);
    const loadedThrough = await ensureChangesStream(nc);
    await this.galleries.load((m) => this.log.info(m));
    this.applied = loadedThrough;
    const jsm = await nc.jetstreamManager();
    const durable = subjects.durable(shards, shard, replica);
    try {
      await jsm.consumers.info(CHANGES_STREAM, durable);
    } catch {
      await jsm.consumers.add(CHANGES_STREAM, {
        durable_name: durable, filter_subject: subjects.changes(shards, shard), ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: loadedThrough + 1,
      });
    }
    this.messages = await (await nc.jetstream().consumers.get(CHANGES_STREAM, durable)).consume({ max_messages: CONSUME_BATCH });
    this.consuming = this.consume(this.messages, loadedThrough);
    this.search = nc.subscribe(subjects.search(shard), { queue: subjects.queue(shard), callback: (err, m) => { if (!err) void this.answer(m); } });
    const beat = () => nc.publish(subjects.status(shard), encodeStatus({ shard, shards, replica, faces: this.galleries.faces, fingers: this.galleries.fingers, applied: this.applied }));
    beat();
    this.heartbeat = setInterval(beat, HEARTBEAT_MS);
    this.log.info(`worker of shard ${shard}/${shards} (replica ${replica}) answering; changes applied through stream sequence ${loadedThrough}`);
  }

  private async consume(messages: ConsumerMessages, loadedThrough: number): Promise<void> {
    for await (const m of messages) {
      if (m.seq > loadedThrough) {
        for (;;) {
          try {
            await this.galleries.apply(decodeChange(m.data));
            break;
          } catch (e) {
            if (e instanceof Error && e.name === 'WireError') { this.log.error(`dropping an unreadable change notice (stream sequence ${m.seq})`, e); break; }
            this.log.error(`applying stream sequence ${m.seq} failed; retrying`, e);
            await new Promise((r) => setTimeout(r, APPLY_RETRY_MS));
            if (this.stopping) return;
          }
        }
      }
      m.ack();
      if (m.seq > this.applied) this.applied = m.seq;
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Until this worker has applied the stream through `seq`, or `ms` passed. */
  private async caughtUp(seq: number, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (this.applied < seq) {
      const left = until - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
    return true;
  }

  private async answer(m: Msg): Promise<void> {
    const { shard, replica } = this.cfg;
    try {
      const req = decodeSearch(m.data);
      if (!(await this.caughtUp(req.after, req.deadlineMs * CATCH_UP_SHARE))) {
        m.respond(encodeReply({ ok: false, shard, replica, error: `behind: applied ${this.applied} of ${req.after}` }));
        return;
      }
      m.respond(encodeReply({ ok: true, shard, replica, hits: await this.galleries.search(req) }));
    } catch (e) {
      m.respond(encodeReply({ ok: false, shard, replica, error: e instanceof Error ? e.message : String(e) }));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.search?.unsubscribe();
    this.messages?.stop();
    await this.consuming?.catch(() => {});
    await this.nc?.drain().catch(() => {});
  }
}
