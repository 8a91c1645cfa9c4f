// lfw_dev (../shared/data/faces/lfw_dev, read in place) and the poor-capture variants the benches generate
// on the fly from each file (its README's list: 25 % downscale, JPEG q20, blur sigma 2, 20° rotation,
// 35 % brightness, all combined). Nothing derived from the data is written into the repository.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { sharedData } from './report.ts';

export const lfwDir = path.join(sharedData, 'faces', 'lfw_dev');
export const lfwPresent = () => existsSync(path.join(lfwDir, 'identities.csv'));

export interface LfwImage { file: string; identity: string; role: 'mated' | 'distractor' }
export interface LfwPair { a: string; b: string; same: boolean }

const csv = (name: string) => readFileSync(path.join(lfwDir, name), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));

export function lfwImages(): LfwImage[] {
  return csv('identities.csv').map(([file, identity, role]) => ({ file, identity, role: role as LfwImage['role'] }));
}
export function lfwPairs(): LfwPair[] {
  return csv('pairs.csv').map(([a, b, same]) => ({ a, b, same: same === '1' }));
}
export const lfwBytes = (file: string) => new Uint8Array(readFileSync(path.join(lfwDir, file)));

/** The identification protocol: first image of each mated identity enrolled (plus every distractor), the rest probe. */
export function lfwProtocol(images: LfwImage[]): { gallery: LfwImage[]; probes: LfwImage[] } {
  const seen = new Set<string>();
  const gallery: LfwImage[] = [];
  const probes: LfwImage[] = [];
  for (const im of images) {
    if (im.role === 'distractor' || !seen.has(im.identity)) { gallery.push(im); seen.add(im.identity); } else probes.push(im);
  }
  return { gallery, probes };
}

export const VARIANTS = ['original', 'downscale25', 'jpeg20', 'blur2', 'rotate20', 'bright35', 'combined'] as const;
export type Variant = (typeof VARIANTS)[number];

/** One poor-capture variant of an encoded image, as JPEG (PNG for the lossless ones, so only the JPEG variant adds blocking). */
export async function makeVariant(bytes: Uint8Array, v: Variant): Promise<Uint8Array> {
  if (v === 'original') return bytes;
  const meta = await sharp(bytes).metadata();
  const w = meta.width ?? 150;
  const h = meta.height ?? 150;
  const steps: Record<Exclude<Variant, 'original' | 'combined'>, (s: Sharp) => Sharp> = {
    downscale25: (s) => s.resize(Math.max(1, Math.round(w / 4)), Math.max(1, Math.round(h / 4)), { kernel: 'lanczos3' }),
    jpeg20: (s) => s,
    blur2: (s) => s.blur(2),
    // Rotated about the centre, cropped back to the original frame (edge areas black, as a tilted camera gives).
    rotate20: (s) => s.rotate(20, { background: { r: 0, g: 0, b: 0 } }),
    bright35: (s) => s.linear(0.35, 0),
  };
  const once = async (input: Uint8Array, step: Exclude<Variant, 'original' | 'combined'>, last: boolean): Promise<Uint8Array> => {
    let s = steps[step](sharp(input));
    if (step === 'rotate20') {
      const r = await s.png().toBuffer({ resolveWithObject: true });
      const iw = r.info.width; const ih = r.info.height;
      const cw = (await sharp(input).metadata()).width!; const ch = (await sharp(input).metadata()).height!;
      s = sharp(r.data).extract({ left: Math.floor((iw - cw) / 2), top: Math.floor((ih - ch) / 2), width: cw, height: ch });
    }
    const jpeg = step === 'jpeg20' || (last && false);
    return new Uint8Array(jpeg ? await s.jpeg({ quality: 20 }).toBuffer() : await s.png().toBuffer());
  };
  if (v !== 'combined') return once(bytes, v, true);
  // All combined: rotate, blur, darken, downscale, then JPEG q20.
  let cur = bytes;
  for (const step of ['rotate20', 'blur2', 'bright35', 'downscale25', 'jpeg20'] as const) cur = await once(cur, step, false);
  return cur;
}
