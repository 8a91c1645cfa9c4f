// The FVC2004 B templates from the shared data, and every genuine and impostor pair within each DB.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FingerMinutiae } from '../../src/finger/types.ts';
import { parseTemplate, toFingerMinutiae } from '../../src/ingest/templates/index.ts';

export const FVC_DBS = ['DB1_B', 'DB2_B', 'DB3_B', 'DB4_B'] as const;

export interface FvcFinger {
  db: string;
  file: string;
  finger: number;
  impression: number;
  minutiae: FingerMinutiae;
}

export function fvcRoot(sharedData: string): string {
  return path.join(sharedData, 'fingerprints', 'fvc2004');
}

export function loadFvcDb(sharedData: string, db: string): FvcFinger[] {
  const dir = path.join(fvcRoot(sharedData), db);
  if (!existsSync(dir)) throw new Error(`FVC2004 folder not found: ${dir}`);
  return readdirSync(dir).filter((f) => f.endsWith('.iso')).sort().map((file) => {
    const [finger, impression] = file.replace('.iso', '').split('_').map(Number);
    return { db, file, finger, impression, minutiae: toFingerMinutiae(parseTemplate(readFileSync(path.join(dir, file))))[0] };
  });
}

/** pairs_all: every unordered pair of templates within one DB, genuine when the finger matches. */
export function allPairs(n: number, fingerOf: (i: number) => number): { a: number; b: number; genuine: boolean }[] {
  const out: { a: number; b: number; genuine: boolean }[] = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) out.push({ a, b, genuine: fingerOf(a) === fingerOf(b) });
  return out;
}
