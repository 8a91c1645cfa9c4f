// 1:N gallery: agreement with a brute-force 1:1 scan, position filter, concurrent edits, event loop stays free.
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { compareFingers, encodeFinger, FingerGallery } from '../src/finger/index.ts';
import { perturb, rng, syntheticFinger } from '../bench/lib/finger-synthetic.ts';

const r = rng(99);
const fingers = Array.from({ length: 60 }, () => syntheticFinger(r, 25 + Math.floor(r() * 25)));
const enrolled = fingers.flatMap((f, i) => [0, 1, 2].map((c) => ({ id: i * 10 + c, bytes: encodeFinger(perturb(f, r)), position: (i % 10) + 1 })));

function gallery(): FingerGallery {
  const g = new FingerGallery();
  for (const e of enrolled) g.add(e.id, e.bytes, e.position);
  return g;
}

describe('FingerGallery', () => {
  it('top-K equals a brute-force 1:1 scan, and the two-stage search still ranks a mate first', async () => {
    const g = gallery();
    expect(g.size).toBe(enrolled.length);
    for (let p = 0; p < 6; p++) {
      const probe = encodeFinger(perturb(fingers[p * 9], r));
      const brute = enrolled.map((e) => ({ id: e.id, score: Math.fround(compareFingers(probe, e.bytes)) }))
        .sort((a, b) => b.score - a.score || a.id - b.id).slice(0, 10);
      const full = await g.search(probe, { k: 10, exhaustive: true });
      expect(full.map((h) => h.id)).toEqual(brute.map((h) => h.id));
      full.forEach((h, i) => expect(h.score).toBeCloseTo(brute[i].score, 6));
      // Default options at this size rerank everything: identical to the exhaustive scan.
      expect((await g.search(probe, { k: 10 })).map((h) => h.id)).toEqual(brute.map((h) => h.id));
      // A first stage keeping only half the gallery still puts a mate first.
      const fast = await g.search(probe, { k: 3, rerankMin: 0, rerankFraction: 0.5 });
      expect(Math.floor(fast[0].id / 10)).toBe(p * 9);
    }
  });

  it('addMany (native threads) equals one-by-one add; one bad template rejects the whole batch', async () => {
    const one = gallery();
    const many = new FingerGallery();
    await many.addMany(enrolled.map((e) => ({ id: e.id, template: e.bytes, position: e.position })));
    expect(many.size).toBe(one.size);
    const probe = encodeFinger(perturb(fingers[7], r));
    for (const opts of [{ k: 10, exhaustive: true }, { k: 5, positions: [8] }, { k: 3, rerankMin: 0, rerankFraction: 0.3 }]) {
      expect(await many.search(probe, opts)).toEqual(await one.search(probe, opts));
    }
    const bad = enrolled[1].bytes.slice(); bad[bad.length - 1] ^= 0xff;
    const before = many.size;
    const err = await many.addMany([{ id: 1_000_001, template: enrolled[0].bytes }, { id: 1_000_002, template: bad }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('TEMPLATE_INVALID_FIELD');
    expect((err as AppError).message).toContain('template 1');
    expect(many.size).toBe(before);
  });

  it('positions narrows to matching or unknown positions', async () => {
    const g = gallery();
    g.add(100_000, encodeFinger(perturb(fingers[0], r)), 0);  // unknown position always eligible
    const probe = encodeFinger(fingers[0]);
    const hits = await g.search(probe, { k: 500, positions: [3], exhaustive: true });
    const byId = new Map(enrolled.map((e) => [e.id, e.position]));
    expect(hits.length).toBe(enrolled.filter((e) => e.position === 3).length + 1);
    for (const h of hits) expect(h.id === 100_000 || byId.get(h.id) === 3).toBe(true);
    expect((await g.search(probe, { k: 500, positions: [0], exhaustive: true })).length).toBe(enrolled.length + 1);
  });

  it('add replaces, remove deletes, and edits during searches are safe', async () => {
    const g = gallery();
    const probe = encodeFinger(fingers[5]);
    const searches = Array.from({ length: 8 }, () => g.search(probe, { k: 5, exhaustive: true }));
    for (let i = 0; i < 30; i++) g.remove(enrolled[i].id);
    g.add(enrolled[40].id, encodeFinger(fingers[59]), 1);
    await Promise.all(searches);
    expect(g.size).toBe(enrolled.length - 30);
    expect(g.remove(enrolled[0].id)).toBe(false);
    const hits = await g.search(encodeFinger(fingers[59]), { k: 4, exhaustive: true });
    expect(hits.map((h) => h.id)).toContain(enrolled[40].id);
    // The first stage's flat sketch array follows the swaps of remove and the in-place replace.
    const fast = await g.search(encodeFinger(fingers[59]), { k: 4, rerankMin: 0, rerankFraction: 0.05 });
    expect(fast.map((h) => h.id)).toContain(enrolled[40].id);
  });

  it('removeMany removes on a native thread while searches run, and counts what was there', async () => {
    const g = gallery();
    const probe = encodeFinger(fingers[7]);
    const searches = Array.from({ length: 4 }, () => g.search(probe, { k: 5, exhaustive: true }));
    const ids = enrolled.slice(0, 20).map((e) => e.id);
    expect(await g.removeMany([...ids, 9_999_999])).toBe(20);
    await Promise.all(searches);
    expect(g.size).toBe(enrolled.length - 20);
    expect(await g.removeMany(ids)).toBe(0);
    const left = new Set((await g.search(probe, { k: 500, exhaustive: true })).map((h) => h.id));
    for (const id of ids) expect(left.has(id)).toBe(false);
    await expect(g.removeMany([1.5])).rejects.toThrow(/safe integer/);
  });

  it('the inverted index follows removes and replaces: same first stage as a gallery built fresh in the same order', async () => {
    const g = gallery();
    // Mirror of the native slot order: remove moves the last entry into the hole, replace keeps the slot.
    const slots = enrolled.map((e) => ({ ...e }));
    const drop = (id: number) => {
      const at = slots.findIndex((s) => s.id === id);
      slots[at] = slots[slots.length - 1];
      slots.pop();
      expect(g.remove(id)).toBe(true);
    };
    for (const id of [enrolled[3].id, enrolled[100].id, enrolled[0].id, enrolled[enrolled.length - 1].id]) drop(id);
    const replacement = { id: enrolled[50].id, bytes: encodeFinger(perturb(fingers[2], r)), position: 4 };
    g.add(replacement.id, replacement.bytes, replacement.position);
    slots[slots.findIndex((s) => s.id === replacement.id)] = replacement;
    const fresh = new FingerGallery();
    for (const s of slots) fresh.add(s.id, s.bytes, s.position);
    for (const p of [2, 11, 30]) {
      const probe = encodeFinger(perturb(fingers[p], r));
      const opts = { k: 10, rerankMin: 0, rerankFraction: 0.1 };
      const [a, b] = [await g.searchWithStats(probe, opts), await fresh.searchWithStats(probe, opts)];
      expect(a.postings).toBeGreaterThan(0);
      expect(a.postings).toBe(b.postings);
      expect(a.hits).toEqual(b.hits);
    }
  });

  it('does not block the event loop during a large search', async () => {
    const g = new FingerGallery();
    for (let i = 0; i < 8_000; i++) g.add(i, enrolled[i % enrolled.length].bytes);
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    const t0 = performance.now();
    await g.search(encodeFinger(fingers[1]), { k: 10, exhaustive: true, threads: 1 });
    const elapsed = performance.now() - t0;
    clearInterval(timer);
    expect(elapsed).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 5 / 4));
  });
});
