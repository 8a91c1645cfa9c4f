// face-api's SsdMobilenetv1 face detector as ONNX, box decoding included (the anchors are a
// weight, Output/extra_dim). Topology read from @vladmandic/face-api src/ssdMobilenetv1/:
// MobileNetV1 (3x3/2 conv, then 13 depthwise(+batch norm)/pointwise pairs, ReLU6, stride 2 at
// layers 2, 4, 6, 12, all 'same'), eight extra pointwise layers, six box predictors (on layer
// 11, the backbone output and extra layers 1, 3, 5, 7), sigmoid scores of class 1, and the
// TF object-detection box coder with scales 10, 10, 5, 5. NMS stays outside the graph
// (src/face/detect/ssd-decode.ts), as face-api does it in JS.
import { FaceApiWeights, NetGraph, depthwiseToOnnx, hwioToOihw, type Value } from './layers.ts';

export const SSD_INPUT_SIZE = 512;
/** face-api: x / 127.5 - 1, i.e. (x - 127.5) / 127.5. */
export const SSD_MEAN = 127.5;
export const SSD_STD = 127.5;
export const SSD_ANCHORS = 5118;
/** tfjs's batchNorm epsilon as face-api passes it. */
const BN_EPSILON = 0.0010000000474974513;
/** Scale factors of the TF box coder (y, x, h, w), as face-api's outputLayer applies them. */
export const SSD_BOX_CODER_SCALES = [10, 10, 5, 5];

/** pointwiseConvLayer: conv ('same') + bias ("convolution_bn_offset"), ReLU6. */
function pointwise(n: NetGraph, w: FaceApiWeights, x: Value, prefix: string, stride: number): Value {
  const f = w.get(`${prefix}/weights`, 4);
  const y = n.conv(x, { weight: hwioToOihw(f.data, f.shape), bias: w.get(`${prefix}/convolution_bn_offset`, 1).data, stride, padding: 'same' }, prefix);
  return n.clip(y, 0, 6);
}

/** depthwiseConvLayer: depthwise conv ('same') + batch norm (folded into the filters), ReLU6. */
function depthwise(n: NetGraph, w: FaceApiWeights, x: Value, prefix: string, stride: number): Value {
  const f = w.get(`${prefix}/depthwise_weights`, 4);
  const gamma = w.get(`${prefix}/BatchNorm/gamma`, 1).data;
  const beta = w.get(`${prefix}/BatchNorm/beta`, 1).data;
  const mean = w.get(`${prefix}/BatchNorm/moving_mean`, 1).data;
  const variance = w.get(`${prefix}/BatchNorm/moving_variance`, 1).data;
  const k = Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c] + BN_EPSILON));
  const weight = depthwiseToOnnx(f.data, f.shape);
  const per = weight.data.length / k.length;
  for (let c = 0; c < k.length; c++) for (let i = 0; i < per; i++) weight.data[c * per + i] *= k[c];
  const bias = Float32Array.from(beta, (b, c) => b - mean[c] * k[c]);
  return n.clip(n.conv(x, { weight, bias, stride, padding: 'same', group: x.c }, prefix), 0, 6);
}

/** A 1x1 predictor conv, its output laid out as TF does (NHWC) and flattened to [N, anchors, k]. */
function predictor(n: NetGraph, w: FaceApiWeights, x: Value, prefix: string, k: number): string {
  const f = w.get(`${prefix}/weights`, 4);
  const y = n.conv(x, { weight: hwioToOihw(f.data, f.shape), bias: w.get(`${prefix}/biases`, 1).data, stride: 1, padding: 'same' }, prefix);
  const nhwc = n.g.op('Transpose', [y.name], { perm: [0, 2, 3, 1] });
  return n.g.op('Reshape', [nhwc, n.g.constInt64(n.g.fresh('shape'), [3], [0, -1, k])]);
}

/** Anchor sizes and centres ([h, w] and [cy, cx]) computed in float32 as face-api's tfjs ops do. */
function anchorConstants(anchors: Float32Array): { sizes: Float32Array; centres: Float32Array } {
  const f = Math.fround;
  const sizes = new Float32Array(SSD_ANCHORS * 2);
  const centres = new Float32Array(SSD_ANCHORS * 2);
  for (let i = 0; i < SSD_ANCHORS; i++) {
    const [y0, x0, y1, x1] = anchors.subarray(i * 4, i * 4 + 4);
    sizes[i * 2] = f(y1 - y0); sizes[i * 2 + 1] = f(x1 - x0);
    centres[i * 2] = f(y0 + f(sizes[i * 2] / 2)); centres[i * 2 + 1] = f(x0 + f(sizes[i * 2 + 1] / 2));
  }
  return { sizes, centres };
}

