// face-api's FaceLandmark68Net as ONNX. Topology read from @vladmandic/face-api
// src/faceFeatureExtractor/ (four denseBlock4: the first opens with a plain 3x3/2 conv, the
// others with a separable conv at stride 2, then three separable convs whose inputs are the
// ReLU of running sums; all 'same' padding), a 7x7/2 'valid' average pool, and
// src/faceProcessor/ (fc 256→136). Output: 68 (x, y) pairs relative to the 112x112 input.
import { FaceApiWeights, NetGraph, depthwiseToOnnx, hwioToOihw, type Value } from './layers.ts';

export const LANDMARK68_INPUT_SIZE = 112;
export const LANDMARK68_MEAN_RGB = [122.782, 117.001, 104.298];
export const LANDMARK68_STD = 255;

/** tf.separableConv2d (depthwise at `stride`, 'same'; then 1x1 pointwise) + bias. */
function separable(n: NetGraph, w: FaceApiWeights, x: Value, prefix: string, stride: number): Value {
  const dw = w.get(`${prefix}/depthwise_filter`, 4);
  const pw = w.get(`${prefix}/pointwise_filter`, 4);
  const d = n.conv(x, { weight: depthwiseToOnnx(dw.data, dw.shape), stride, padding: 'same', group: x.c }, `${prefix}/dw`);
  return n.conv(d, { weight: hwioToOihw(pw.data, pw.shape), bias: w.get(`${prefix}/bias`, 1).data, stride: 1, padding: 'valid' }, `${prefix}/pw`);
}

function denseBlock4(n: NetGraph, w: FaceApiWeights, x: Value, prefix: string, first: boolean): Value {
  let c0: Value;
  if (first) {
    const f = w.get(`${prefix}/conv0/filters`, 4);
    c0 = n.conv(x, { weight: hwioToOihw(f.data, f.shape), bias: w.get(`${prefix}/conv0/bias`, 1).data, stride: 2, padding: 'same' }, `${prefix}/conv0`);
  } else {
    c0 = separable(n, w, x, `${prefix}/conv0`, 2);
  }
  const out1 = n.relu(c0);
  const out2 = separable(n, w, out1, `${prefix}/conv1`, 1);
  const out3 = separable(n, w, n.relu(n.add(out1, out2)), `${prefix}/conv2`, 1);
  const out4 = separable(n, w, n.relu(n.add(out1, n.add(out2, out3))), `${prefix}/conv3`, 1);
  return n.relu(n.add(out1, n.add(out2, n.add(out3, out4))));
}

export function buildLandmark68(packageDir: string): Uint8Array {
  const w = new FaceApiWeights(packageDir, 'face_landmark_68_model');
  const n = new NetGraph('faceapi_landmark68');
  let x = n.nhwcInput('input', LANDMARK68_INPUT_SIZE, LANDMARK68_MEAN_RGB, LANDMARK68_STD);
  for (let i = 0; i < 4; i++) x = denseBlock4(n, w, x, `dense${i}`, i === 0);
  x = n.pool('AveragePool', x, 7, 2, 'valid');
  if (x.size !== 1) throw new Error(`landmark68: pooled size ${x.size}, expected 1`);
  const flat = n.g.op('Flatten', [x.name], { axis: 1 });
  const fw = w.get('fc/weights', 2);
  const fb = w.get('fc/bias', 1);
  n.g.op('Gemm', [flat, n.const('fc_w', fw.shape, fw.data), n.const('fc_b', fb.shape, fb.data)], {}, 'landmarks');
  n.g.output('landmarks', ['N', fw.shape[1]]);
  w.assertAllUsed();
  return n.g.toBytes('face-api FaceLandmark68Net 112x112 RGB → 68 (x, y) relative to the input');
}
