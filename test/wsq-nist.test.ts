// WSQ conformance on NIST's reference images (../shared/data/fingerprints/wsq-nist): every file
// decodes to within one grey level of the pixels NIST's reference decoder produces (the
// certification tolerance), including the six that use other filter banks than 7/9; the 2.25 bpp
// copies decode and correlate with the 0.75 bpp ones; cut or damaged files are refused naming field and offset.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { decodeWsq } from '../src/ingest/wsq/index.ts';
import { repoRoot } from './lib/images.ts';

const shared = process.env.BIOCHECK_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const root = path.join(shared, 'fingerprints/wsq-nist');
const present = existsSync(path.join(root, 'wsq'));
const list = (set: string) => (present ? readdirSync(path.join(root, 'wsq', set)).filter((f) => f.endsWith('.wsq')).sort() : []);
const read = (set: string, f: string) => new Uint8Array(readFileSync(path.join(root, 'wsq', set, f)));

async function reference(set: string, f: string): Promise<{ width: number; height: number; grey: Uint8Array }> {
  const { data, info } = await sharp(path.join(root, 'wsq_decoded', set, f.replace(/\.wsq$/, '.webp')))
    .greyscale().raw().toBuffer({ resolveWithObject: true });
  const grey = new Uint8Array(info.width * info.height);
  for (let i = 0; i < grey.length; i++) grey[i] = data[i * info.channels];
  return { width: info.width, height: info.height, grey };
}

const maxDiff = (a: Uint8Array, b: Uint8Array) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };

describe.skipIf(!present)('WSQ conformance on NIST reference images (needs ../shared/data; skipped without it)', () => {
  it('holds all 46 reference files (40 at 0.75 bpp, 6 with other filter banks)', () => {
    expect([list('75').length, list('not_7_9').length]).toEqual([40, 6]);
  });

  // One test per file: each is short, and a failure names its file.
  for (const set of ['75', 'not_7_9']) {
    it.each(list(set))(`${set}/%s within one grey level of the reference decoder`, async (f) => {
      const img = decodeWsq(read(set, f));
      const ref = await reference(set, f);
      expect([img.width, img.height]).toEqual([ref.width, ref.height]);
      expect(maxDiff(img.pixels, ref.grey)).toBeLessThanOrEqual(1);
    });
  }

  it('225: the 2.25 bpp copies decode and correlate with the 0.75 bpp decode of the same image', () => {
    const both = list('225').filter((f) => list('75').includes(f));
    expect(both.length).toBeGreaterThan(0);
    for (const f of both.filter((n) => n.startsWith('cmp')).slice(0, 3)) {
      const hi = decodeWsq(read('225', f)), lo = decodeWsq(read('75', f));
      expect([hi.width, hi.height]).toEqual([lo.width, lo.height]);
      // Pearson correlation of the two decodes: the same ridges, differing by compression noise.
      const n = hi.pixels.length;
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let i = 0; i < n; i++) { const a = hi.pixels[i], b = lo.pixels[i]; sa += a; sb += b; saa += a * a; sbb += b * b; sab += a * b; }
      const r = (n * sab - sa * sb) / Math.sqrt((n * saa - sa * sa) * (n * sbb - sb * sb));
      expect(r, f).toBeGreaterThan(0.95);
    }
  });

  it('every prefix cut of a real file is refused as WSQ_TRUNCATED with field and offset', () => {
    const data = read('75', list('75')[0]);
    for (const cut of [1, 3, 10, 60, 300, 900, Math.floor(data.length / 2), data.length - 3, data.length - 1]) {
      let err: unknown;
      try { decodeWsq(data.subarray(0, cut)); } catch (e) { err = e; }
      expect(err, `cut at ${cut}`).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(e.code, `cut at ${cut}: ${e.message}`).toBe('WSQ_TRUNCATED');
      expect(e.status).toBe(422);
      expect(typeof e.details?.field).toBe('string');
      expect(e.details?.offset).toBeLessThanOrEqual(cut);
    }
  });
});
