// FVC2004 accuracy guard on the shared data (skipped when ../shared/data is absent): EER on DB3 and DB4.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeFinger, FingerGallery } from '../src/finger/index.ts';
import { loadFvcDb } from '../bench/lib/finger-fvc.ts';
import { errorRates } from '../bench/lib/finger-metrics.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.BIOCHECK_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const present = existsSync(path.join(shared, 'fingerprints', 'fvc2004', 'DB3_B'));
// Measured 1.07 % and 2.14 % with matcher 2 (bench/results/finger-accuracy.md); the bounds leave room, not slack to regress far.
const BOUNDS: Record<string, number> = { DB3_B: 0.02, DB4_B: 0.035 };

describe.skipIf(!present)(`FVC2004 EER (shared data at ${shared}${present ? '' : ': absent, skipped'})`, () => {
  for (const db of Object.keys(BOUNDS)) {
    it(`${db}: EER over all 280 genuine and 2880 impostor pairs stays below ${(BOUNDS[db] * 100).toFixed(1)} %`, async () => {
      const fingers = loadFvcDb(shared, db);
      const gallery = new FingerGallery();
      const templates = fingers.map((f) => encodeFinger(f.minutiae));
      templates.forEach((t, i) => gallery.add(i, t));
      const genuine: number[] = [], impostor: number[] = [];
      for (let a = 0; a < templates.length; a++) {
        const hits = await gallery.search(templates[a], { k: templates.length, exhaustive: true });
        for (const h of hits) if (h.id > a) (fingers[a].finger === fingers[h.id].finger ? genuine : impostor).push(h.score);
      }
      expect(genuine.length).toBe(280);
      expect(impostor.length).toBe(2880);
      expect(errorRates(genuine, impostor).eer).toBeLessThan(BOUNDS[db]);
    });
  }
});
