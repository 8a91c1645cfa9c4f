// toFingerMinutiae: 500 ppi pixels, radians CCW from +x, ending/bifurcation/other, quality 0..100.
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { angleToRadians, encodeTemplate, parseTemplate, qualityTo100, scaleFor, toFingerMinutiae, type ParsedTemplate } from '../src/ingest/templates/index.ts';
import { ANSI2009_EXAMPLE, ISO2005_EXAMPLE, ISO2011_EXAMPLE } from './fixtures/templates/examples.ts';

const iso2005 = (resolution: number, minutiae: ParsedTemplate['views'][0]['minutiae']): ParsedTemplate => ({
  ...ISO2005_EXAMPLE,
  header: { ...ISO2005_EXAMPLE.header, resolutionX: resolution, resolutionY: resolution, imageWidth: 400, imageHeight: 400 },
  views: [{ position: 3, viewNumber: 0, impressionType: 0, fingerQuality: 50, minutiae, extended: [] }],
});

describe('toFingerMinutiae', () => {
  it('scales by 500 / (px per cm × 2.54): 394 px/cm (1000.76 ppi) halves coordinates', () => {
    const [f] = toFingerMinutiae(parseTemplate(encodeTemplate(iso2005(394, [{ type: 'ending', x: 200, y: 100, angle: 0, quality: 60 }]))));
    const s = 500 / (394 * 2.54);
    expect(f.minutiae[0].x).toBeCloseTo(200 * s, 9);
    expect(f.minutiae[0].y).toBeCloseTo(100 * s, 9);
    expect(f.minutiae[0].x).toBeCloseTo(99.92, 1);
    expect(f.width).toBeCloseTo(400 * s, 9);
    expect(f.position).toBe(3);
  });

  it('falls back to 197 px/cm (500 ppi) when the resolution is 0', () => {
    expect(scaleFor(0)).toBeCloseTo(scaleFor(197), 12);
    const [f] = toFingerMinutiae(iso2005(0, [{ type: 'bifurcation', x: 197, y: 5, angle: 0, quality: 0 }]));
    expect(f.minutiae[0].x).toBeCloseTo(197 * 500 / (197 * 2.54), 9);
  });

  it('converts ISO angles (256 per turn) and ANSI angles (2 degrees) to radians in [0, 2π)', () => {
    expect(angleToRadians(64, 'iso')).toBeCloseTo(Math.PI / 2, 12);
    expect(angleToRadians(128, 'iso')).toBeCloseTo(Math.PI, 12);
    expect(angleToRadians(255, 'iso')).toBeCloseTo((255 / 256) * 2 * Math.PI, 12);
    expect(angleToRadians(45, 'ansi')).toBeCloseTo(Math.PI / 2, 12);
    expect(angleToRadians(179, 'ansi')).toBeCloseTo((358 / 180) * Math.PI, 12);
    expect(angleToRadians(180, 'ansi')).toBe(0); // leniently accepted out-of-range value wraps
    expect(angleToRadians(0, 'iso')).toBe(0);
  });

  it('maps quality: 0..100 kept, 254/255/absent → 0', () => {
    expect([qualityTo100(0), qualityTo100(77), qualityTo100(100), qualityTo100(254), qualityTo100(255), qualityTo100(undefined)])
      .toEqual([0, 77, 100, 0, 0, 0]);
  });

  it('keeps the minutia type and uses per-view resolution in ANSI 2009', () => {
    const fingers = toFingerMinutiae(ANSI2009_EXAMPLE);
    const [v0, v1] = ANSI2009_EXAMPLE.views;
    expect(fingers).toHaveLength(2);
    expect(fingers[0].minutiae[3].x).toBeCloseTo(v0.minutiae[3].x * 500 / (394 * 2.54), 9);
    expect(fingers[1].minutiae[3].x).toBeCloseTo(v1.minutiae[3].x * 500 / (197 * 2.54), 9);
    expect(fingers[0].minutiae.map((m) => m.type)).toEqual(v0.minutiae.map((m) => m.type));
    expect(fingers[0].minutiae[0].angle).toBeCloseTo((v0.minutiae[0].angle * 2 * Math.PI) / 180, 12);
  });

  it('ISO 2011: 5-byte minutiae have quality 0; a multi-finger position becomes 0 (unknown)', () => {
    const fingers = toFingerMinutiae(ISO2011_EXAMPLE);
    expect(fingers[1].position).toBe(0); // 47: right index, middle and ring
    expect(fingers[1].minutiae.every((m) => m.quality === 0)).toBe(true);
    expect(fingers[0].position).toBe(7);
    expect(fingers[0].minutiae[2].quality).toBe(ISO2011_EXAMPLE.views[0].minutiae[2].quality);
  });

  it('throws TEMPLATE_NO_MINUTIAE when no view holds a minutia', () => {
    const empty = iso2005(197, []);
    expect(() => toFingerMinutiae(empty)).toThrow(AppError);
    try { toFingerMinutiae(empty); } catch (e) { expect((e as AppError).code).toBe('TEMPLATE_NO_MINUTIAE'); }
    expect(toFingerMinutiae(ISO2005_EXAMPLE).map((f) => f.minutiae.length)).toEqual([12, 7, 0]);
  });
});
