// Our minutiae extractor (native/src/extract): a grey fingerprint image at 500 ppi -> minutiae.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FingerMinutiae, Minutia, MinutiaType } from './types.ts';

/** Identifies the extractor in stored samples, so a better one can re-extract the gallery later. */
export const EXTRACTOR_VERSION = 'biocheck-extract-1';

interface RawExtraction { minutiae: Float64Array; foreground: number; coherence: number; period: number; contrast: number }
interface ExtractAddon {
  version: string;
  extract(pixels: Uint8Array, width: number, height: number): RawExtraction;
  extractAsync(pixels: Uint8Array, width: number, height: number): Promise<RawExtraction>;
}

const require = createRequire(import.meta.url);
const addonPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native/build/Release/biocheck_extract.node');
let cached: ExtractAddon | undefined;
const addon = (): ExtractAddon => (cached ??= require(addonPath) as ExtractAddon);

/** A grey image at 500 ppi: width*height bytes, dark ridges. */
export interface GreyImage { width: number; height: number; pixels: Uint8Array }

export interface ImageExtraction {
  finger: FingerMinutiae;
  /** Measures of the image the quality score is built from. */
  stats: { foreground: number; coherence: number; period: number; contrast: number };
}

const TYPES: MinutiaType[] = ['other', 'ending', 'bifurcation'];

function toFinger(img: GreyImage, raw: RawExtraction, position: number): ImageExtraction {
  const m = raw.minutiae, minutiae: Minutia[] = [];
  for (let i = 0; i < m.length; i += 5) {
    minutiae.push({ x: m[i], y: m[i + 1], angle: m[i + 2], type: TYPES[m[i + 3]] ?? 'other', quality: m[i + 4] });
  }
  return {
    finger: { position, width: img.width, height: img.height, minutiae },
    stats: { foreground: raw.foreground, coherence: raw.coherence, period: raw.period, contrast: raw.contrast },
  };
}

/** Extracts on the calling thread (benchmarks, tests). */
export function extractMinutiae(img: GreyImage, position = 0): ImageExtraction {
  return toFinger(img, addon().extract(img.pixels, img.width, img.height), position);
}

/** Extracts on a libuv worker thread (the service). */
export async function extractMinutiaeAsync(img: GreyImage, position = 0): Promise<ImageExtraction> {
  return toFinger(img, await addon().extractAsync(img.pixels, img.width, img.height), position);
}
