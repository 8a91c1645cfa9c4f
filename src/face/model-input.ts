// How a model's manifest/BYO descriptor says it wants its input: tensor layout and normalisation, size.
import type { ModelDescriptor } from '../runtime/index.ts';
import type { TensorSpec } from './align.ts';

export const tensorSpec = (d: ModelDescriptor): TensorSpec => ({
  layout: d.input.layout,
  colour: d.input.colour.toUpperCase() as TensorSpec['colour'],
  mean: d.input.mean,
  std: d.input.std,
});

/** [width, height] of the model's input. */
export const inputSize = (d: ModelDescriptor): [number, number] => {
  const s = d.input.shape;
  return d.input.layout === 'NHWC' ? [s[2], s[1]] : [s[3], s[2]];
};
