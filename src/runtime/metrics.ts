// Prometheus series of the inference pools (biocheck_inference_*, label `model`). One set per
// registry, shared by every pool registered on it; the HTTP layer publishes the registry on /metrics.
import client, { type Registry } from 'prom-client';

/** Batch sizes are powers of two in practice (maxBatch 8/16/32). */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128];
/** Seconds: from ~1 ms (tiny models) to seconds (an overloaded queue). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface InferenceMetrics {
  queueDepth: client.Gauge<'model'>;
  inFlight: client.Gauge<'model'>;
  workers: client.Gauge<'model' | 'provider'>;
  batchSize: client.Histogram<'model'>;
  runSeconds: client.Histogram<'model'>;
  latencySeconds: client.Histogram<'model'>;
  rejected: client.Counter<'model' | 'reason'>;
}

const perRegistry = new WeakMap<Registry, InferenceMetrics>();

export function inferenceMetrics(registry: Registry = client.register): InferenceMetrics {
  const known = perRegistry.get(registry);
  if (known) return known;
  const registers = [registry];
  const m: InferenceMetrics = {
    queueDepth: new client.Gauge({ name: 'biocheck_inference_queue_depth', help: 'Samples waiting in the inference queue', labelNames: ['model'], registers }),
    inFlight: new client.Gauge({ name: 'biocheck_inference_in_flight', help: 'Samples in batches running on a worker', labelNames: ['model'], registers }),
    workers: new client.Gauge({ name: 'biocheck_inference_workers', help: 'Live inference workers, by effective execution provider', labelNames: ['model', 'provider'], registers }),
    batchSize: new client.Histogram({ name: 'biocheck_inference_batch_size', help: 'Samples per dispatched batch', labelNames: ['model'], buckets: BATCH_BUCKETS, registers }),
    runSeconds: new client.Histogram({ name: 'biocheck_inference_run_seconds', help: 'session.run time of one batch in its worker', labelNames: ['model'], buckets: LATENCY_BUCKETS, registers }),
    latencySeconds: new client.Histogram({ name: 'biocheck_inference_latency_seconds', help: 'Time from infer() to its result, queue wait included', labelNames: ['model'], buckets: LATENCY_BUCKETS, registers }),
    rejected: new client.Counter({ name: 'biocheck_inference_rejected_total', help: 'Requests refused or dropped, by reason (queue_full, deadline, aborted, worker_crash, run_error, closed)', labelNames: ['model', 'reason'], registers }),
  };
  perRegistry.set(registry, m);
  return m;
}
