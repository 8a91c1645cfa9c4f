// The full comparison's SIMD pair-similarity kernel and its portable fallback give the same scores, bit for bit.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareFingers, encodeFinger } from '../src/finger/index.ts';
import { matcherAddon } from '../src/finger/native.ts';
import { perturb, rng, syntheticFinger } from '../bench/lib/finger-synthetic.ts';

const addonPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../native/build/Release/biocheck_matcher.node');

describe('full comparison kernels', () => {
  it('portable (BIOCHECK_MATCHER_PORTABLE=1) and the CPU-dispatched kernel score every pair identically', () => {
    const r = rng(7);
    const fingers = Array.from({ length: 8 }, () => syntheticFinger(r, 20 + Math.floor(r() * 40)));
    const templates = fingers.flatMap((f) => [encodeFinger(f), encodeFinger(perturb(f, r))]);
    const here: number[] = [];
    for (let a = 0; a < templates.length; a++) for (let b = 0; b < templates.length; b++) here.push(compareFingers(templates[a], templates[b]));
    expect(here.some((s) => s > 0.2)).toBe(true);  // mates score: the kernels are exercised on real overlaps
    const script = `
      const addon = require(${JSON.stringify(addonPath)});
      const t = JSON.parse(require('fs').readFileSync(0, 'utf8')).map((b) => new Uint8Array(Buffer.from(b, 'base64')));
      const out = [];
      for (let a = 0; a < t.length; a++) for (let b = 0; b < t.length; b++) out.push(addon.compare(t[a], t[b]));
      process.stdout.write(JSON.stringify({ kernel: addon.comparisonSimd, scores: out }));`;
    const child = JSON.parse(execFileSync(process.execPath, ['-e', script], {
      input: JSON.stringify(templates.map((t) => Buffer.from(t).toString('base64'))),
      env: { ...process.env, BIOCHECK_MATCHER_PORTABLE: '1' },
    }).toString());
    expect(child.kernel).toBe('portable');
    expect(child.scores).toEqual(here);
    expect(['portable', 'avx512-vpopcntdq']).toContain(matcherAddon().comparisonSimd);
  });
});
