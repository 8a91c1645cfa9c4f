// From raw record units to the matcher's: 500 ppi pixels, radians counter-clockwise from +x
// (y down, as the standards draw it), types ending/bifurcation/other, quality 0..100.
import type { FingerMinutiae, Minutia } from '../../finger/types.ts';
import { templateError } from './fail.ts';
import { TRAITS } from './traits.ts';
import type { FingerView, ParsedTemplate } from './types.ts';

export const TARGET_PPI = 500;
const CM_PER_INCH = 2.54;
/**
 * A resolution of 0 means the record does not say. Such records come from 500 ppi capture
 * in practice (the standards' reference resolution, 197 px/cm), so that is assumed: coordinates
 * pass through unscaled.
 */
export const FALLBACK_PPCM = 197;
const ISO_UNITS_PER_TURN = 256;
const ANSI_DEGREES_PER_UNIT = 2;
const TWO_PI = 2 * Math.PI;
/** Positions 1..10 are single fingers; multi-finger codes (2011, 2009/AM1) map to 0, "unknown finger". */
const MAX_SINGLE_FINGER = 10;

/** One FingerMinutiae per finger view. Throws TEMPLATE_NO_MINUTIAE when no view holds any minutia. */
export function toFingerMinutiae(t: ParsedTemplate): FingerMinutiae[] {
  const out = t.views.map((v) => normaliseView(t, v));
  if (out.every((f) => f.minutiae.length === 0)) {
    throw templateError('TEMPLATE_NO_MINUTIAE', `the record holds ${t.views.length} finger view(s) and no minutiae`, 0, 'number of minutiae');
  }
  return out;
}

/** Scale from record pixels to 500 ppi pixels for a resolution in pixels per cm. */
export function scaleFor(ppcm: number | undefined): number {
  const p = ppcm && ppcm > 0 ? ppcm : FALLBACK_PPCM;
  return TARGET_PPI / (p * CM_PER_INCH);
}

/** Raw angle to radians in [0, 2π). */
export function angleToRadians(raw: number, unit: 'iso' | 'ansi'): number {
  const turns = unit === 'iso' ? raw / ISO_UNITS_PER_TURN : (raw * ANSI_DEGREES_PER_UNIT) / 360;
  const r = (turns - Math.floor(turns)) * TWO_PI;
  return r >= TWO_PI ? 0 : r;
}

/** 0..100 as is; "not reported" (0 / 254), "failed" (255) and anything undefined become 0. */
export function qualityTo100(q: number | undefined): number {
  return q !== undefined && q >= 0 && q <= 100 ? q : 0;
}

function normaliseView(t: ParsedTemplate, v: FingerView): FingerMinutiae {
  const sx = scaleFor(v.resolutionX ?? t.header.resolutionX);
  const sy = scaleFor(v.resolutionY ?? t.header.resolutionY);
  const unit = TRAITS[t.format].angleUnit;
  const minutiae: Minutia[] = v.minutiae.map((m) => ({
    x: m.x * sx,
    y: m.y * sy,
    angle: angleToRadians(m.angle, unit),
    type: m.type,
    quality: qualityTo100(m.quality),
  }));
  return {
    position: v.position <= MAX_SINGLE_FINGER ? v.position : 0,
    width: (v.imageWidth ?? t.header.imageWidth ?? 0) * sx,
    height: (v.imageHeight ?? t.header.imageHeight ?? 0) * sy,
    minutiae,
  };
}
