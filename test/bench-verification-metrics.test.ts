// The verification figures every face bench reports (bench/lib/verification-metrics.ts): AUC against the
// definition (share of genuine x impostor pairs in which the genuine pair scores higher, ties half).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auc, verificationFigures } from '../bench/lib/verification-metrics.ts';

const byDefinition = (g: number[], im: number[]) => {
  let s = 0;
  for (const x of g) for (const y of im) s += x > y ? 1 : x === y ? 0.5 : 0;
  return s / (g.length * im.length);
};

describe('auc', () => {
  it('is 1 when every genuine pair outscores every impostor pair, 0 when the reverse, 0.5 for ties', () => {
    expect(auc([0.9, 0.8], [0.1, 0.2, 0.3])).toBe(1);
    expect(auc([0.1], [0.5, 0.6])).toBe(0);
    expect(auc([0.5, 0.5], [0.5])).toBe(0.5);
  });

  it('equals the pairwise definition, ties and lost images (-Infinity) included', () => {
    const score = fc.oneof(fc.integer({ min: -5, max: 5 }).map((x) => x / 5), fc.constant(-Infinity));
    fc.assert(fc.property(fc.array(score, { minLength: 1, maxLength: 40 }), fc.array(score, { minLength: 1, maxLength: 40 }), (g, im) => {
      expect(auc(g, im)).toBeCloseTo(byDefinition(g, im), 12);
    }));
  });

  it('comes with EER and FNMR at FMR 1 % / 0.1 % from the same scores', () => {
    const im = Array.from({ length: 1000 }, (_, i) => i / 1000); // impostors 0 .. 0.999
    const g = [0.5, 0.995, 0.9995, 2];
    const f = verificationFigures(g, im);
    expect(f.fnmrAt1).toBe(0.25); // threshold just above 0.989: only 0.5 falls below
    expect(f.fnmrAt01).toBe(0.5); // threshold just above 0.998: 0.5 and 0.995 fall below
    expect(f.auc).toBeCloseTo(byDefinition(g, im), 12);
  });
});
