// Builds the finger score calibration (raw score -> -log10 FMR) from measured impostor scores, pooled
// conservatively over several impostor sources (real FVC pairs, synthetic fingers, real against synthetic).

export interface CalibrationTable {
  /** Matcher template/algorithm version the scores came from. */
  matcherVersion: string;
  /** [raw score, -log10 FMR] points, both ascending; empirical up to `measured`, the last point. */
  points: [number, number][];
  /** Beyond the last point: -log10 FMR grows by this much per unit of raw score (fitted exponential tail). */
  tailSlope: number;
  cap: number;
  impostorCount: number;
  source: string;
  /** Where the table is measured: empirical on real impostors up to maxScore (raw maxRaw); to modelled.maxScore, the
   *  synthetic impostors' curve scaled to the real one's rate; above, the fitted tail, up to the cap. */
  measured: { maxScore: number; maxRaw: number; impostors: number; modelled?: { maxScore: number; maxRaw: number; impostors: number; scale: number }; note: string };
}

/** One set of impostor scores, read from the top: the rank-th highest score (1-based). */
export interface ImpostorSample {
  name: string;
  count: number;
  scoreAtRank(rank: number): number;
  /** Share of the scores at or above `score`. */
  shareAtOrAbove(score: number): number;
}

export function sortedSample(name: string, scores: number[]): ImpostorSample {
  const s = Float64Array.from(scores).sort().reverse();
  return {
    name, count: s.length, scoreAtRank: (rank) => s[Math.min(s.length, Math.max(1, rank)) - 1],
    shareAtOrAbove: (score) => { let n = 0; while (n < s.length && s[n] >= score) n++; return n / (s.length || 1); },
  };
}

/** Raw scores in [0, 1] counted in bins of 1e-5: tens of millions of comparisons in a few hundred KiB. */
export class ScoreHistogram {
  static readonly BINS = 100_000;
  readonly counts = new Float64Array(ScoreHistogram.BINS + 1);
  count = 0;
  static from(counts: ArrayLike<number>, count: number): ScoreHistogram {
    const h = new ScoreHistogram();
    h.counts.set(counts);
    h.count = count;
    return h;
  }
  add(score: number): void {
    this.counts[Math.min(ScoreHistogram.BINS, Math.max(0, Math.floor(score * ScoreHistogram.BINS)))]++;
    this.count++;
  }
  merge(other: ScoreHistogram): this {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    return this;
  }
  /** Share of the scores at or above `score` (counted from its bin up: never less than the true share). */
  shareAtOrAbove(score: number): number {
    let c = 0;
    for (let i = Math.max(0, Math.floor(score * ScoreHistogram.BINS)); i < this.counts.length; i++) c += this.counts[i];
    return c / (this.count || 1);
  }
  sample(name: string): ImpostorSample {
    const fromTop = new Float64Array(this.counts.length);  // scores in this bin or above
    for (let i = this.counts.length - 1, c = 0; i >= 0; i--) { c += this.counts[i]; fromTop[i] = c; }
    return {
      name, count: this.count, shareAtOrAbove: (score) => this.shareAtOrAbove(score),
      // The bin's upper edge: the table then claims a raw score needs at most 1e-5 more than it does (conservative).
      scoreAtRank: (rank) => {
        for (let i = this.counts.length - 1; i >= 0; i--) if (fromTop[i] >= rank) return Math.min(1, (i + 1) / ScoreHistogram.BINS);
        return 0;
      },
    };
  }
}

/** Where one sample measures FMR 10^-level: its score at that rank, while at least 10 of its impostors score that high. */
export function scoreAtLevel(s: ImpostorSample, level: number): number | undefined {
  if (level > Math.log10(s.count / 10) + 1e-9) return undefined;
  return s.scoreAtRank(Math.max(1, Math.floor(s.count * 10 ** -level)));
}

/** Least-squares slope of level on raw score (decades per unit raw) over the points `keep` selects. */
function slope(points: [number, number][], keep: (p: [number, number]) => boolean): number {
  const p = points.filter(keep);
  if (p.length < 2) return Number.POSITIVE_INFINITY;
  const m = p.length, sx = p.reduce((a, [x]) => a + x, 0), sy = p.reduce((a, [, y]) => a + y, 0);
  const sxx = p.reduce((a, [x]) => a + x * x, 0), sxy = p.reduce((a, [x, y]) => a + x * y, 0);
  return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}
const slopeOver = (points: [number, number][], fromLevel: number) => slope(points, ([, y]) => y >= fromLevel - 1e-9);

/**
 * Empirical points every 0.25 decade: at each level, the highest score any sample measured there needs (the most
 * conservative source wins), down to 10 impostors of the largest sample; `maxLevel` stops earlier. Beyond, an
 * exponential tail: the flatter of the fits over the last one and two measured decades.
 */
