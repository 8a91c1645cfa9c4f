// TF's SAME / VALID / EXPLICIT padding as explicit ONNX pads. TF's SAME puts the odd pixel
// at the end (bottom/right); writing the pads out keeps that exact for any input size.
import { ConversionError } from './parse.ts';

export interface Spatial { pads: number[]; outH: number; outW: number }

function sameAxis(inSize: number, k: number, stride: number, dilation: number): [number, number, number] {
  const out = Math.ceil(inSize / stride);
  const effK = (k - 1) * dilation + 1;
  const total = Math.max((out - 1) * stride + effK - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before, out];
}

/**
 * Pads in ONNX order [top, left, bottom, right] and the output size.
 * `explicit` is TF's explicit_paddings in NHWC order (8 values) when padding is EXPLICIT.
 */
export function spatialPads(
  padding: string, inH: number, inW: number, k: [number, number], strides: [number, number],
  dilations: [number, number], explicit: number[], where: string,
): Spatial {
  if (inH < 0 || inW < 0) throw new ConversionError(`${where}: spatial size of the input must be known`);
  const effH = (k[0] - 1) * dilations[0] + 1;
  const effW = (k[1] - 1) * dilations[1] + 1;
  if (padding === 'VALID') {
    return { pads: [0, 0, 0, 0], outH: Math.floor((inH - effH) / strides[0]) + 1, outW: Math.floor((inW - effW) / strides[1]) + 1 };
  }
  if (padding === 'SAME') {
    const [t, b, outH] = sameAxis(inH, k[0], strides[0], dilations[0]);
    const [l, r, outW] = sameAxis(inW, k[1], strides[1], dilations[1]);
    return { pads: [t, l, b, r], outH, outW };
  }
  if (padding === 'EXPLICIT') {
    if (explicit.length !== 8) throw new ConversionError(`${where}: EXPLICIT padding needs 8 explicit_paddings, got ${explicit.length}`);
    const [t, b, l, r] = [explicit[2], explicit[3], explicit[4], explicit[5]];
    return {
      pads: [t, l, b, r],
      outH: Math.floor((inH + t + b - effH) / strides[0]) + 1,
      outW: Math.floor((inW + l + r - effW) / strides[1]) + 1,
    };
  }
  throw new ConversionError(`${where}: padding ${padding} not supported`);
}
