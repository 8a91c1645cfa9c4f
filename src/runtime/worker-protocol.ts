// Messages between an inference pool (main thread) and its workers (worker.ts).
import type { ExecutionProvider } from './config.ts';
import type { SessionIo } from './model-check.ts';

export interface WorkerInit {
  /** Path of the .onnx file, or its bytes (tests, generated models). */
  model: string | Uint8Array;
  provider: ExecutionProvider;
  /** Fall back to the CPU provider when the requested one cannot be created. */
  allowFallback: boolean;
  intraOpNumThreads: number;
}

export interface WarmupPlan {
  inputName: string;
  sampleDims: number[];
  outputNames: string[];
  /** Largest batch to warm up and check (1 for fixed-batch models). */
  maxBatch: number;
}

export interface OutputTensor { name: string; data: Float32Array; dims: number[] }

export type ToWorker =
  | { type: 'warmup'; plan: WarmupPlan }
  | { type: 'run'; id: number; data: Float32Array; batch: number }
  | { type: 'close' }
  /** Failure drill: throw an uncaught error on receiving the next batch, as a worker bug would. */
  | { type: 'crash-on-next-run' };

export type FromWorker =
  | { type: 'loaded'; provider: ExecutionProvider; fallbackReason?: string; io: SessionIo }
  | { type: 'init-error'; message: string }
  /** Per-sample output dims from the batch-1 run; batchError when the maxBatch run failed. */
  | { type: 'ready'; outputDims: Record<string, number[]>; batchError?: string }
  | { type: 'result'; id: number; outputs: OutputTensor[]; runMs: number }
  | { type: 'run-error'; id: number; message: string };
