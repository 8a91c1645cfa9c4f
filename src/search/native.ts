// Loads the biocheck_vector addon (native/src/vector) and types its surface.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeStats {
  dim: number; kind: 'f32' | 'i8'; M: number; efConstruction: number;
  size: number; slots: number; deleted: number; capacity: number; indexBytes: number;
  exactFallbacks: number; simd: string;
  /** Nodes a search for their own vector missed, so the repair linked them (native/src/vector/graph_repair.h). */
  repairedNodes: number;
}

/** One navigation repair pass (native/src/vector/graph_repair.h). */
export interface RepairResult { checked: number; missed: number; linked: number; stillMissed: number }

export interface NativeSearchResult { ids: Float64Array; scores: Float32Array; counts: Uint32Array }

export interface NativeIndex {
  addBatch(ids: Float64Array, vectors: Float32Array, watchlists: Uint32Array, threads: number): Promise<void>;
  remove(id: number): boolean;
  search(queries: Float32Array, k: number, ef: number, exact: boolean, watchlists: Uint32Array | null,
    threads: number): Promise<NativeSearchResult>;
  save(path: string, highWater: number): Promise<void>;
  compact(threads: number): Promise<void>;
  repair(threads: number): Promise<RepairResult>;
  stats(): NativeStats;
  /** Live ids (cheap; stats() walks the graph for its byte count). */
  size(): number;
}

export interface NativeIndexOptions {
  dim: number; kind: 'f32' | 'i8'; M: number; efConstruction: number; capacity: number; seed: number;
}

interface NativeModule {
  VectorIndexNative: {
    new(opts: NativeIndexOptions): NativeIndex;
    load(path: string): Promise<{ index: NativeIndex; highWater: number }>;
  };
  simd: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
let addonPath = path.resolve(here, '../../native/build/Release/biocheck_vector.node');
let cached: NativeModule | undefined;

/** Another build of the addon (BIOCHECK_VECTOR_ADDON, read in src/config.ts), before its first use. */
export function useVectorAddon(file: string): void {
  const resolved = path.resolve(file);
  if (cached && resolved !== addonPath) throw new Error(`the vector addon is loaded from ${addonPath} already`);
  addonPath = resolved;
}

/** The addon, loaded on first use (build it with `node scripts/build-native.mjs`). */
export function vectorAddon(): NativeModule {
  cached ??= createRequire(import.meta.url)(addonPath) as NativeModule;
  return cached;
}
