// The fingerprint side of checks and enrolment: standard records in, matcher templates out, one native
// gallery per watchlist (so a search touches only the watchlists the caller may search).
import { AppError } from '../errors.ts';
import type { FingerModality, PreparedFinger, SampleMatch, SearchCoverage } from '../fusion/modalities.ts';
import { parseTemplate, toFingerMinutiae } from '../ingest/templates/index.ts';
import type { Db } from '../store/db.ts';
import type { FingerMinutiae } from './types.ts';
import { liveSamples, type StoredSample } from '../store/samples.ts';
import { calibrateFingerScore, FINGER_THRESHOLD_FMR_1E3 } from './calibrate.ts';
import { FingerGallery } from './gallery.ts';
import { compareFingers, encodeFinger, validateFingerTemplate } from './matcher.ts';
import { EXTRACTOR_VERSION, extractMinutiaeAsync } from './extract.ts';
import { decodeFingerImages, toWorkingResolution } from './image.ts';
import { fingerQuality } from './quality.ts';
import { matcherAddon } from './native.ts';

/** Fewer minutiae than this carry too little to match on. */
export const MIN_MINUTIAE = 5;
/** Sides of a single-finger image at 500 ppi (a fingertip is about 100 px wide; a slap needs segmenting first). */
const MIN_IMAGE_SIDE = 64, MAX_IMAGE_SIDE = 4096;
/** Fingers per native bulk add while loading from PostgreSQL. */
const LOAD_BATCH = 5_000;

export class FingerService implements FingerModality {
  readonly extractor = `biocheck-matcher-${matcherAddon().version}`;
  /** 1:1 verification accepts at FMR 1e-3. */
  readonly verifyThreshold = FINGER_THRESHOLD_FMR_1E3;
  private galleries = new Map<number, FingerGallery>();
  /** sample id → watchlist number, to remove without scanning every gallery. */
  private where = new Map<number, number>();

  prepare(record: Uint8Array, positionOverride?: number): PreparedFinger[] {
    // Lenient: real scanners (and the standards' own examples) get record lengths slightly wrong; truncation
    // and impossible counts are still refused, and what was tolerated is recorded in the parse's warnings.
    const parsed = parseTemplate(record, { lenient: true });
    return toFingerMinutiae(parsed).map((f, i) => this.fromMinutiae(f, parsed.format, positionOverride, `finger view ${i}`));
  }

  fromMinutiae(f: FingerMinutiae, format: string, positionOverride?: number, what = 'the finger'): PreparedFinger {
    if (f.minutiae.length < MIN_MINUTIAE) {
      throw new AppError('TEMPLATE_NO_MINUTIAE', `${what} has ${f.minutiae.length} minutiae; at least ${MIN_MINUTIAE} are needed to match`);
    }
    const position = positionOverride ?? f.position;
    return { position, template: encodeFinger({ ...f, position }), minutiae: f.minutiae.length, format };
  }

  async fromImage(image: Uint8Array, opts: { ppi?: number; position?: number }): Promise<PreparedFinger[]> {
    const out: PreparedFinger[] = [];
    for (const [i, decoded] of (await decodeFingerImages(image, opts.ppi)).entries()) {
      const img = await toWorkingResolution(decoded.image, decoded.ppi);
      if (Math.min(img.width, img.height) < MIN_IMAGE_SIDE || Math.max(img.width, img.height) > MAX_IMAGE_SIDE) {
        throw new AppError('IMAGE_UNDECODABLE', `a ${img.width}x${img.height} image at 500 ppi is not a single fingerprint (sides ${MIN_IMAGE_SIDE}..${MAX_IMAGE_SIDE} px)`);
      }
      const ex = await extractMinutiaeAsync(img, opts.position ?? decoded.position ?? 0);
      const quality = { ...fingerQuality(ex.stats, img.width, img.height, ex.finger.minutiae.length), extractor: EXTRACTOR_VERSION, ppi: decoded.ppi };
      const f = this.fromMinutiae(ex.finger, `image/${decoded.format}`, opts.position, i ? `image view ${i}` : 'the image');
      out.push({ ...f, quality });
    }
    return out;
  }

