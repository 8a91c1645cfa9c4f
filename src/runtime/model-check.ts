// Checks what an ONNX file really takes and gives (names, ranks, fixed dimensions, batch) against the
// spec declared for it, and derives how the pool feeds it.
import { ModelConfigError, type ModelDescriptor } from './byo-config.ts';

/** What the worker reads off `InferenceSession` (inputNames/outputNames and their metadata). */
export interface SessionIo {
  inputNames: string[];
  outputNames: string[];
  inputs: { name: string; type?: string; shape?: (number | string)[] }[];
  outputs: { name: string; type?: string; shape?: (number | string)[] }[];
}

export interface RunPlan {
  inputName: string;
  /** Per-sample input dimensions (without the batch). */
  sampleDims: number[];
  /** false when the ONNX input's batch dimension is fixed to 1: samples then run one by one. */
  batchable: boolean;
  /** Outputs fetched, in order. */
  outputNames: string[];
}

export function planFromSpec(desc: ModelDescriptor, io: SessionIo): RunPlan {
  const problems: string[] = [];
  const declared = desc.input.shape;
  if (!io.inputNames.includes(desc.input.name)) {
    problems.push(`input "${desc.input.name}" not in the ONNX file (its inputs: ${io.inputNames.join(', ')})`);
  } else if (io.inputNames.length !== 1) {
    problems.push(`the ONNX file has ${io.inputNames.length} inputs (${io.inputNames.join(', ')}); one image input is supported`);
  }
  const meta = io.inputs.find((m) => m.name === desc.input.name);
  let batchable = true;
  const sampleDims = declared.slice(1);
  if (meta?.type && meta.type !== 'float32') problems.push(`input "${desc.input.name}" is ${meta.type}; float32 is supported`);
  if (meta?.shape && meta.shape.length > 0) {
    if (meta.shape.length !== declared.length) {
      problems.push(`input "${desc.input.name}" has rank ${meta.shape.length} [${meta.shape}] in the ONNX file, declared [${declared}]`);
    } else {
      const b = meta.shape[0];
      if (typeof b === 'number') {
        if (b === 1) batchable = false;
        else problems.push(`input "${desc.input.name}" has a fixed batch of ${b}; only 1 or a free batch is supported`);
      }
      for (let i = 1; i < declared.length; i++) {
        const actual = meta.shape[i];
        if (typeof actual === 'number' && actual > 0 && actual !== declared[i]) {
          problems.push(`input "${desc.input.name}" dimension ${i} is ${actual} in the ONNX file, declared ${declared[i]} ([${meta.shape}] vs [${declared}])`);
        }
      }
    }
  }
  if (!sampleDims.every((d) => Number.isInteger(d) && d > 0)) problems.push(`declared input shape [${declared}] must fix every dimension but the batch`);
  for (const o of desc.outputs) {
    if (!io.outputNames.includes(o.name)) {
      problems.push(`output "${o.name}" not in the ONNX file (its outputs: ${io.outputNames.join(', ')})`);
      continue;
    }
    const m = io.outputs.find((x) => x.name === o.name);
    if (o.shape.length > 0 && m?.shape && m.shape.length > 0 && m.shape.length !== o.shape.length) {
      problems.push(`output "${o.name}" has rank ${m.shape.length} [${m.shape}] in the ONNX file, declared [${o.shape}]`);
    }
  }
  if (problems.length) throw new ModelConfigError(`model "${desc.id}" (${desc.path})`, problems);
  return {
    inputName: desc.input.name,
    sampleDims,
    batchable,
    outputNames: desc.outputs.length ? desc.outputs.map((o) => o.name) : [...io.outputNames],
  };
}
