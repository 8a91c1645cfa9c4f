// @vladmandic/human's face models (tfjs graph models) converted to ONNX by the general
// tfjs-graph converter. Input specs say how human itself feeds each model.
import path from 'node:path';
import { convertTfjsGraphFile } from '../convert/tfjs-graph/convert.ts';
import type { InputSpec, ModelSpec, OutputSpec } from '../spec.ts';

const PKG = '@vladmandic/human';

/** NHWC RGB input with a symbolic batch; pixel' = (pixel - mean) / std for pixel in 0..255. */
function rgbInput(name: string, size: number, mean: number, std: number): InputSpec {
  return { name, shape: [-1, size, size, 3], layout: 'NHWC', colour: 'rgb', mean: [mean, mean, mean], std: [std, std, std] };
}

/** A spec whose ONNX outputs are named TF tensors of `file` (models/<file>.json + .bin). */
function graphModel(
  id: string, role: ModelSpec['role'], file: string, input: InputSpec,
  outputs: (OutputSpec & { from: string })[], extra?: Record<string, unknown>,
): ModelSpec {
  return {
    id, role,
    source: { package: PKG, files: [`models/${file}.json`, `models/${file}.bin`] },
    input,
    outputs: outputs.map(({ from: _from, ...o }) => o),
    ...(extra ? { extra } : {}),
    build(dir) {
      const c = convertTfjsGraphFile(path.join(dir, 'models', `${file}.json`), {
        name: id, inputName: input.name, outputs: outputs.map((o) => ({ from: o.from, name: o.name })),
      });
      return c.bytes;
    },
  };
}

/** BlazeFace (front camera): human feeds pixel/127.5 - 1 at 256x256 (src/face/blazeface.ts). */
export const blazefaceExtra = {
  decoder: 'blazeface',
  inputSize: 256,
  /** Anchor grid, in the order the outputs are concatenated: centres at stride*(cell+offset). */
  anchors: { strides: [16, 32], perCell: [2, 6], offset: 0.5 },
  /** Score logits and regressors, concatenated in this order along the anchor axis. */
  scoreOutputs: ['scores_16', 'scores_32'],
  regressorOutputs: ['regressors_16', 'regressors_32'],
  /** Regressor row: [dx, dy, w, h, kx0, ky0, ...] in input pixels; centre and keypoints relative to the anchor. */
  regressor: { centre: 0, size: 2, keypoints: 4 },
  /** Keypoint order as human names them (blazeFaceLandmarks): "left" is the image's left. */
  keypoints: ['leftEye', 'rightEye', 'nose', 'mouth', 'leftEar', 'rightEar'],
  /** human's defaults: sigmoid score > 0.2, IoU 0.1, and its crop is the box x1.4, squared. */
  defaults: { scoreThreshold: 0.2, iouThreshold: 0.1, maxDetections: 1, cropScale: 1.4 },
};

const specs: ModelSpec[] = [
  graphModel('human-blazeface', 'detector', 'blazeface', rgbInput('input', 256, 127.5, 127.5), [
    { from: 'Identity', name: 'scores_16', shape: [-1, 512, 1], description: 'score logits, 16x16 grid x 2 anchors' },
    { from: 'Identity_1', name: 'scores_32', shape: [-1, 384, 1], description: 'score logits, 8x8 grid x 6 anchors' },
    { from: 'Identity_2', name: 'regressors_16', shape: [-1, 512, 16], description: 'box + 6 keypoints, 16x16 grid' },
    { from: 'Identity_3', name: 'regressors_32', shape: [-1, 384, 16], description: 'box + 6 keypoints, 8x8 grid' },
  ], blazefaceExtra),
  // FaceRes (HSE): human feeds the face crop (box x1.4, squared) resized to 224, pixels 0..255.
  graphModel('human-faceres', 'embedder', 'faceres', rgbInput('input_1', 224, 0, 1), [
    { from: 'global_pooling/Mean', name: 'descriptor', shape: [-1, 1024], description: 'face descriptor (global average pool)' },
    { from: 'gender_pred/Sigmoid', name: 'gender', shape: [-1, 1], description: 'P(male)' },
    { from: 'age_pred/Softmax', name: 'age', shape: [-1, 100], description: 'age distribution, 100 bins (human reads ~10x bin index)' },
  ], { descriptorDim: 1024, crop: { from: 'human-blazeface', scale: 1.4, square: true }, similarity: 'cosine' }),
  // Presentation-attack models: human feeds the face crop resized, pixels 0..1.
  graphModel('human-antispoof', 'pad', 'antispoof', rgbInput('conv2d_input', 128, 0, 255), [
    { from: 'Identity', name: 'real', shape: [-1, 1], description: 'score that the face is real (not a spoof)' },
  ], { crop: { from: 'human-blazeface', scale: 1.4, square: true } }),
  graphModel('human-liveness', 'pad', 'liveness', rgbInput('conv2d_1_input', 32, 0, 255), [
    { from: 'Identity', name: 'live', shape: [-1, 2], description: 'softmax; [0] is the live score human reports' },
  ], { crop: { from: 'human-blazeface', scale: 1.4, square: true } }),
  // FaceMesh: 468 landmarks (x, y, z) in the 192x192 crop's pixels, pixels 0..1.
  graphModel('human-facemesh', 'landmarks', 'facemesh', rgbInput('input_1', 192, 0, 255), [
    { from: 'Identity_2', name: 'mesh', shape: [-1, 1404], description: '468 x (x, y, z), crop pixels' },
    { from: 'Identity_1', name: 'faceflag', shape: [-1, 1], description: 'face presence score' },
    { from: 'Identity', name: 'contours', shape: [-1, 266], description: '133 x (x, y) contour points, crop pixels' },
  ], { points: 468, inputSize: 192, crop: { from: 'human-blazeface', scale: 1.4, square: true } }),
];

export default specs;