export function buildSsdMobilenetv1(packageDir: string): Uint8Array {
  const w = new FaceApiWeights(packageDir, 'ssd_mobilenetv1_model');
  const n = new NetGraph('faceapi_ssd_mobilenetv1');
  let x = n.nhwcInput('input', SSD_INPUT_SIZE, [SSD_MEAN, SSD_MEAN, SSD_MEAN], SSD_STD);

  x = pointwise(n, w, x, 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11: Value | undefined;
  for (let i = 1; i <= 13; i++) {
    x = depthwise(n, w, x, `MobilenetV1/Conv2d_${i}_depthwise`, [2, 4, 6, 12].includes(i) ? 2 : 1);
    x = pointwise(n, w, x, `MobilenetV1/Conv2d_${i}_pointwise`, 1);
    if (i === 11) conv11 = x;
  }
  const extra: Value[] = [];
  let e = x;
  for (let i = 0; i < 8; i++) {
    e = pointwise(n, w, e, `Prediction/Conv2d_${i}_pointwise`, i % 2 === 1 ? 2 : 1);
    extra.push(e);
  }
  const features = [conv11!, x, extra[1], extra[3], extra[5], extra[7]];
  const enc: string[] = []; const cls: string[] = [];
  features.forEach((f, i) => {
    enc.push(predictor(n, w, f, `Prediction/BoxPredictor_${i}/BoxEncodingPredictor`, 4));
    cls.push(predictor(n, w, f, `Prediction/BoxPredictor_${i}/ClassPredictor`, 3));
  });
  const encodings = n.g.op('Concat', enc, { axis: 1 });
  const classes = n.g.op('Concat', cls, { axis: 1 });

  // Scores: sigmoid of class 1 (class 0 is background).
  const i64 = (v: number[]) => n.g.constInt64(n.g.fresh('i64'), [v.length], v);
  const logit = n.g.op('Slice', [classes, i64([1]), i64([2]), i64([2])]);
  n.g.op('Reshape', [n.g.op('Sigmoid', [logit]), i64([0, -1])], {}, 'scores');

  // Boxes: centre = t_yx / 10 * anchor_hw + anchor_c; half = exp(t_hw / 5) * anchor_hw / 2.
  const anchors = w.get('Output/extra_dim', 3);
  if (anchors.shape[1] !== SSD_ANCHORS) throw new Error(`ssd: ${anchors.shape[1]} anchors, expected ${SSD_ANCHORS}`);
  const { sizes, centres } = anchorConstants(anchors.data);
  const hw = n.const('anchor_hw', [SSD_ANCHORS, 2], sizes);
  const c = n.const('anchor_centre', [SSD_ANCHORS, 2], centres);
  const tYX = n.g.op('Slice', [encodings, i64([0]), i64([2]), i64([2])]);
  const tHW = n.g.op('Slice', [encodings, i64([2]), i64([4]), i64([2])]);
  const scalar = (v: number) => n.const('k', [], [v]);
  const centre = n.g.op('Add', [n.g.op('Mul', [n.g.op('Div', [tYX, scalar(SSD_BOX_CODER_SCALES[0])]), hw]), c]);
  const half = n.g.op('Div', [n.g.op('Mul', [n.g.op('Exp', [n.g.op('Div', [tHW, scalar(SSD_BOX_CODER_SCALES[2])])]), hw]), scalar(2)]);
  n.g.op('Concat', [n.g.op('Sub', [centre, half]), n.g.op('Add', [centre, half])], { axis: 2 }, 'boxes');

  n.g.output('boxes', ['N', SSD_ANCHORS, 4]);
  n.g.output('scores', ['N', SSD_ANCHORS]);
  // Scalars and shapes of the original TF graph's pre/post-processing that face-api never reads.
  w.assertAllUsed(/^(Preprocessor|Postprocessor|concat_1|Prediction\/BoxPredictor_\d\/(stack|strided_slice))/);
  return n.g.toBytes('face-api SsdMobilenetv1 512x512 RGB → boxes [ymin, xmin, ymax, xmax] (relative) and face scores');
}
