// Synthetic fingerprints for the benches: any number of distinct fingers (seed, index), each with as many
// impressions as asked, as ISO 19794-2:2005 records. Pipeline and choices: docs/synthetic-fingerprints.md.
import { rng } from '../finger-synthetic.ts';
import { impress, type Impression } from './impression.ts';
import { makeMaster, type Master } from './master.ts';
import { traceRidges } from './ridges.ts';
import type { Minutia } from '../../../src/finger/types.ts';

export { isoTemplate, fromIso } from './iso.ts';
export type { Impression } from './impression.ts';

/** A 32-bit mix of the generator seed and up to two indices: every finger and capture has its own stream. */
function mix(...v: number[]): number {
  let h = 0x811c9dc5;
  for (const x of v) {
    h = Math.imul(h ^ (x >>> 0), 0x01000193);
    h ^= h >>> 15; h = Math.imul(h, 0x2c1b3c6d); h ^= h >>> 12;
  }
  return h >>> 0;
}

export interface SyntheticFinger {
  master: Master;
  minutiae: Minutia[];
}

export function syntheticMaster(seed: number, finger: number): SyntheticFinger {
  const r = rng(mix(seed, finger));
  const master = makeMaster(r);
  return { master, minutiae: traceRidges(master, r).minutiae };
}

/** Impression `k` of a finger (k = 0, 1, ...: independent captures). */
export function syntheticImpression(f: SyntheticFinger, seed: number, finger: number, k: number, position = 0): Impression {
  return impress(f.master, f.minutiae, rng(mix(seed, finger, k + 1)), position);
}
