// Synthetic fingers for end-to-end tests: a random minutiae set per finger, and "impressions" of it
// (rotated, shifted, slightly distorted, with minutiae lost and spurious ones added), written as real
// ISO/IEC 19794-2:2005 records by our encoder.
import { encodeTemplate, type ParsedTemplate, type TemplateMinutia } from '../../src/ingest/templates/index.ts';

const W = 300;
const H = 400;

/** Small deterministic PRNG so tests are reproducible. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}

export interface SynthMinutia { x: number; y: number; angle: number; type: 'ending' | 'bifurcation' }

export function synthFinger(seed: number, count = 40): SynthMinutia[] {
  const r = rng(seed);
  const out: SynthMinutia[] = [];
  while (out.length < count) {
    const x = 30 + r() * (W - 60);
    const y = 30 + r() * (H - 60);
    if (out.some((m) => Math.hypot(m.x - x, m.y - y) < 14)) continue; // minutiae are not packed closer than ~ a ridge period
    out.push({ x, y, angle: r() * 2 * Math.PI, type: r() < 0.5 ? 'ending' : 'bifurcation' });
  }
  return out;
}

export function impression(base: SynthMinutia[], seed: number, o: { rotDeg?: number; dx?: number; dy?: number; drop?: number; spurious?: number; jitter?: number } = {}): SynthMinutia[] {
  const r = rng(seed);
  const rot = ((o.rotDeg ?? 0) * Math.PI) / 180;
  const cx = W / 2;
  const cy = H / 2;
  const out: SynthMinutia[] = [];
  for (const m of base) {
    if (r() < (o.drop ?? 0)) continue;
    const j = o.jitter ?? 2;
    const x0 = m.x - cx + (r() - 0.5) * 2 * j;
    const y0 = m.y - cy + (r() - 0.5) * 2 * j;
    const x = cx + x0 * Math.cos(rot) - y0 * Math.sin(rot) + (o.dx ?? 0);
    const y = cy + x0 * Math.sin(rot) + y0 * Math.cos(rot) + (o.dy ?? 0);
    if (x < 0 || y < 0 || x >= W || y >= H) continue;
    // y points down, angles are counter-clockwise: a rotation by +rot in image coordinates turns directions by -rot.
    out.push({ x, y, angle: (m.angle - rot + 4 * Math.PI + (r() - 0.5) * 0.15) % (2 * Math.PI), type: m.type });
  }
  for (let i = 0; i < (o.spurious ?? 0); i++) out.push({ x: 20 + r() * (W - 40), y: 20 + r() * (H - 40), angle: r() * 2 * Math.PI, type: 'ending' });
  return out;
}

/** An ISO/IEC 19794-2:2005 record (197 px/cm, 300x400) holding one finger view. */
export function isoRecord(minutiae: SynthMinutia[], position = 0): Uint8Array {
  const ms: TemplateMinutia[] = minutiae.map((m) => ({
    type: m.type, x: Math.round(m.x), y: Math.round(m.y), angle: Math.round((m.angle / (2 * Math.PI)) * 256) % 256, quality: 60,
  }));
  const t: ParsedTemplate = {
    format: 'iso-19794-2:2005', version: ' 20', warnings: [],
    header: { equipmentCompliance: 0, captureEquipmentId: 0, imageWidth: W, imageHeight: H, resolutionX: 197, resolutionY: 197, reserved: 0 },
    views: [{ position, viewNumber: 0, impressionType: 0, fingerQuality: 60, minutiae: ms, extended: [] }],
  };
  return encodeTemplate(t);
}
