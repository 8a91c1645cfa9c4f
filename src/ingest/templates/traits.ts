// What differs between the five formats below the record header, in one table, so the shared
// minutia and extended-data codecs stay format-agnostic.
import type { TemplateFormat } from './types.ts';

export interface FormatTraits {
  /** 'iso': 256 units per turn; 'ansi': 2 degrees per unit, 0..179. */
  angleUnit: 'iso' | 'ansi';
  /** ISO 2005 counts only the data in an extended block's length; the others count the 4-byte header too. */
  blockLengthIncludesHeader: boolean;
  /** Extended data type 0x0003 (zonal quality) is defined by ISO 19794-2 only. */
  hasZonalQuality: boolean;
  /** Where a core/delta angle flag lives: the top bits of each point's x (ISO) or the count byte (ANSI). */
  coreDeltaStyle: 'iso' | 'ansi';
  /** 254 (not reported) and 255 (failed) are quality values besides 0..100. */
  qualitySpecials: boolean;
  validPosition(code: number): boolean;
  impressionTypes: ReadonlySet<number>;
}

const singleFinger = (c: number) => c >= 0 && c <= 10;
/** ISO 19794-2:2011 and ANSI 378-2009/AM1 add multi-finger codes 13..15 and 40..50. */
const extendedPositions = (c: number) => singleFinger(c) || (c >= 13 && c <= 15) || (c >= 40 && c <= 50);

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
// Impression type tables of each edition (live/non-live plain/rolled, latent kinds, swipe, contactless...).
const IMPRESSIONS_2005 = new Set([0, 1, 2, 3, 8, 9]);
const IMPRESSIONS_ANSI_2009 = new Set([0, 1, 2, 3, 8, 10, 11, ...range(20, 29)]);
const IMPRESSIONS_ISO_2011 = new Set([...range(0, 9), 24, 28, 29]);

export const TRAITS: Record<TemplateFormat, FormatTraits> = {
  'iso-19794-2:2005': {
    angleUnit: 'iso', blockLengthIncludesHeader: false, hasZonalQuality: true, coreDeltaStyle: 'iso',
    qualitySpecials: false, validPosition: singleFinger, impressionTypes: IMPRESSIONS_2005,
  },
  'iso-19794-2:2011': {
    angleUnit: 'iso', blockLengthIncludesHeader: true, hasZonalQuality: true, coreDeltaStyle: 'iso',
    qualitySpecials: true, validPosition: extendedPositions, impressionTypes: IMPRESSIONS_ISO_2011,
  },
  'ansi-378:2004': {
    angleUnit: 'ansi', blockLengthIncludesHeader: true, hasZonalQuality: false, coreDeltaStyle: 'ansi',
    qualitySpecials: false, validPosition: singleFinger, impressionTypes: IMPRESSIONS_2005,
  },
  'ansi-378:2009': {
    angleUnit: 'ansi', blockLengthIncludesHeader: true, hasZonalQuality: false, coreDeltaStyle: 'ansi',
    qualitySpecials: true, validPosition: singleFinger, impressionTypes: IMPRESSIONS_ANSI_2009,
  },
  'ansi-378:2009am1': {
    angleUnit: 'ansi', blockLengthIncludesHeader: true, hasZonalQuality: false, coreDeltaStyle: 'ansi',
    qualitySpecials: true, validPosition: extendedPositions, impressionTypes: IMPRESSIONS_ANSI_2009,
  },
};

/** Largest raw angle a format defines (ISO: any byte; ANSI: 179 = 358 degrees). */
export const maxAngle = (t: FormatTraits) => (t.angleUnit === 'ansi' ? 179 : 255);

export const validQuality = (t: FormatTraits, q: number) => (q >= 0 && q <= 100) || (t.qualitySpecials && (q === 254 || q === 255));

/** Extended data type codes defined by the standards. */
export const BLOCK_RIDGE_COUNTS = 0x0001;
export const BLOCK_CORE_DELTA = 0x0002;
export const BLOCK_ZONAL_QUALITY = 0x0003;
