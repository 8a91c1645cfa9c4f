// Synthetic face embeddings for search benchmarks and tests: identities with several noisy
// samples around one centre each. Two models:
//  - isotropic: random unit centres, Gaussian noise of sigma per dimension;
//  - covariance: centres and noise drawn from anisotropic Gaussians (power-law spectra in a
//    random rotated basis) around a shared mean direction, as real descriptors are: they fill
//    a low-dimensional part of the space and all lie in one cone.
// Every vector is L2-normalised. Deterministic for a given seed.

export interface SyntheticOptions {
  identities: number;
  samplesPerIdentity: number;
  dim: number;
  model: 'isotropic' | 'covariance';
  /** Isotropic: noise sigma per dimension (centres are unit vectors). */
  sigma?: number;
  /** Covariance: spectrum decay exponent (variance of axis i ∝ (i+1)^-decay). */
  decay?: number;
  /** Covariance: norm of the shared mean relative to the spread of the centres. */
  meanNorm?: number;
  /** Covariance: within-identity noise relative to the between-identity spread. */
  noiseRatio?: number;
  seed?: number;
}

export interface SyntheticSet {
  dim: number;
  /** Enrolled samples, packed: count x dim. */
  vectors: Float32Array;
  /** Identity of each enrolled sample. */
  identity: Uint32Array;
  /** Draws a fresh sample of identity `id` into out (a probe that is not enrolled). */
  probe(id: number, out?: Float32Array): Float32Array;
  params: Record<string, number | string>;
}

/** Two xorshift32 generators combined, with Gaussian draws (Box–Muller, cached pair). */
export class Rng {
  private spare: number | undefined;
  private a: number;
  private b: number;
  constructor(seed: number) {
    this.a = (seed * 2654435761) >>> 0 || 1;
    this.b = (seed ^ 0x9e3779b9) >>> 0 || 2;
  }
  /** Uniform in (0, 1). */
  next(): number {
    let x = this.a;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.a = x >>> 0;
    let y = this.b;
    y ^= y << 11; y ^= y >>> 19; y ^= y << 7;
    this.b = y >>> 0;
    return (((this.a ^ this.b) >>> 0) + 0.5) / 4294967296;
  }
  gauss(): number {
    if (this.spare !== undefined) { const s = this.spare; this.spare = undefined; return s; }
    const u = this.next(), v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

export function normalise(v: Float32Array, off = 0, dim = v.length - off): void {
  let s = 0;
  for (let i = 0; i < dim; i++) s += v[off + i] * v[off + i];
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < dim; i++) v[off + i] *= inv;
}

/** A random orthonormal basis (Gram–Schmidt on Gaussian vectors), rows packed. */
function randomRotation(dim: number, rng: Rng): Float64Array {
  const q = new Float64Array(dim * dim);
  for (let r = 0; r < dim; r++) {
    for (let i = 0; i < dim; i++) q[r * dim + i] = rng.gauss();
    for (let p = 0; p < r; p++) {
      let d = 0;
      for (let i = 0; i < dim; i++) d += q[r * dim + i] * q[p * dim + i];
      for (let i = 0; i < dim; i++) q[r * dim + i] -= d * q[p * dim + i];
    }
    let n = 0;
    for (let i = 0; i < dim; i++) n += q[r * dim + i] ** 2;
    n = Math.sqrt(n);
    for (let i = 0; i < dim; i++) q[r * dim + i] /= n;
  }
  return q;
}

export function makeSynthetic(o: SyntheticOptions): SyntheticSet {
  const { identities, samplesPerIdentity: spi, dim } = o;
  const rng = new Rng(o.seed ?? 1);
  const centres = new Float32Array(identities * dim);
  const params: Record<string, number | string> = { model: o.model, identities, samplesPerIdentity: spi, dim, seed: o.seed ?? 1 };
  let addNoise: (c: Float32Array, cOff: number, out: Float32Array, off: number) => void;

  if (o.model === 'isotropic') {
    const sigma = o.sigma ?? 0.06;
    params.sigma = sigma;
    for (let c = 0; c < identities; c++) {
      for (let i = 0; i < dim; i++) centres[c * dim + i] = rng.gauss();
      normalise(centres, c * dim, dim);
    }
    addNoise = (c, cOff, out, off) => {
      for (let i = 0; i < dim; i++) out[off + i] = c[cOff + i] + sigma * rng.gauss();
      normalise(out, off, dim);
    };
  } else {
    const decay = o.decay ?? 1.0, meanNorm = o.meanNorm ?? 1.0, noiseRatio = o.noiseRatio ?? 0.45;
    Object.assign(params, { decay, meanNorm, noiseRatio });
    const rot = randomRotation(dim, rng);
    const sd = new Float64Array(dim);
    let total = 0;
    for (let i = 0; i < dim; i++) { sd[i] = (i + 1) ** (-decay / 2); total += sd[i] ** 2; }
    for (let i = 0; i < dim; i++) sd[i] /= Math.sqrt(total);  // centres spread: unit expected norm
    const mean = new Float64Array(dim);
    for (let i = 0; i < dim; i++) mean[i] = rng.gauss();
    const mn = Math.hypot(...mean);
    for (let i = 0; i < dim; i++) mean[i] *= meanNorm / mn;
    // the noise has its own, flatter spectrum, axis-aligned (a second rotation costs dim^2 per
    // sample and changes nothing for the search)
    const nsd = new Float64Array(dim);
    let nt = 0;
    for (let i = 0; i < dim; i++) { nsd[i] = (i + 1) ** (-decay / 4); nt += nsd[i] ** 2; }
    for (let i = 0; i < dim; i++) nsd[i] *= noiseRatio / Math.sqrt(nt);
    const z = new Float64Array(dim);
    const mix = (basis: Float64Array, scale: Float64Array, out: Float32Array, off: number) => {
      for (let i = 0; i < dim; i++) z[i] = rng.gauss() * scale[i];
      for (let j = 0; j < dim; j++) out[off + j] = 0;
      for (let i = 0; i < dim; i++) {
        const zi = z[i], row = i * dim;
        for (let j = 0; j < dim; j++) out[off + j] += zi * basis[row + j];
      }
    };
    for (let c = 0; c < identities; c++) {
      mix(rot, sd, centres, c * dim);
      for (let i = 0; i < dim; i++) centres[c * dim + i] += mean[i];
    }
    addNoise = (c, cOff, out, off) => {
      for (let i = 0; i < dim; i++) out[off + i] = c[cOff + i] + nsd[i] * rng.gauss();
      normalise(out, off, dim);
    };
  }

  const count = identities * spi;
  const vectors = new Float32Array(count * dim);
  const identity = new Uint32Array(count);
  for (let c = 0, k = 0; c < identities; c++) {
    for (let s = 0; s < spi; s++, k++) {
      addNoise(centres, c * dim, vectors, k * dim);
      identity[k] = c;
    }
  }
  return {
    dim, vectors, identity, params,
    probe(id, out = new Float32Array(dim)) { addNoise(centres, id * dim, out, 0); return out; },
  };
}
