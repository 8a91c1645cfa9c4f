// The front's side of a search: one request to every shard (its workers share a queue group, so one replica
// answers), each with the same deadline, merged into one top-k. A shard that does not answer in time is named
// in the check's coverage; without a coverage to fill, the search fails rather than answer for part of the gallery.
import { Counter, type Registry } from 'prom-client';
import type { NatsConnection } from 'nats';
import { AppError } from '../errors.ts';
import type { SearchCoverage } from '../fusion/modalities.ts';
import type { ChangePublisher } from './changes.ts';
import { subjects } from './tuning.ts';
import { decodeReply, encodeSearch, type SearchRequest, type WireHit } from './wire.ts';

type Search = SearchRequest extends infer R ? R extends SearchRequest ? Omit<R, 'after' | 'deadlineMs'> : never : never;

export class ShardFanout {
  private readonly misses: Counter;

  constructor(private readonly nc: NatsConnection, private readonly shards: number, private readonly deadlineMs: number,
    private readonly changes: ChangePublisher, metrics: Registry, private readonly log: (err: unknown, m: string) => void) {
    this.misses = new Counter({ name: 'biocheck_cluster_shard_misses_total', help: 'Searches a shard did not answer within its deadline', labelNames: ['shard'], registers: [metrics] });
  }

  private async ask(shard: number, search: Search): Promise<WireHit[][] | null> {
    try {
      const req = { ...search, after: this.changes.after(shard), deadlineMs: this.deadlineMs } as SearchRequest;
      const reply = decodeReply((await this.nc.request(subjects.search(shard), encodeSearch(req), { timeout: this.deadlineMs })).data);
      if (reply.ok) return reply.hits;
      this.log(null, `shard ${shard} replica ${reply.replica} could not search: ${reply.error}`);
    } catch (e) {
      // No responders (no worker of the shard connected), a timeout, or a reply that does not decode.
      if (!(e instanceof Error && /503|TIMEOUT/i.test(String((e as { code?: string }).code ?? e.message)))) this.log(e, `shard ${shard}: search failed`);
    }
    this.misses.inc({ shard: String(shard) });
    return null;
  }

  /** Per query, the k best hits over every shard that answered (raw scores: the modality calibrates). */
  async search(search: Search, queries: number, coverage?: SearchCoverage): Promise<WireHit[][]> {
    const replies = await Promise.all(Array.from({ length: this.shards }, (_, s) => this.ask(s, search)));
    const missing = replies.flatMap((r, s) => (r ? [] : [s]));
    if (missing.length) {
      if (!coverage) throw new AppError('SHARDS_UNAVAILABLE', `gallery shard(s) ${missing.join(', ')} did not answer within ${this.deadlineMs} ms`, { missingShards: missing });
      for (const s of missing) coverage.missingShards.add(s);
    }
    return Array.from({ length: queries }, (_, q) => replies.flatMap((r) => r?.[q] ?? []).sort((a, b) => b[1] - a[1]).slice(0, search.k));
  }
}
