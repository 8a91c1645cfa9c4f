// Tuned defaults of the face search index, in one place (measured in bench/face-search.ts).
import { availableParallelism } from 'node:os';

export const SEARCH_DEFAULTS = {
  /** HNSW links per node (level 0 holds twice as many). */
  M: 16,
  /** Candidate list size while building. */
  efConstruction: 200,
  /** Candidate list size while searching (raised to k when k is larger). At 1M synthetic faces (efConstruction
   *  100, int8, navigation repair) ef 48 found a mate for 99.0 % of probes at ~6,900 queries/s per core, ef 64 for
   *  99.6 % (bench/results/face-search-1m-repair.md); 96 leaves a margin for real, more clustered faces. */
  ef: 96,
  /** Slots allocated up front; the graph grows by half when full. */
  initialCapacity: 1024,
  /** Vector storage: float32, or int8 with a per-vector scale and float32 re-ranking.
   *  int8 answered 1.3-1.9x more queries per core at the same recall in bench/face-search
   *  (100k and 50k, both synthetic models) for ~18 % more memory (it keeps the float32 copies). */
  kind: 'i8' as 'f32' | 'i8',
  /** Threads a batch add / batch search uses. */
  threads: availableParallelism(),
  /** Largest k a search may ask for. */
  maxK: 1000,
};

/** Sample ids live above 16 watchlist bits inside a 64-bit label. */
export const MAX_ID = 2 ** 47 - 1;
export const MAX_WATCHLIST = 65535;
