// The synthetic fingerprint generator the 1:N benches rest on: deterministic, valid ISO 19794-2 records, and
// distinct fingers (impressions of one finger match, of different fingers do not).
import { describe, expect, it } from 'vitest';
import { compareFingers, encodeFinger } from '../src/finger/matcher.ts';
import { rawThresholdForFmr } from '../src/finger/calibrate.ts';
import { parseTemplate } from '../src/ingest/templates/index.ts';
import { fromIso, isoTemplate, syntheticImpression, syntheticMaster } from '../bench/lib/synth-finger/index.ts';
import { pack, unpack } from '../bench/lib/synth-finger/gallery-cache.ts';

const SEED = 4242, FINGERS = 6;
const capture = (finger: number, k: number) => isoTemplate(syntheticImpression(syntheticMaster(SEED, finger), SEED, finger, k).finger);

describe('synthetic fingers', () => {
  const records = Array.from({ length: FINGERS }, (_, f) => [capture(f, 0), capture(f, 1)]);

  it('is deterministic per (seed, finger, impression) and differs between impressions', () => {
    expect(capture(3, 1)).toEqual(records[3][1]);
    expect(capture(3, 0)).not.toEqual(records[3][1]);
  });

  it('writes strict ISO 19794-2:2005 records with a plausible number of minutiae inside the window', () => {
    for (const r of records.flat()) {
      const t = parseTemplate(r);
      expect(t.format).toBe('iso-19794-2:2005');
      const f = fromIso(r);
      expect(f.minutiae.length).toBeGreaterThanOrEqual(8);
      expect(f.minutiae.length).toBeLessThanOrEqual(90);
      for (const m of f.minutiae) {
        expect(m.x).toBeGreaterThanOrEqual(0);
        expect(m.x).toBeLessThan(f.width);
        expect(m.y).toBeLessThan(f.height);
      }
    }
  });

  it('makes distinct fingers: impressions of one finger match above FMR 1e-3, of different fingers below', () => {
    const t = records.map((pair) => pair.map((r) => encodeFinger(fromIso(r))));
    const threshold = rawThresholdForFmr(1e-3);
    const genuine = t.map(([a, b]) => compareFingers(a, b));
    const impostor = t.flatMap(([a], i) => t.slice(i + 1).map(([, b]) => compareFingers(a, b)));
    expect(genuine.filter((s) => s >= threshold).length).toBeGreaterThanOrEqual(FINGERS - 1);
    expect(Math.max(...impostor)).toBeLessThan(threshold);
  });

  it('packs and unpacks cached galleries losslessly', () => {
    const flat = records.flat();
    expect(unpack(pack(flat)).map((r) => Array.from(r))).toEqual(flat.map((r) => Array.from(r)));
  });
});
