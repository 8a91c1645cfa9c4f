// @vladmandic/face-api's networks, written as ONNX graphs from face-api's own topology
// (models/convert/faceapi/*) over its uint8-quantised tfjs weights.
import type { ModelSpec } from '../spec.ts';
import { buildDlibResnet, DLIB_INPUT_SIZE, DLIB_MEAN_RGB, DLIB_STD } from '../convert/faceapi/dlib-resnet.ts';
import { DLIB_CHIP_PADDING, DLIB_FIVE_POINT_TEMPLATE } from '../convert/faceapi/dlib-template.ts';
import { FACEAPI_PACKAGE } from '../convert/faceapi/layers.ts';
import { buildSsdMobilenetv1, SSD_ANCHORS, SSD_BOX_CODER_SCALES, SSD_INPUT_SIZE, SSD_MEAN, SSD_STD } from '../convert/faceapi/ssd-mobilenetv1.ts';
import { buildTinyFaceDetector, TINY_ANCHORS, TINY_INPUT_SIZE, TINY_IOU_THRESHOLD, TINY_MEAN_RGB, TINY_STD } from '../convert/faceapi/tiny-face-detector.ts';
import { buildLandmark68, LANDMARK68_INPUT_SIZE, LANDMARK68_MEAN_RGB, LANDMARK68_STD } from '../convert/faceapi/landmark68.ts';

/** face-api's networks subtract their means and scale inside the graph (as face-api does before
 *  running them), so callers feed raw 0..255 pixels: the manifest's mean/std are the identity. */
const RAW_PIXELS = { mean: [0, 0, 0], std: [1, 1, 1] };
/** What the graph itself applies, exactly as face-api normalises: pixel' = (pixel - mean) / std (information only). */
const inGraph = (mean: number[], std: number) => ({ normalisationInGraph: { mean, std: [std, std, std] } });

const weights = (name: string) => [`model/${name}-weights_manifest.json`, `model/${name}.bin`];

const dlibResnet: ModelSpec = {
  id: 'faceapi-dlib-resnet',
  role: 'embedder',
  source: { package: FACEAPI_PACKAGE, files: weights('face_recognition_model') },
  input: {
    name: 'input', shape: [-1, DLIB_INPUT_SIZE, DLIB_INPUT_SIZE, 3], layout: 'NHWC', colour: 'rgb',
    ...RAW_PIXELS,
  },
  outputs: [{ name: 'descriptor', shape: [-1, 128], description: 'dlib face descriptor (not normalised; compare by Euclidean distance)' }],
  extra: {
    ...inGraph(DLIB_MEAN_RGB, DLIB_STD),
    alignment: {
      size: DLIB_INPUT_SIZE,
      padding: DLIB_CHIP_PADDING,
      // Image-left eye centre, image-right eye centre, nose tip, image-left / image-right mouth corner.
      fivePointTemplate: DLIB_FIVE_POINT_TEMPLATE,
      templateSource: "derived from dlib's mean 68-point face shape (get_face_chip_details), 150 px chip with 0.25 padding",
      // dlib's convention: pixel centres at integer coordinates (as ARCFACE_112_TEMPLATE in src/face).
      pixelCentres: 'integer',
      transform: 'similarity',
    },
    descriptor: {
      dimensions: 128,
      // dlib trained its descriptor for Euclidean distance (same person below 0.6); descriptors are not
      // unit length (norms about 1.3-1.5 on the sample faces), so feed raw descriptors to an L2 index.
      metric: 'euclidean',
      sameIdentityThreshold: 0.6,
      l2NormaliseForCosine: false,
    },
  },
  build: (dir) => buildDlibResnet(dir),
};

