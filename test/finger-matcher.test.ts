// 1:1 matcher: invariance to a second capture, symmetry, template validation.
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { calibrateFingerScore, compareFingers, compareFingersAsync, encodeFinger, validateFingerTemplate } from '../src/finger/index.ts';
import { perturb, rng, SECOND_CAPTURE, syntheticFinger } from '../bench/lib/finger-synthetic.ts';

const r = rng(20240601);
const fingers = Array.from({ length: 16 }, () => syntheticFinger(r, 30 + Math.floor(r() * 20)));

describe('invariance to a second capture', () => {
  it('a rotated (±40°), translated, distorted finger with 20% dropped and 20% spurious minutiae scores far above impostors', () => {
    const genuine: number[] = [], impostor: number[] = [];
    fingers.forEach((f, i) => {
      genuine.push(compareFingers(f, perturb(f, r)));
      for (let j = 0; j < fingers.length; j++) if (j !== i) impostor.push(compareFingers(f, perturb(fingers[j], r)));
    });
    const worstGenuine = Math.min(...genuine), bestImpostor = Math.max(...impostor);
    expect(worstGenuine).toBeGreaterThan(2 * bestImpostor);
    // On the calibrated scale: every genuine beyond FMR 1e-4, no impostor beyond FMR 1e-2.
    for (const g of genuine) expect(calibrateFingerScore(g)).toBeGreaterThan(4);
    for (const s of impostor) expect(calibrateFingerScore(s)).toBeLessThan(2);
  });

  it('skin stretched by up to 14 px across the print (a displacement field, not one rigid move) still matches beyond FMR 1e-4', () => {
    // Rigid pairing alone loses the far minutiae here; the matcher fits a displacement field to the pairs it found.
    const stretched = { ...SECOND_CAPTURE, distortion: 14, dropout: 0.1, spurious: 0.1 };
    for (const f of fingers) expect(calibrateFingerScore(compareFingers(f, perturb(f, r, stretched)))).toBeGreaterThan(4);
  });

  it('an identical template scores higher than a perturbed copy, and an empty one scores 0', () => {
    const f = fingers[0];
    expect(compareFingers(f, f)).toBeGreaterThan(compareFingers(f, perturb(f, r)));
    expect(compareFingers(f, { ...f, minutiae: [] })).toBe(0);
  });
});

describe('symmetry', () => {
  it('compare(a, b) === compare(b, a) exactly, sync and async', async () => {
    for (let i = 0; i < fingers.length; i++) {
      const a = encodeFinger(fingers[i]), b = encodeFinger(perturb(fingers[(i * 7) % fingers.length], r));
      const ab = compareFingers(a, b);
      expect(compareFingers(b, a)).toBe(ab);
      expect(await compareFingersAsync(b, a)).toBe(ab);
    }
  });
});

describe('template validation', () => {
  const good = encodeFinger(fingers[1]);
  const rejects = (bytes: Uint8Array, code: string) => {
    let err: unknown;
    try { validateFingerTemplate(bytes); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    expect(() => compareFingers(bytes, good)).toThrow(AppError);
  };

  it('round-trips a valid template', () => {
    expect(() => validateFingerTemplate(good)).not.toThrow();
    expect(good.length).toBe(16 + 8 * fingers[1].minutiae.length);
  });

  it('rejects truncation, wrong magic, wrong length, corrupted bytes and random garbage with template codes', () => {
    rejects(good.subarray(0, 10), 'TEMPLATE_TRUNCATED');
    rejects(good.subarray(0, good.length - 1), 'TEMPLATE_LENGTH_MISMATCH');
    const magic = good.slice(); magic[0] = 0x58;
    rejects(magic, 'TEMPLATE_UNKNOWN_FORMAT');
    const flipped = good.slice(); flipped[20] ^= 0x10;
    rejects(flipped, 'TEMPLATE_INVALID_FIELD');
    const g = rng(3);
    for (let i = 0; i < 200; i++) {
      const junk = Uint8Array.from({ length: Math.floor(g() * 300) }, () => Math.floor(g() * 256));
      expect(() => validateFingerTemplate(junk)).toThrow(AppError);
    }
  });

  it('rejects minutiae it cannot encode', () => {
    const bad = { ...fingers[2], minutiae: [{ ...fingers[2].minutiae[0], x: Number.NaN }] };
    expect(() => encodeFinger(bad)).toThrow(AppError);
    expect(() => encodeFinger({ ...fingers[2], position: 11 })).toThrow(AppError);
  });
});
