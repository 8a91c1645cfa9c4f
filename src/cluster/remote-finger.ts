// The front's fingerprint modality: parsing, extraction and 1:1 comparison as in the single process; 1:N searches go
// to every shard's workers, enrolments and deletions to the changes stream.
import type { PreparedFinger, SampleMatch, SearchCoverage } from '../fusion/modalities.ts';
import { calibrateFingerScore } from '../finger/calibrate.ts';
import { FingerService } from '../finger/modality.ts';
import type { ClusterLink } from './link.ts';

export class RemoteFingerModality extends FingerService {
  constructor(private readonly link: ClusterLink) { super(); }

  override async search(probe: PreparedFinger, watchlistNums: number[], k: number, coverage?: SearchCoverage): Promise<SampleMatch[]> {
    if (!watchlistNums.length) return [];
    const [hits] = await this.link.fanout.search({ kind: 'finger', k, watchlists: watchlistNums, template: probe.template, position: probe.position }, 1, coverage);
    return hits.map(([sampleId, raw]) => ({ sampleId, raw, score: calibrateFingerScore(raw) }));
  }

  override async add(items: { sampleId: number; finger: PreparedFinger; watchlistNum: number; subjectId?: string }[]): Promise<void> {
    await this.link.changes.added('finger', items);
  }

  override async remove(sampleIds: number[]): Promise<void> {
    this.link.changes.removed('finger', sampleIds);
  }
}
