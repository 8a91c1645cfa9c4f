// How many live subjects each watchlist holds, for the decision thresholds. Counted in PostgreSQL and
// cached briefly: a few seconds of staleness moves a threshold by a negligible fraction of a decade.
import type { Db } from '../store/db.ts';
import type { Watchlist } from '../store/watchlists.ts';

const TTL_MS = 5_000;
const cache = new WeakMap<Db, { at: number; sizes: Map<string, number>; pending?: Promise<Map<string, number>> }>();

async function count(db: Db): Promise<Map<string, number>> {
  const r = await db.query<{ watchlist: string; n: string }>('SELECT watchlist, count(*) AS n FROM subjects WHERE deleted_at IS NULL GROUP BY watchlist');
  return new Map(r.rows.map((x) => [x.watchlist, Number(x.n)]));
}

export async function watchlistSizes(db: Db): Promise<Map<string, number>> {
  const c = cache.get(db);
  if (c && Date.now() - c.at < TTL_MS) return c.sizes;
  if (c?.pending) return c.pending;
  const pending = count(db);
  cache.set(db, { at: c?.at ?? 0, sizes: c?.sizes ?? new Map(), pending });
  try {
    const sizes = await pending;
    cache.set(db, { at: Date.now(), sizes });
    return sizes;
  } catch (e) {
    cache.set(db, { at: c?.at ?? 0, sizes: c?.sizes ?? new Map() });
    throw e;
  }
}

/** The size a watchlist's thresholds use. For a hit/no-hit watchlist it is rounded up to a power of ten: the
 *  level a candidate gets (and its score) would otherwise bound the list's exact size for other agencies. */
export function thresholdSize(w: Pick<Watchlist, 'disclosure'>, live: number): number {
  const n = Math.max(1, live);
  return w.disclosure === 'hit-no-hit' ? 10 ** Math.ceil(Math.log10(n)) : n;
}
