// face-api's TinyFaceDetector (a Tiny-YOLOv2 with separable convs) as ONNX, box decoding
// included. Topology read from @vladmandic/face-api src/tinyYolov2/TinyYolov2Base.ts
// (runMobilenet, 7 filter sizes: conv0..conv5 and conv8) and src/tinyFaceDetector/const.ts:
// conv0 3x3 'valid' + leaky ReLU (0.1), 2x2 max pools ('same'; the last at stride 1),
// separable convs on an explicit 1-pixel zero pad + bias + leaky, then a 1x1 conv to
// 5 anchors x (x, y, w, h, score). Output boxes use the SSD model's layout so one NMS serves both.
import { FaceApiWeights, NetGraph, depthwiseToOnnx, hwioToOihw, type Value } from './layers.ts';

export const TINY_INPUT_SIZE = 416;
export const TINY_MEAN_RGB = [117.001, 114.697, 97.404];
export const TINY_STD = 255;
/** Anchor (width, height) in grid cells, from face-api's tinyFaceDetector/const.ts. */
export const TINY_ANCHORS: [number, number][] = [
  [1.603231, 2.094468], [6.041143, 7.080126], [2.882459, 3.518061], [4.266906, 5.178857], [9.041765, 10.66308],
];
export const TINY_IOU_THRESHOLD = 0.4;
const LEAKY_ALPHA = 0.10000000149011612;

/** face-api's leaky: relu(x - 0.1x) + 0.1x, i.e. LeakyRelu(0.1). */
function leaky(n: NetGraph, x: Value): Value {
  return { ...x, name: n.g.op('LeakyRelu', [x.name], { alpha: LEAKY_ALPHA }) };
}

function separable(n: NetGraph, w: FaceApiWeights, x: Value, prefix: string): Value {
  const dw = w.get(`${prefix}/depthwise_filter`, 4);
  const pw = w.get(`${prefix}/pointwise_filter`, 4);
  // tf.pad by 1 then 'valid' 3x3 = symmetric padding 1: same as 'same' at stride 1 for odd sizes too.
  const d = n.conv(x, { weight: depthwiseToOnnx(dw.data, dw.shape), stride: 1, padding: 'same', group: x.c }, `${prefix}/dw`);
  return leaky(n, n.conv(d, { weight: hwioToOihw(pw.data, pw.shape), bias: w.get(`${prefix}/bias`, 1).data, stride: 1, padding: 'valid' }, `${prefix}/pw`));
}

export function buildTinyFaceDetector(packageDir: string): Uint8Array {
  const w = new FaceApiWeights(packageDir, 'tiny_face_detector_model');
  const n = new NetGraph('faceapi_tiny_face_detector');
  let x = n.nhwcInput('input', TINY_INPUT_SIZE, TINY_MEAN_RGB, TINY_STD);
  const c0 = w.get('conv0/filters', 4);
  x = leaky(n, n.conv(x, { weight: hwioToOihw(c0.data, c0.shape), bias: w.get('conv0/bias', 1).data, stride: 1, padding: 'valid' }, 'conv0'));
  for (let i = 1; i <= 5; i++) {
    x = n.pool('MaxPool', x, 2, 2, 'same');
    x = separable(n, w, x, `conv${i}`);
  }
  x = n.pool('MaxPool', x, 2, 1, 'same');
  const c8 = w.get('conv8/filters', 4);
  x = n.conv(x, { weight: hwioToOihw(c8.data, c8.shape), bias: w.get('conv8/bias', 1).data, stride: 1, padding: 'valid' }, 'conv8');
  const cells = x.size;
  const a = TINY_ANCHORS.length;
  const count = cells * cells * a;

  // NCHW [N, a*5, g, g] → NHWC → [N, g*g*a, 5]: rows ordered (row, col, anchor) as face-api iterates.
  const i64 = (v: number[]) => n.g.constInt64(n.g.fresh('i64'), [v.length], v);
  const raw = n.g.op('Reshape', [n.g.op('Transpose', [x.name], { perm: [0, 2, 3, 1] }), i64([0, count, 5])]);
  const slice = (from: number, to: number) => n.g.op('Slice', [raw, i64([from]), i64([to]), i64([2])]);
  // Grid offsets (col, row) and anchor sizes per row, as [x, y] pairs.
  const offsets = new Float32Array(count * 2); const sizes = new Float32Array(count * 2);
  for (let r = 0; r < cells; r++) for (let c = 0; c < cells; c++) for (let k = 0; k < a; k++) {
    const i = (r * cells + c) * a + k;
    offsets[i * 2] = c; offsets[i * 2 + 1] = r;
    sizes[i * 2] = TINY_ANCHORS[k][0]; sizes[i * 2 + 1] = TINY_ANCHORS[k][1];
  }
  const g = n.const('cells', [], [cells]);
  const centre = n.g.op('Div', [n.g.op('Add', [n.g.op('Sigmoid', [slice(0, 2)]), n.const('grid', [count, 2], offsets)]), g]);
  const half = n.g.op('Div', [n.g.op('Div', [n.g.op('Mul', [n.g.op('Exp', [slice(2, 4)]), n.const('anchor_wh', [count, 2], sizes)]), g]), n.const('two', [], [2])]);
  // [x0, y0] and [x1, y1] → [ymin, xmin, ymax, xmax] (the SSD output layout).
  const yx = (v: string) => n.g.op('Concat', [
    n.g.op('Slice', [v, i64([1]), i64([2]), i64([2])]), n.g.op('Slice', [v, i64([0]), i64([1]), i64([2])]),
  ], { axis: 2 });
  n.g.op('Concat', [yx(n.g.op('Sub', [centre, half])), yx(n.g.op('Add', [centre, half]))], { axis: 2 }, 'boxes');
  n.g.op('Reshape', [n.g.op('Sigmoid', [slice(4, 5)]), i64([0, count])], {}, 'scores');
  n.g.output('boxes', ['N', count, 4]);
  n.g.output('scores', ['N', count]);
  w.assertAllUsed();
  return n.g.toBytes('face-api TinyFaceDetector 416x416 RGB → boxes [ymin, xmin, ymax, xmax] (relative) and face scores');
}
