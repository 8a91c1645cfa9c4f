// What a model conversion declares. Each file in models/specs/ exports `default: ModelSpec[]`;
// models/build.ts runs every spec and writes models/manifest.json.

export type ModelRole = 'detector' | 'landmarks' | 'embedder' | 'pad';

export interface InputSpec {
  name: string;
  /** e.g. [-1, 150, 150, 3] with -1 for the batch. */
  shape: number[];
  layout: 'NHWC' | 'NCHW';
  colour: 'rgb' | 'bgr' | 'grey';
  /** pixel' = (pixel - mean) / std, per channel, pixel in 0..255. */
  mean: number[];
  std: number[];
}

export interface OutputSpec { name: string; shape: number[]; description: string }

export interface ManifestEntry {
  id: string;
  role: ModelRole;
  file: string;
  sha256: string;
  source: { package: string; version: string; files: string[] };
  input: InputSpec;
  outputs: OutputSpec[];
  /** Role-specific facts: alignment template for embedders, anchors for detectors, etc. */
  extra?: Record<string, unknown>;
}

export interface ModelSpec {
  id: string;
  role: ModelRole;
  /** npm package the weights come from, and the files read from it (for the up-to-date check). */
  source: { package: string; files: string[] };
  input: InputSpec;
  outputs: OutputSpec[];
  extra?: Record<string, unknown>;
  /** Builds the ONNX bytes from the package's files. */
  build(packageDir: string): Promise<Uint8Array> | Uint8Array;
}
