// Synthetic fingerprint images for tests: ridges as the level lines of a phase field (arcs around a core,
// period about 9 px at 500 ppi) with phase dislocations, each of which draws one minutia. The same seed
// is the same finger; an impression moves, turns and blurs it and adds noise.
import { rng } from './fingers.ts';

export interface ImpressionOptions { dx?: number; dy?: number; rotDeg?: number; noise?: number; seed?: number }

export function fingerImage(fingerSeed: number, o: ImpressionOptions = {}, width = 320, height = 400): Uint8Array {
  const r = rng(fingerSeed);
  const core = { x: width * (0.4 + 0.2 * r()), y: height * (0.35 + 0.2 * r()) };
  const period = 8.5 + r();
  const defects = Array.from({ length: 24 }, () => ({ x: width * (0.15 + 0.7 * r()), y: height * (0.12 + 0.76 * r()), s: r() < 0.5 ? 1 : -1 }));
  const noise = rng(o.seed ?? 1);
  const t = ((o.rotDeg ?? 0) * Math.PI) / 180, c = Math.cos(t), s = Math.sin(t);
  const px = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Finger coordinates of this pixel: undo the impression's placement about the image centre.
      const ux = x - width / 2 - (o.dx ?? 0), uy = y - height / 2 - (o.dy ?? 0);
      const fx = c * ux + s * uy + width / 2, fy = -s * ux + c * uy + height / 2;
      const inside = ((fx - width / 2) / (width * 0.46)) ** 2 + ((fy - height / 2) / (height * 0.47)) ** 2 < 1;
      let phase = Math.hypot(fx - core.x, (fy - core.y) * 1.25) / period;
      for (const d of defects) phase += (d.s * Math.atan2(fy - d.y, fx - d.x)) / (2 * Math.PI);
      const v = inside ? 135 - 85 * Math.cos(2 * Math.PI * phase) : 235;
      px[y * width + x] = Math.max(0, Math.min(255, Math.round(v + (o.noise ?? 6) * (noise() * 2 - 1))));
    }
  }
  return px;
}
