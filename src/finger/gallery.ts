// 1:N fingerprint gallery held in native memory; searches run on native threads off the event loop.
import { AppError } from '../errors.ts';
import { asTemplate, templateError, type FingerInput } from './matcher.ts';
import { matcherAddon, type NativeGallery, type NativeSearchOptions } from './native.ts';

/** What a gallery search takes: the addon's own options, passed through. */
export type FingerSearchOptions = NativeSearchOptions;

export interface FingerHit {
  id: number;
  /** Raw matcher score in [0, 1]; see calibrateFingerScore. */
  score: number;
}

function checkId(id: number): void {
  if (!Number.isSafeInteger(id)) throw new AppError('VALIDATION_FAILED', `gallery id ${id} is not a safe integer`);
}

function checkPosition(position: number): void {
  if (!Number.isInteger(position) || position < 0 || position > 10) {
    throw new AppError('VALIDATION_FAILED', `finger position ${position} is not an integer 0..10`);
  }
}

export class FingerGallery {
  readonly #native: NativeGallery = new (matcherAddon().Gallery)();

  /** Adds (or replaces) an entry; position overrides the template's own finger position. */
  add(id: number, template: Uint8Array, position?: number): void {
    checkId(id);
    if (position !== undefined) checkPosition(position);
    this.#native.add(id, asTemplate(template), position);
  }

  /**
   * Adds (or replaces) many entries, building their features on native threads off the event loop: the way to
   * load a large gallery. Every template is checked first; one invalid template rejects the batch and adds nothing.
   */
  async addMany(items: readonly { id: number; template: Uint8Array; position?: number }[]): Promise<void> {
    const ids = new Float64Array(items.length), positions = new Int16Array(items.length);
    items.forEach((it, i) => {
      checkId(it.id);
      if (!(it.template instanceof Uint8Array)) throw new AppError('TEMPLATE_UNKNOWN_FORMAT', `item ${i}: finger template must be bytes`);
      if (it.position !== undefined) checkPosition(it.position);
      ids[i] = it.id;
      positions[i] = it.position ?? -1;
    });
    try {
      await this.#native.addMany(ids, items.map((it) => it.template), positions);
    } catch (e) {
      throw templateError(e instanceof Error ? e.message : String(e));
    }
  }

  remove(id: number): boolean {
    checkId(id);
    return this.#native.remove(id);
  }

  /** Removes entries on a native thread, so the wait for running searches never blocks the event loop. */
  async removeMany(ids: readonly number[]): Promise<number> {
    ids.forEach(checkId);
    return this.#native.removeMany(Float64Array.from(ids));
  }

  get size(): number {
    return this.#native.size();
  }

  /** Approximate native memory held by the entries, in bytes. */
  get memoryBytes(): number {
    return this.#native.memoryBytes();
  }

  async search(probe: FingerInput, options: FingerSearchOptions = {}): Promise<FingerHit[]> {
    return (await this.searchWithStats(probe, options)).hits;
  }

  /** As search, with how many entries each stage looked at. */
  searchWithStats(probe: FingerInput, options: FingerSearchOptions = {}) {
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > 10_000) throw new AppError('VALIDATION_FAILED', `k ${k} is not an integer 1..10000`);
    for (const p of options.positions ?? []) {
      if (!Number.isInteger(p) || p < 0 || p > 10) throw new AppError('VALIDATION_FAILED', `finger position ${p} is not an integer 0..10`);
    }
    return this.#native.search(asTemplate(probe), { ...options, k });
  }
}
