// face-api's FaceRecognitionNet (dlib's ResNet-34-like face descriptor) as ONNX.
// Topology read from @vladmandic/face-api src/faceRecognitionNet/: each conv is
// conv → +bias → ×scale.weights → +scale.biases (folded here into one Conv), 'same' padding
// except the stride-2 "down" convs ('valid'); max pool 3/2 'valid'; residualDown adds a
// 2x2/2 average pool of its input, zero-padded in channels (and by one row and column of
// zeros on the conv branch when sizes differ, as face-api does); mean over H,W; fc 256→128.
import { FaceApiWeights, NetGraph, hwioToOihw, type Value } from './layers.ts';

export const DLIB_INPUT_SIZE = 150;
/** face-api's per-channel RGB means; the input is then divided by 255. */
export const DLIB_MEAN_RGB = [122.782, 117.001, 104.298];
export const DLIB_STD = 255;

/** The conv+bias+scale layer with the scale folded into the filters: exact up to float rounding. */
function convLayer(n: NetGraph, w: FaceApiWeights, x: Value, prefix: string, stride: number, relu: boolean): Value {
  const f = w.get(`${prefix}/conv/filters`, 4);
  const bias = w.get(`${prefix}/conv/bias`, 1).data;
  const s = w.get(`${prefix}/scale/weights`, 1).data;
  const sb = w.get(`${prefix}/scale/biases`, 1).data;
  const oihw = hwioToOihw(f.data, f.shape);
  const perOut = oihw.data.length / s.length;
  for (let o = 0; o < s.length; o++) for (let i = 0; i < perOut; i++) oihw.data[o * perOut + i] *= s[o];
  const b = Float32Array.from(bias, (v, o) => v * s[o] + sb[o]);
  const y = n.conv(x, { weight: oihw, bias: b, stride, padding: stride === 2 ? 'valid' : 'same' }, prefix);
  return relu ? n.relu(y) : y;
}

function residual(n: NetGraph, w: FaceApiWeights, x: Value, prefix: string): Value {
  const a = convLayer(n, w, x, `${prefix}/conv1`, 1, true);
  const b = convLayer(n, w, a, `${prefix}/conv2`, 1, false);
  return n.relu(n.add(b, x));
}

function residualDown(n: NetGraph, w: FaceApiWeights, x: Value, prefix: string): Value {
  let out = convLayer(n, w, x, `${prefix}/conv1`, 2, true);
  out = convLayer(n, w, out, `${prefix}/conv2`, 1, false);
  let pooled = n.pool('AveragePool', x, 2, 2, 'valid');
  if (pooled.size !== out.size) {
    if (pooled.size !== out.size + 1) throw new Error(`${prefix}: unexpected sizes ${out.size} vs ${pooled.size}`);
    out = n.zeroPad(out, 0, 1);
  }
  if (pooled.c !== out.c) pooled = n.zeroPad(pooled, out.c - pooled.c, 0);
  return n.relu(n.add(pooled, out));
}

export function buildDlibResnet(packageDir: string): Uint8Array {
  const w = new FaceApiWeights(packageDir, 'face_recognition_model');
  const n = new NetGraph('faceapi_dlib_resnet');
  let x = n.nhwcInput('input', DLIB_INPUT_SIZE, DLIB_MEAN_RGB, DLIB_STD);
  x = convLayer(n, w, x, 'conv32_down', 2, true);
  x = n.pool('MaxPool', x, 3, 2, 'valid');
  for (const p of ['conv32_1', 'conv32_2', 'conv32_3']) x = residual(n, w, x, p);
  x = residualDown(n, w, x, 'conv64_down');
  for (const p of ['conv64_1', 'conv64_2', 'conv64_3']) x = residual(n, w, x, p);
  x = residualDown(n, w, x, 'conv128_down');
  for (const p of ['conv128_1', 'conv128_2']) x = residual(n, w, x, p);
  x = residualDown(n, w, x, 'conv256_down');
  for (const p of ['conv256_1', 'conv256_2']) x = residual(n, w, x, p);
  x = residualDown(n, w, x, 'conv256_down_out');
  const pooled = n.g.op('ReduceMean', [x.name], { axes: [2, 3], keepdims: 0 });
  const fc = w.get('fc', 2);
  n.g.op('MatMul', [pooled, n.const('fc', fc.shape, fc.data)], {}, 'descriptor');
  n.g.output('descriptor', ['N', fc.shape[1]]);
  w.assertAllUsed();
  return n.g.toBytes('face-api FaceRecognitionNet (dlib ResNet) 150x150 RGB → 128-d descriptor');
}