const landmark68: ModelSpec = {
  id: 'faceapi-landmark68',
  role: 'landmarks',
  source: { package: FACEAPI_PACKAGE, files: weights('face_landmark_68_model') },
  input: {
    name: 'input', shape: [-1, LANDMARK68_INPUT_SIZE, LANDMARK68_INPUT_SIZE, 3], layout: 'NHWC', colour: 'rgb',
    ...RAW_PIXELS,
  },
  outputs: [{
    name: 'landmarks', shape: [-1, 136],
    description: 'iBUG 68 points as x0, y0, x1, y1, …, relative to the input (multiply by 112 for pixels)',
  }],
  extra: {
    ...inGraph(LANDMARK68_MEAN_RGB, LANDMARK68_STD),
    points: 68,
    scheme: 'iBUG 300-W 68-point (jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67)',
    coordinates: 'relative',
    // face-api feeds the face box padded to a centred square (zeros) and resized to 112.
    inputCrop: 'face box padded to a centred square with zeros, resized to 112x112',
    fivePointFrom68: { leftEye: [36, 37, 38, 39, 40, 41], rightEye: [42, 43, 44, 45, 46, 47], nose: [30], mouthLeft: [48], mouthRight: [54] },
  },
  build: (dir) => buildLandmark68(dir),
};

const ssdMobilenetv1: ModelSpec = {
  id: 'faceapi-ssd-mobilenetv1',
  role: 'detector',
  source: { package: FACEAPI_PACKAGE, files: weights('ssd_mobilenetv1_model') },
  input: {
    name: 'input', shape: [-1, SSD_INPUT_SIZE, SSD_INPUT_SIZE, 3], layout: 'NHWC', colour: 'rgb',
    ...RAW_PIXELS,
  },
  outputs: [
    { name: 'boxes', shape: [-1, SSD_ANCHORS, 4], description: 'decoded boxes [ymin, xmin, ymax, xmax], relative to the square input' },
    { name: 'scores', shape: [-1, SSD_ANCHORS], description: 'face probability (sigmoid) per anchor' },
  ],
  extra: {
    ...inGraph([SSD_MEAN, SSD_MEAN, SSD_MEAN], SSD_STD),
    anchors: SSD_ANCHORS,
    // Anchor decoding (TF box coder, scales y, x, h, w) is inside the graph; NMS is not.
    boxDecodingInGraph: true,
    boxCoderScales: SSD_BOX_CODER_SCALES,
    letterbox: 'pad bottom/right with zeros to a square of side max(width, height), then resize to 512 (face-api: bilinear)',
    postprocess: 'src/face/detect/ssd-decode.ts (decodeSsd: greedy NMS, then relative → source pixels)',
    nms: { minConfidence: 0.5, iouThreshold: 0.5, maxResults: 100 },
  },
  build: (dir) => buildSsdMobilenetv1(dir),
};

const tinyFaceDetector: ModelSpec = {
  id: 'faceapi-tiny-face-detector',
  role: 'detector',
  source: { package: FACEAPI_PACKAGE, files: weights('tiny_face_detector_model') },
  input: {
    name: 'input', shape: [-1, TINY_INPUT_SIZE, TINY_INPUT_SIZE, 3], layout: 'NHWC', colour: 'rgb',
    ...RAW_PIXELS,
  },
  outputs: [
    { name: 'boxes', shape: [-1, 845, 4], description: 'decoded boxes [ymin, xmin, ymax, xmax], relative to the square input' },
    { name: 'scores', shape: [-1, 845], description: 'face probability (sigmoid) per cell and anchor' },
  ],
  extra: {
    ...inGraph(TINY_MEAN_RGB, TINY_STD),
    anchors: TINY_ANCHORS,
    grid: 13,
    boxDecodingInGraph: true,
    letterbox: 'pad bottom/right with zeros to a square of side max(width, height), then resize to 416 (face-api: bilinear)',
    postprocess: 'src/face/detect/ssd-decode.ts (decodeSsd with the nms options below)',
    nms: { minConfidence: 0.5, iouThreshold: TINY_IOU_THRESHOLD, maxResults: 845 },
  },
  build: (dir) => buildTinyFaceDetector(dir),
};

export default [dlibResnet, landmark68, ssdMobilenetv1, tinyFaceDetector] satisfies ModelSpec[];
