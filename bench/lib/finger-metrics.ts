// Verification error rates from genuine and impostor scores (a comparison is accepted when score >= threshold).

export interface ErrorRates {
  eer: number;
  eerThreshold: number;
  fnmrAtFmr1: number;
  fnmrAtFmr01: number;
  genuine: number;
  impostor: number;
}

/** Share of sorted ascending values that are < t. */
function shareBelow(sorted: Float64Array, t: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < t) lo = mid + 1; else hi = mid;
  }
  return lo / sorted.length;
}

/** Every distinct score as a threshold, with FMR and FNMR there; plus one above all. */
export function detPoints(genuine: number[], impostor: number[]): { t: number; fmr: number; fnmr: number }[] {
  const g = Float64Array.from(genuine).sort(), im = Float64Array.from(impostor).sort();
  const ts = Array.from(new Set([...genuine, ...impostor])).sort((a, b) => a - b);
  ts.push(Infinity);
  return ts.map((t) => ({ t, fmr: 1 - shareBelow(im, t), fnmr: shareBelow(g, t) }));
}

function fnmrAtFmr(points: { fmr: number; fnmr: number }[], target: number): number {
  for (const p of points) if (p.fmr <= target) return p.fnmr;
  return 1;
}

export function errorRates(genuine: number[], impostor: number[]): ErrorRates {
  const pts = detPoints(genuine, impostor);
  // EER where FMR falls below FNMR: interpolate between the two thresholds around the crossing.
  let eer = 1, eerThreshold = 0;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i];
    if (p.fmr <= p.fnmr) {
      const q = i > 0 ? pts[i - 1] : p;
      const a = Math.max(p.fmr, q.fnmr), b = Math.min(q.fmr, p.fnmr);
      eer = i > 0 ? Math.min(a, b) + Math.abs(a - b) / 2 : (p.fmr + p.fnmr) / 2;
      eer = Math.min(eer, Math.max(q.fmr, q.fnmr), Math.max(p.fmr, p.fnmr));
      eerThreshold = p.t;
      break;
    }
  }
  return {
    eer, eerThreshold,
    fnmrAtFmr1: fnmrAtFmr(pts, 0.01), fnmrAtFmr01: fnmrAtFmr(pts, 0.001),
    genuine: genuine.length, impostor: impostor.length,
  };
}
