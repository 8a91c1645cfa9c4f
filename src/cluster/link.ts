// A front's connection to the cluster: NATS, the changes it publishes, the searches it fans out, the shards it sees.
import type { NatsConnection } from 'nats';
import type { AppContext } from '../context.ts';
import { ChangePublisher } from './changes.ts';
import { ShardCoverage } from './coverage.ts';
import { ShardFanout } from './fanout.ts';
import { connectNats, ensureChangesStream, natsHost } from './nats.ts';

export class ClusterLink {
  private constructor(readonly nc: NatsConnection, readonly changes: ChangePublisher, readonly fanout: ShardFanout, readonly coverage: ShardCoverage) {}

  static async open(ctx: AppContext): Promise<ClusterLink> {
    const { natsUrl, shards, searchDeadlineMs } = ctx.config.cluster;
    const nc = await connectNats(natsUrl, 'biocheck-front');
    try {
      await ensureChangesStream(nc);
      const warn = (err: unknown, m: string) => ctx.log.warn(err ? { err } : {}, m);
      const changes = new ChangePublisher(nc, ctx.db, shards, warn);
      const link = new ClusterLink(nc, changes, new ShardFanout(nc, shards, searchDeadlineMs, changes, ctx.metrics, warn),
        new ShardCoverage(nc, shards, (m) => ctx.log.warn(m)));
      ctx.log.info({ nats: natsHost(natsUrl), shards }, 'cluster front: connected to NATS');
      return link;
    } catch (e) {
      await nc.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    this.coverage.close();
    await this.nc.drain();
  }
}