export function calibrationPoints(samples: ImpostorSample[], maxLevel = Number.POSITIVE_INFINITY): { points: [number, number][]; tailSlope: number } {
  const points: [number, number][] = [[0, 0]];
  for (let level = 0.25; level <= maxLevel + 1e-9; level += 0.25) {
    const raws = samples.map((s) => scoreAtLevel(s, level)).filter((r): r is number => r !== undefined);
    if (!raws.length) break;
    const raw = Math.max(...raws), [lastRaw, lastLevel] = points[points.length - 1];
    // The rank is rounded down, so the true FMR there is at most 10^-level: claiming `level` is conservative.
    if (raw > lastRaw && level > lastLevel) points.push([+raw.toFixed(6), +level.toFixed(4)]);
  }
  return { points, tailSlope: tailSlopeOf(points) };
}

/** -log10 FMR at `raw` on a table with its tail, uncapped (for checking the extrapolation). */
export function levelOnTable(points: [number, number][], tailSlope: number, raw: number): number {
  if (!(raw > points[0][0])) return 0;
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i];
    if (raw <= x1) { const [x0, y0] = points[i - 1]; return y0 + ((raw - x0) / (x1 - x0)) * (y1 - y0); }
  }
  const [xl, yl] = points[points.length - 1];
  return yl + (raw - xl) * tailSlope;
}

/**
 * Past the real sources' range, the synthetic curve's shape at the real curve's rate. Synthetic impostors reach
 * much deeper, but where both are measured their tail is lighter than real pairs' (fewer decades per unit raw
 * score): each synthetic point beyond the real top adds `scale` times its own gain in level, scale = real slope /
 * synthetic slope over the real curve's last two decades (at most 1: never steeper than the real curve).
 */
export function continueWithSynthetic(real: [number, number][], synthetic: [number, number][]): { points: [number, number][]; scale: number } {
  const [xr, yr] = real[real.length - 1];
  const from = real.find(([, y]) => y >= yr - 2 - 1e-9)![0];
  const scale = Math.min(1, slopeOver(real, yr - 2) / slope(synthetic, ([x]) => x >= from && x <= xr));
  const atReal = levelOnTable(synthetic, 0, xr);
  const points = [...real];
  for (const [x, y] of synthetic) {
    const level = yr + scale * (y - atReal);
    if (x > points[points.length - 1][0] && level > points[points.length - 1][1]) points.push([x, +level.toFixed(4)]);
  }
  return { points, scale: +scale.toFixed(4) };
}

/** The flatter of the exponential fits over the last one and two decades of `points`. */
export function tailSlopeOf(points: [number, number][]): number {
  const top = points[points.length - 1][1];
  return +Math.max(1, Math.min(slopeOver(points, top - 1), slopeOver(points, top - 2))).toFixed(4);
}

/** Real impostor sources set the table as far as they measure; synthetic ones (if any) continue it, scaled. */
export function buildCalibration(sources: { real: ImpostorSample[]; synthetic?: ImpostorSample[] }, opts: { matcherVersion: string; source: string; cap: number }): CalibrationTable {
  const real = calibrationPoints(sources.real).points;
  const [maxRaw, maxScore] = real[real.length - 1];
  const realCount = sources.real.reduce((a, s) => a + s.count, 0);
  const synthCount = (sources.synthetic ?? []).reduce((a, s) => a + s.count, 0);
  const continued = sources.synthetic?.length ? continueWithSynthetic(real, calibrationPoints(sources.synthetic).points) : undefined;
  const points = continued?.points ?? real;
  const [modelledRaw, modelledScore] = points[points.length - 1];
  return {
    matcherVersion: opts.matcherVersion, points, tailSlope: tailSlopeOf(points), cap: opts.cap, impostorCount: realCount + synthCount, source: opts.source,
    measured: {
      maxScore, maxRaw, impostors: realCount,
      ...(continued ? { modelled: { maxScore: modelledScore, maxRaw: modelledRaw, impostors: synthCount, scale: continued.scale } } : {}),
      note: continued
        ? `empirical on real impostor pairs up to maxScore (at each level the most conservative of ${sources.real.map((s) => s.name).join(', ')}); to modelled.maxScore the synthetic impostors' curve (${sources.synthetic!.map((s) => s.name).join(', ')}) at the real curve's rate (x modelled.scale); above it an exponential tail, the flatter of two fits, capped`
        : `empirical up to maxScore (at each level the most conservative of ${sources.real.map((s) => s.name).join(', ')}); above it an exponential tail, the flatter of two fits, capped`,
    },
  };
}
