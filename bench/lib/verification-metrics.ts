// Verification and identification figures from similarity scores (higher = more alike).

/** FNMR (genuine below threshold) at the threshold where FMR (impostors at or above) is `fmr`. */
export function fnmrAtFmr(genuine: number[], impostor: number[], fmr: number): { fnmr: number; threshold: number } {
  const imp = [...impostor].sort((a, b) => b - a);
  const idx = Math.max(0, Math.ceil(fmr * imp.length) - 1);
  const threshold = imp[idx] + 1e-12; // strictly above the allowed impostors
  const fnmr = genuine.filter((g) => g < threshold).length / genuine.length;
  return { fnmr, threshold };
}

export function eer(genuine: number[], impostor: number[]): { eer: number; threshold: number } {
  const all = [...new Set([...genuine, ...impostor])].sort((a, b) => a - b);
  let best = { eer: 1, threshold: 0, gap: Infinity };
  const g = [...genuine].sort((a, b) => a - b);
  const im = [...impostor].sort((a, b) => a - b);
  let gi = 0;
  let ii = 0;
  for (const t of all) {
    while (gi < g.length && g[gi] < t) gi++;
    while (ii < im.length && im[ii] < t) ii++;
    const fnmr = gi / g.length;
    const fmr = (im.length - ii) / im.length;
    const gap = Math.abs(fnmr - fmr);
    if (gap < best.gap) best = { eer: (fnmr + fmr) / 2, threshold: t, gap };
  }
  return { eer: best.eer, threshold: best.threshold };
}

/**
 * Raw score → -log10(FMR) table from impostor scores: empirical points down to ~10/n, then the tail
 * fitted as log10 FMR linear in the score over the top `tailFraction` of impostors, up to `cap`.
 * `conservativeTail`: also fit the top tailFraction/20 and use the flatter slope (fewer decades claimed
 * per unit of score past the measured range).
 */
export function calibrationTable(impostor: number[], cap = 12, tailFraction = 0.02, o: { conservativeTail?: boolean } = {}): [number, number][] {
  const imp = [...impostor].sort((a, b) => b - a);
  const n = imp.length;
  const points: [number, number][] = [];
  for (let d = 0; d <= Math.log10(n / 10); d += 0.25) {
    const k = Math.max(1, Math.round(n * 10 ** -d));
    points.push([imp[k - 1], d]);
  }
  // Tail fit: for the top m impostors, (score_i, log10(n / i)).
  const tailSlope = (fraction: number) => {
    const m = Math.max(10, Math.round(n * fraction));
    let sx = 0; let sy = 0; let sxx = 0; let sxy = 0;
    for (let i = 1; i <= m; i++) {
      const x = imp[i - 1];
      const y = Math.log10(n / i);
      sx += x; sy += y; sxx += x * x; sxy += x * y;
    }
    return (m * sxy - sx * sy) / (m * sxx - sx * sx);
  };
  const fits = [tailSlope(tailFraction), ...(o.conservativeTail ? [tailSlope(tailFraction / 20)] : [])].filter((x) => x > 0);
  const slope = fits.length ? Math.min(...fits) : 0;
  const [lastX, lastY] = points[points.length - 1];
  if (slope > 0) {
    for (let y = Math.ceil(lastY) + 1; y <= cap; y++) points.push([lastX + (y - lastY) / slope, y]);
  }
  // Strictly increasing in x (ties at the top of a discrete distribution).
  return points.filter((p, i) => i === 0 || p[0] > points[i - 1][0]).map(([x, y]) => [+x.toFixed(6), +y.toFixed(3)]);
}

/** Area under the ROC curve: the chance that a genuine pair outscores an impostor pair (ties count half). */
export function auc(genuine: number[], impostor: number[]): number {
  const im = [...impostor].sort((a, b) => a - b);
  let sum = 0;
  for (const g of genuine) {
    let lo = 0; let hi = im.length; // impostors strictly below g
    while (lo < hi) { const m = (lo + hi) >> 1; if (im[m] < g) lo = m + 1; else hi = m; }
    let eq = lo;
    while (eq < im.length && im[eq] === g) eq++;
    sum += lo + (eq - lo) / 2;
  }
  return sum / (genuine.length * impostor.length);
}

/** The verification line every face bench reports: AUC, EER, FNMR at FMR 1 % and 0.1 %. */
export function verificationFigures(genuine: number[], impostor: number[]) {
  return { auc: auc(genuine, impostor), eer: eer(genuine, impostor).eer, fnmrAt1: fnmrAtFmr(genuine, impostor, 0.01).fnmr, fnmrAt01: fnmrAtFmr(genuine, impostor, 0.001).fnmr };
}
