// What the domain tells operations, without knowing about Prometheus: events as they happen (a check decided)
// and state read when metrics are scraped (an index building or ready, its size, its snapshot's age).
// src/http/domain-metrics.ts turns them into metrics; the domain never imports it.

export type CheckDecision = 'hit' | 'review' | 'no-hit' | 'incomplete';

export interface CheckObserved {
  decision: CheckDecision;
  mode: 'standard' | 'investigative';
  /** Every watchlist searched, with the best level any of its subjects reached (no-hit: none did). */
  watchlists: { id: string; decision: CheckDecision }[];
}

export type IndexModality = 'face' | 'finger';

export interface IndexState {
  state: 'building' | 'ready';
  /** Entries searchable now. */
  size: number;
  /** The face index's snapshot file (its age is read from it), when the index keeps one. */
  snapshotPath?: string;
  /** The last snapshot save failed (the next start replays more from PostgreSQL, or rebuilds). */
  snapshotFailing?: boolean;
}

export class Observations {
  private checkListeners: ((c: CheckObserved) => void)[] = [];
  private indexes = new Map<IndexModality, () => IndexState>();

  onCheck(fn: (c: CheckObserved) => void): void { this.checkListeners.push(fn); }
  /** A check was decided and recorded. */
  checked(c: CheckObserved): void { for (const fn of this.checkListeners) fn(c); }

  /** The layer that owns an index says how to read its state (replaces what it said before). */
  index(modality: IndexModality, read: () => IndexState): void { this.indexes.set(modality, read); }
  /** The state of this modality's index, once its layer has started (before: absent). */
  indexState(modality: IndexModality): IndexState | undefined { return this.indexes.get(modality)?.(); }
}
