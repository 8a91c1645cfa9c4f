import type { FingerMinutiae } from '../finger/types.ts';
import { isFingerImageRecord } from '../ingest/image-records/finger-image-record.ts';
import type { QualityPolicy } from '../quality-policy.ts';

// What the check flow needs from each modality. The face and finger layers implement these; the
// check flow, enrolment routes and verification speak only to these interfaces.

/** One enrolled sample found by a 1:N search; `score` is on the API scale (-log10 FMR). */
export interface SampleMatch { sampleId: number; raw: number; score: number }

/** Filled by a search over a sharded gallery (a cluster front): the shards that did not answer in time. A search
 *  given none throws SHARDS_UNAVAILABLE instead of returning a partial answer. The single process never fills it. */
export interface SearchCoverage { missingShards: Set<number> }

export interface FaceExtraction {
  embedding: Float32Array;
  /** The quality report: measures, unified score, and the reasons/warnings a capture falls short (empty when acceptable). */
  quality: Record<string, unknown>;
  timings: Record<string, number>;
}

export interface FaceModality {
  /** Extractor id recorded with each sample (the embedder model), so a model change is detectable. */
  readonly extractor: string;
  /** Decode, detect, measure quality for the purpose, align and embed; throws AppError when no face can be used,
   *  or (policy "strict") when the capture falls short of the purpose's thresholds. */
  extract(image: Uint8Array, purpose: 'enrol' | 'check' | 'verify', opts?: { policy?: QualityPolicy }): Promise<FaceExtraction>;
  search(embedding: Float32Array, watchlistNums: number[], k: number, coverage?: SearchCoverage): Promise<SampleMatch[]>;
  /** Many searches in one native call (the exact scan passes each cached block of the gallery to every query). */
  searchMany(embeddings: Float32Array[], watchlistNums: number[], k: number, coverage?: SearchCoverage): Promise<SampleMatch[][]>;
  compare(a: Float32Array, b: Float32Array): { raw: number; score: number };
  /** After PostgreSQL committed the samples; `subjectId` places them on their shard in a cluster. */
  add(items: { sampleId: number; embedding: Float32Array; watchlistNum: number; seq?: number; subjectId?: string }[]): Promise<void>;
  remove(sampleIds: number[]): void;
  /** Verification (1:1) threshold on the API scale. */
  readonly verifyThreshold: number;
  /** The image's face aligned for comparison by eye (same eye positions in every crop), as PNG. */
  displayCrop?(image: Uint8Array): Promise<Uint8Array>;
}

export interface PreparedFinger {
  /** Finger position 0..10 (0 unknown). */
  position: number;
  /** The matcher's own template, as stored and loaded into the gallery. */
  template: Uint8Array;
  minutiae: number;
  format: string;
  /** Image quality, when the finger came as an image (our extractor). */
  quality?: Record<string, unknown>;
}

export interface FingerModality {
  readonly extractor: string;
  /** Parses a standard minutiae record (format detected from its header); one entry per finger view. */
  prepare(record: Uint8Array, positionOverride?: number): PreparedFinger[];
  /** The same from minutiae already decoded elsewhere (an ANSI/NIST-ITL Type-9 record). */
  fromMinutiae(finger: FingerMinutiae, format: string, positionOverride?: number): PreparedFinger;
  /** A fingerprint image (WSQ, JPEG 2000, PNG, TIFF, JPEG, or an ISO/IEC 19794-4 / ANSI 381 record with one
   *  or more views): decoded, resampled to 500 ppi, minutiae extracted; one entry per view. */
  fromImage(image: Uint8Array, opts: { ppi?: number; position?: number }): Promise<PreparedFinger[]>;
  /** `coverage` collects which shards answered (a cluster front); `background`: a search nobody waits for (the
   *  connection pass) runs on one native thread, leaving the other cores to checks and enrolments. */
  search(probe: PreparedFinger, watchlistNums: number[], k: number, coverage?: SearchCoverage, opts?: { background?: boolean }): Promise<SampleMatch[]>;
  compare(a: Uint8Array, b: Uint8Array): { raw: number; score: number };
  /** After PostgreSQL committed the samples; `subjectId` places them on their shard in a cluster (which answers once
   *  the shard's stream holds them). */
  add(items: { sampleId: number; finger: PreparedFinger; watchlistNum: number; subjectId?: string }[]): void | Promise<void>;
  remove(sampleIds: number[]): void | Promise<void>;
  readonly verifyThreshold: number;
}

/** A finger as a request carries it: a standard record, minutiae decoded from a transaction, or an image. */
export interface FingerProbeInput {
  record?: Uint8Array; minutiae?: FingerMinutiae; image?: Uint8Array;
  /** Scan resolution of `image`, when the request says. */
  ppi?: number;
  position?: number; format: string; source: Uint8Array;
}

/** One prepared finger per view of a probe input (an image is one view). */
export async function prepareFingerInput(finger: FingerModality, f: FingerProbeInput): Promise<PreparedFinger[]> {
  if (f.minutiae) return [finger.fromMinutiae(f.minutiae, f.format, f.position)];
  if (f.image) return finger.fromImage(f.image, { ppi: f.ppi, position: f.position });
  // An octet-stream body is a minutiae record ("FMR") or a finger image record ("FIR").
  if (f.record && isFingerImageRecord(f.record)) return finger.fromImage(f.record, { ppi: f.ppi, position: f.position });
  if (f.record) return finger.prepare(f.record, f.position);
  return [];
}

export interface Modalities { face?: FaceModality; finger?: FingerModality }
