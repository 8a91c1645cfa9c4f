// Loads the native matcher addon (native/build/Release/biocheck_matcher.node).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeSearchResult {
  hits: { id: number; score: number }[];
  /** Entries that passed the position filter. */
  scanned: number;
  /** Entries given the full comparison. */
  compared: number;
  /** Inverted-index postings the first stage visited (0 when exhaustive). */
  postings: number;
  /** Wall time of the first stage (sketch votes) and of the full comparisons, ms. */
  firstStageMs: number;
  rerankMs: number;
}

export interface NativeSearchOptions {
  /** Candidates returned, best first (default 10). */
  k?: number;
  /** Probe finger positions; entries whose known position is not listed are skipped. 0 or none = any. */
  positions?: number[];
  /** Native threads (default: all cores). */
  threads?: number;
  /** First stage (MinHash sketches of the cylinders) keeps max(rerankMin, rerankFraction x size) entries for the full
   *  comparison (defaults 0.02 and 500, native/src/matcher/gallery.h). */
  rerankFraction?: number;
  rerankMin?: number;
  /** Full comparison against every entry: the reference the two-stage search is checked against. */
  exhaustive?: boolean;
  /** First-stage ranking: "rare-keys" (default) weights each shared sketch key by its rarity in the gallery and ranks
   *  by votes above the chance level for the entry's size; "votes" is the original count over both sketch sizes. */
  firstStage?: 'rare-keys' | 'votes';
}

export interface NativeGallery {
  add(id: number, template: Uint8Array, position?: number): void;
  /** Decodes every template first (one bad one rejects the batch), builds features on native threads. positions: -1 = the template's own. */
  addMany(ids: Float64Array, templates: Uint8Array[], positions: Int16Array): Promise<void>;
  remove(id: number): boolean;
  /** Removes on a native thread (the write lock waits for running searches off the event loop); resolves to how many were present. */
  removeMany(ids: Float64Array): Promise<number>;
  size(): number;
  memoryBytes(): number;
  search(probe: Uint8Array, options: NativeSearchOptions): Promise<NativeSearchResult>;
}

export interface MatcherAddon {
  version: string;
  /** Which sketch-vote loop filterSimilarity uses: "avx512" (gather) or "portable"; both count the same votes.
   *  (Gallery searches count the same votes through an inverted index instead.) */
  firstStageSimd: string;
  /** Which cylinder-pair similarity kernel the full comparison uses: "avx512-vpopcntdq" or "portable" (same bits;
   *  BIOCHECK_MATCHER_PORTABLE=1 at load forces the portable one). */
  comparisonSimd: string;
  encode(position: number, width: number, height: number, minutiae: Float64Array): Uint8Array;
  /** undefined when valid, otherwise "CODE|message". */
  check(template: Uint8Array): string | undefined;
  describe(template: Uint8Array): { minutiae: number; cylinders: number; sketched: number };
  compare(a: Uint8Array, b: Uint8Array): number;
  compareAsync(a: Uint8Array, b: Uint8Array): Promise<number>;
  filterSimilarity(a: Uint8Array, b: Uint8Array): number;
  /** compare(a, b) and the minutiae pairs it counted: [a0, b0, a1, b1, ...], indices in each template's minutiae
   *  order; transform takes a's positions into b's frame (x' = c x - s y + tx, y' = s x + c y + ty). */
  comparePairing(a: Uint8Array, b: Uint8Array): { score: number; pairs: Int32Array; transform: { c: number; s: number; tx: number; ty: number } };
  /** The template's minutiae, 5 numbers each: x, y (500 ppi pixels, y down), angle (radians CCW), type (0 other,
   *  1 ending, 2 bifurcation), quality. */
  minutiae(template: Uint8Array): { position: number; width: number; height: number; minutiae: Float64Array };
  Gallery: new () => NativeGallery;
}

const require = createRequire(import.meta.url);
const addonPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native/build/Release/biocheck_matcher.node');

let cached: MatcherAddon | undefined;
export function matcherAddon(): MatcherAddon {
  cached ??= require(addonPath) as MatcherAddon;
  return cached;
}
