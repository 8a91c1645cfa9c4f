// faceplugin-face-recognition-js ships ready ONNX models: they are copied as they are, after checking
// that each file is the one measured here (sha256 pinned below). Package licence MIT; the package does
// not say where the weights come from or what data trained them (recorded in the manifest as `terms`).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ARCFACE_112_TEMPLATE } from '../../src/runtime/byo-config.ts';
import type { InputSpec, ModelSpec, OutputSpec } from '../spec.ts';

const PKG = 'faceplugin-face-recognition-js';
const TERMS = {
  licence: 'MIT (package licence, Faceplugin-ltd)',
  weights: 'provenance and training data not documented by the package',
};

function copied(id: string, role: ModelSpec['role'], file: string, sha256: string, input: InputSpec, outputs: OutputSpec[], extra: Record<string, unknown>): ModelSpec {
  return {
    id, role, input, outputs,
    source: { package: PKG, files: [`model/${file}`] },
    extra: { ...extra, terms: TERMS },
    build(dir) {
      const bytes = readFileSync(path.join(dir, 'model', file));
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== sha256) throw new Error(`${PKG}/model/${file}: sha256 ${actual}, expected ${sha256} (a different model than the one measured)`);
      return bytes;
    },
  };
}

const specs: ModelSpec[] = [
  // MiniFASNet-style presentation-attack detector: the face box widened 2.7x (kept inside the image), resized
  // to 128x128 with plain bilinear sampling, pixels 0..255; softmax over 3 classes, index 0 = live. The
  // package's predictLiveness feeds RGB, but the model separates attacks only in BGR order (OpenCV's, as
  // MiniFASNet is trained): nuaa_dev EER 10 % in RGB, 0 % in BGR (bench/results/face-pad.md).
  copied('faceplugin-liveness', 'pad', 'fr_liveness.onnx', 'afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d',
    { name: 'input', shape: [1, 3, 128, 128], layout: 'NCHW', colour: 'bgr', mean: [0, 0, 0], std: [1, 1, 1] },
    [{ name: 'output', shape: [1, 3], description: 'logits of 3 classes; softmax index 0 is the live score' }],
    { crop: { scale: 2.7, clampToImage: true, antialias: false }, score: { softmax: true, liveIndex: 0 } }),
  // ArcFace-style embedder: 112x112 five-point alignment, (x - 127) / 128, 512-d (the package's fr_feature.js).
  copied('faceplugin-feature', 'embedder', 'fr_feature.onnx', '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581',
    { name: 'input', shape: [1, 3, 112, 112], layout: 'NCHW', colour: 'rgb', mean: [127, 127, 127], std: [128, 128, 128] },
    [{ name: 'output', shape: [1, 512], description: 'face descriptor (compare L2-normalised, cosine)' }],
    { descriptorDim: 512, alignment: { size: 112, fivePointTemplate: ARCFACE_112_TEMPLATE.map(([x, y]) => [x, y]) }, similarity: 'cosine' }),
];

export default specs;
