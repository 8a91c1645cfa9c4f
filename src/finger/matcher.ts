// 1:1 fingerprint comparison over the matcher's own binary template (see native/src/matcher/template_codec.cc).
import { AppError, type ErrorCode } from '../errors.ts';
import type { FingerMinutiae, MinutiaType } from './types.ts';
import { matcherAddon } from './native.ts';

/** Largest number of minutiae a template may hold. */
export const MAX_MINUTIAE = 255;
/** Coordinates beyond this many 500 ppi pixels (20 cm) are rejected. */
export const MAX_COORDINATE = 4000;

const TYPE_CODE: Record<MinutiaType, number> = { other: 0, ending: 1, bifurcation: 2 };

/** Turns the addon's "CODE|message" into an AppError. */
export function templateError(raw: string): AppError {
  const bar = raw.indexOf('|');
  const code = (bar > 0 ? raw.slice(0, bar) : 'TEMPLATE_INVALID_FIELD') as ErrorCode;
  return new AppError(code, `finger template: ${bar > 0 ? raw.slice(bar + 1) : raw}`);
}

/** The matcher's compact, versioned, checksummed template (8 bytes a minutia + 16). */
export function encodeFinger(f: FingerMinutiae): Uint8Array {
  const ms = f.minutiae;
  if (ms.length > MAX_MINUTIAE) throw new AppError('TEMPLATE_INVALID_FIELD', `finger has ${ms.length} minutiae; at most ${MAX_MINUTIAE}`);
  if (!Number.isInteger(f.position) || f.position < 0 || f.position > 10) {
    throw new AppError('TEMPLATE_INVALID_FIELD', `finger position ${f.position} is not an integer 0..10`);
  }
  const data = new Float64Array(ms.length * 5);
  ms.forEach((m, i) => {
    if (![m.x, m.y, m.angle, m.quality].every(Number.isFinite) || Math.abs(m.x) > MAX_COORDINATE || Math.abs(m.y) > MAX_COORDINATE) {
      throw new AppError('TEMPLATE_INVALID_FIELD', `minutia ${i} has a non-finite or out-of-range field`);
    }
    const type = TYPE_CODE[m.type];
    if (type === undefined) throw new AppError('TEMPLATE_INVALID_FIELD', `minutia ${i} has unknown type ${String(m.type)}`);
    data.set([m.x, m.y, m.angle, type, Math.max(0, Math.min(100, Math.round(m.quality)))], i * 5);
  });
  const clamp16 = (v: number) => Math.max(0, Math.min(0xffff, Math.round(Number.isFinite(v) ? v : 0)));
  return new Uint8Array(matcherAddon().encode(f.position, clamp16(f.width), clamp16(f.height), data));
}

/** Throws an AppError unless the bytes are a valid matcher template. */
export function validateFingerTemplate(t: Uint8Array): void {
  if (!(t instanceof Uint8Array)) throw new AppError('TEMPLATE_UNKNOWN_FORMAT', 'finger template must be bytes');
  const err = matcherAddon().check(t);
  if (err !== undefined) throw templateError(err);
}

export type FingerInput = Uint8Array | FingerMinutiae;

/** A validated matcher template from either form. */
export function asTemplate(x: FingerInput): Uint8Array {
  if (x instanceof Uint8Array) {
    validateFingerTemplate(x);
    return x;
  }
  return encodeFinger(x);
}

/** Similarity in [0, 1], symmetric: compareFingers(a, b) === compareFingers(b, a). Blocks the caller. */
export function compareFingers(a: FingerInput, b: FingerInput): number {
  return matcherAddon().compare(asTemplate(a), asTemplate(b));
}

/** As compareFingers, computed on a libuv worker thread. */
export function compareFingersAsync(a: FingerInput, b: FingerInput): Promise<number> {
  return matcherAddon().compareAsync(asTemplate(a), asTemplate(b));
}

/** A template's minutiae in the matcher's order (the indices fingerPairing returns). */
export function templateMinutiae(t: Uint8Array): FingerMinutiae {
  const d = matcherAddon().minutiae(asTemplate(t));
  const types: MinutiaType[] = ['other', 'ending', 'bifurcation'];
  const minutiae = [];
  for (let i = 0; i < d.minutiae.length; i += 5) {
    const m = d.minutiae;
    minutiae.push({ x: m[i], y: m[i + 1], angle: m[i + 2], type: types[m[i + 3]] ?? 'other', quality: m[i + 4] });
  }
  return { position: d.position, width: d.width, height: d.height, minutiae };
}

export interface FingerPairing {
  /** compareFingers(a, b), exactly. */
  raw: number;
  /** [index in a, index in b] of each minutia pair the matcher counted. */
  pairs: [number, number][];
  /** Rotation (radians, of positions, y down) and translation taking a's minutiae into b's frame. */
  transform: { rotation: number; tx: number; ty: number };
}

/** The comparison an examiner looks at: the score and the minutiae pairs behind it. */
export function fingerPairing(a: FingerInput, b: FingerInput): FingerPairing {
  const r = matcherAddon().comparePairing(asTemplate(a), asTemplate(b));
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.pairs.length; i += 2) pairs.push([r.pairs[i], r.pairs[i + 1]]);
  const t = r.transform;
  return { raw: r.score, pairs, transform: { rotation: Math.atan2(t.s, t.c), tx: t.tx, ty: t.ty } };
}
