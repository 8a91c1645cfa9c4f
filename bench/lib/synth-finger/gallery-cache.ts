// Synthetic galleries cached under bench/out/ (git-ignored), keyed by seed, size and impression: generating a
// finger costs several CPU milliseconds, so large galleries are made once, by one child process per core, and read
// back after.
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../report.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Records packed as u16 length + bytes. */
function pack(records: Uint8Array[]): Buffer {
  const out = Buffer.alloc(records.reduce((s, r) => s + 2 + r.length, 0));
  let o = 0;
  for (const r of records) { out.writeUInt16LE(r.length, o); out.set(r, o + 2); o += 2 + r.length; }
  return out;
}

export function unpack(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < buf.length;) {
    const n = buf[o] | (buf[o + 1] << 8);
    out.push(buf.subarray(o + 2, o + 2 + n));
    o += 2 + n;
  }
  return out;
}

export interface GalleryRequest {
  seed: number;
  /** Fingers [from, to). */
  from: number;
  to: number;
  impression: number;
  /** Finger position written into every record (0 = unknown), or a position per finger index. */
  positions?: 'none' | 'four';
}

/** The four positions of a four-finger subject (ISO codes: right index, right middle, left index, left middle). */
export const FOUR_FINGERS = [2, 3, 7, 8];
export const positionOf = (req: Pick<GalleryRequest, 'positions'>, finger: number) => (req.positions === 'four' ? FOUR_FINGERS[finger % 4] : 0);

/** ISO records of impression `impression` of fingers [from, to), from the cache or generated (and cached). */
export async function syntheticRecords(req: GalleryRequest, log: (m: string) => void = () => {}): Promise<Uint8Array[]> {
  const dir = path.join(repoRoot, 'bench', 'out', 'synth-fingers');
  const file = path.join(dir, `seed${req.seed}-${req.from}-${req.to}-imp${req.impression}-${req.positions ?? 'none'}.bin`);
  if (existsSync(file)) return unpack(readFileSync(file));
  const workers = Math.max(1, Math.min(cpus().length, Math.ceil((req.to - req.from) / 2000)));
  const t0 = performance.now();
  const step = Math.ceil((req.to - req.from) / workers);
  mkdirSync(dir, { recursive: true });
  const parts = await Promise.all(Array.from({ length: workers }, (_, w) => {
    const from = req.from + w * step, to = Math.min(req.to, from + step), out = `${file}.part${w}`;
    return new Promise<Uint8Array>((resolve, reject) => {
      const child = fork(path.join(here, 'gallery-worker.ts'), [JSON.stringify({ ...req, from, to }), out], { execArgv: ['--import', 'tsx'] });
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code !== 0) return reject(new Error(`synthetic gallery worker exited with ${code}`));
        const b = readFileSync(out);
        rmSync(out);
        resolve(b);
      });
    });
  }));
  const records = parts.flatMap((p) => unpack(p));
  writeFileSync(`${file}.tmp`, pack(records));
  renameSync(`${file}.tmp`, file);
  log(`generated ${records.length} synthetic fingers (seed ${req.seed}, impression ${req.impression}) on ${workers} processes in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return records;
}

export { pack };
