// The op table: every TF op the converter knows, by family.
import { activationOps } from './activation.ts';
import { convOps } from './conv.ts';
import { elementwiseOps } from './elementwise.ts';
import { matmulOps } from './matmul.ts';
import { reduceOps } from './reduce.ts';
import { shapeOps } from './shape.ts';
import type { OpTable } from './types.ts';

export const OPS: OpTable = {
  ...activationOps, ...convOps, ...elementwiseOps, ...matmulOps, ...reduceOps, ...shapeOps,
};