  async search(probe: PreparedFinger, watchlistNums: number[], k: number, _coverage?: SearchCoverage, opts: { background?: boolean } = {}): Promise<SampleMatch[]> {
    const positions = probe.position ? [probe.position] : undefined;
    const threads = opts.background ? 1 : undefined;
    const parts = await Promise.all(watchlistNums.map((n) => this.galleries.get(n)).filter((g): g is FingerGallery => g !== undefined && g.size > 0)
      .map((g) => g.search(probe.template, { k, positions, threads })));
    return parts.flat().sort((a, b) => b.score - a.score).slice(0, k)
      .map((h) => ({ sampleId: h.id, raw: h.score, score: calibrateFingerScore(h.score) }));
  }

  compare(a: Uint8Array, b: Uint8Array): { raw: number; score: number } {
    const raw = compareFingers(a, b);
    return { raw, score: calibrateFingerScore(raw) };
  }

  /** Enrolment's add: features are built and the gallery's write lock is taken on a native thread, so an
   *  enrolment during a long search (a check, the connection pass) waits there instead of stalling every request. */
  async add(items: { sampleId: number; finger: PreparedFinger; watchlistNum: number }[]): Promise<void> {
    const byList = new Map<number, typeof items>();
    for (const it of items) byList.set(it.watchlistNum, [...(byList.get(it.watchlistNum) ?? []), it]);
    for (const [num, list] of byList) {
      await this.gallery(num).addMany(list.map((it) => ({ id: it.sampleId, template: it.finger.template, position: it.finger.position ?? 0 })));
      for (const it of list) this.where.set(it.sampleId, num);
    }
  }

  private gallery(watchlistNum: number): FingerGallery {
    let g = this.galleries.get(watchlistNum);
    if (!g) { g = new FingerGallery(); this.galleries.set(watchlistNum, g); }
    return g;
  }

  /** A matcher template as stored in PostgreSQL (a gallery catching up by id). */
  addTemplate(sampleId: number, template: Uint8Array, position: number | null, watchlistNum: number): void {
    this.gallery(watchlistNum).add(sampleId, template, position ?? 0);
    this.where.set(sampleId, watchlistNum);
  }

  /** Forgets the samples at once (a check filters them by the database too) and drops them from the native
   *  galleries off the event loop. */
  async remove(sampleIds: number[]): Promise<void> {
    const byList = new Map<number, number[]>();
    for (const id of sampleIds) {
      const n = this.where.get(id);
      if (n === undefined) continue;
      this.where.delete(id);
      byList.set(n, [...(byList.get(n) ?? []), id]);
    }
    for (const [n, ids] of byList) await this.galleries.get(n)?.removeMany(ids);
  }

  get size(): number { return this.where.size; }

  /** Loads every live finger sample from PostgreSQL (the galleries live in memory only), in batches
   *  whose features are built on native threads. */
  async load(db: Db, log: (m: string) => void, samples: AsyncIterable<StoredSample> = liveSamples(db, 'finger')): Promise<void> {
    let n = 0;
    let skipped = 0;
    let batch: StoredSample[] = [];
    const flush = async () => {
      const byList = new Map<number, StoredSample[]>();
      for (const s of batch) byList.set(s.watchlistNum, [...(byList.get(s.watchlistNum) ?? []), s]);
      for (const [num, samples] of byList) {
        await this.gallery(num).addMany(samples.map((s) => ({ id: s.id, template: s.template, position: s.position ?? 0 })));
        for (const s of samples) this.where.set(s.id, num);
      }
      n += batch.length;
      batch = [];
    };
    for await (const s of samples) {
      try {
        validateFingerTemplate(s.template);
      } catch {
        skipped++; // a template from another matcher version: re-enrol from the stored source record
        continue;
      }
      batch.push(s);
      if (batch.length >= LOAD_BATCH) await flush();
    }
    await flush();
    log(`fingerprint galleries loaded: ${n} finger(s)${skipped ? `, ${skipped} skipped (incompatible template version)` : ''}`);
  }
}
