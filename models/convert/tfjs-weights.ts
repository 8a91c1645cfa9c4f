// Reads a tfjs weights manifest (face-api's *-weights_manifest.json, or a graph model's
// `weightsManifest`) and its .bin shards into float32/int32 arrays, dequantising exactly
// as tfjs does when it loads them, so reference and ONNX model hold the same weights.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string };
}
export interface WeightGroup { paths: string[]; weights: WeightEntry[] }
export interface Weight { shape: number[]; dtype: 'float32' | 'int32'; data: Float32Array | Int32Array }

/** IEEE 754 half → float, including subnormals, infinities and NaN. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

export function readWeights(groups: WeightGroup[], dir: string): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const group of groups) {
    const buf = Buffer.concat(group.paths.map((p) => readFileSync(path.join(dir, p))));
    let offset = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      if (w.dtype === 'string' || w.dtype === 'bool') throw new Error(`weight ${w.name}: dtype ${w.dtype} not supported`);
      if (q) {
        const width = q.dtype === 'uint8' ? 1 : 2;
        const bytes = n * width;
        if (offset + bytes > buf.length) throw new Error(`weight ${w.name}: shard too short`);
        const data = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const o = offset + i * width;
          if (q.dtype === 'float16') data[i] = halfToFloat(buf.readUInt16LE(o));
          else {
            const v = q.dtype === 'uint8' ? buf[o] : buf.readUInt16LE(o);
            data[i] = v * (q.scale ?? 1) + (q.min ?? 0);
          }
        }
        offset += bytes;
        if (w.dtype === 'int32') out.set(w.name, { shape: w.shape, dtype: 'int32', data: Int32Array.from(data, Math.round) });
        else out.set(w.name, { shape: w.shape, dtype: 'float32', data });
      } else {
        const bytes = n * 4;
        if (offset + bytes > buf.length) throw new Error(`weight ${w.name}: shard too short`);
        const slice = buf.subarray(offset, offset + bytes);
        const copy = new Uint8Array(slice).buffer; // aligned copy
        out.set(w.name, w.dtype === 'int32'
          ? { shape: w.shape, dtype: 'int32', data: new Int32Array(copy) }
          : { shape: w.shape, dtype: 'float32', data: new Float32Array(copy) });
        offset += bytes;
      }
    }
  }
  return out;
}
