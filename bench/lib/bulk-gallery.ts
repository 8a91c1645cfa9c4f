// A synthetic gallery written straight into PostgreSQL before the service starts (the service loads it as it would
// any gallery): n subjects with one sample each, in one watchlist; far faster than enrolling over HTTP.
import { Db } from '../../src/store/db.ts';
import { ensureAgency } from '../../src/store/keys.ts';
import { migrate } from '../../src/store/migrate.ts';
import { insertWatchlist } from '../../src/store/watchlists.ts';

const CHUNK = 5_000;

export interface BulkGallery {
  url: string; watchlist: string; agency: string; modality: 'face' | 'finger'; n: number;
  /** The stored sample of subject i: a matcher template (fingers) or a float32 embedding's bytes (faces). */
  template: (i: number) => Uint8Array;
  extractor: string;
}

/** Writes the gallery; the connection queue its enrolment trigger filled is emptied, so no background pass follows. */
export async function bulkGallery(g: BulkGallery): Promise<void> {
  const d = new Db(g.url);
  try {
    await migrate(d);
    await ensureAgency(d.pool, g.agency);
    await insertWatchlist(d, { id: g.watchlist, name: g.watchlist, agency: g.agency, disclosure: 'full' });
    for (let from = 0; from < g.n; from += CHUNK) {
      const count = Math.min(CHUNK, g.n - from);
      const ids = (await d.query<{ id: string }>("INSERT INTO subjects (watchlist, reference) SELECT $3, 'S' || g FROM generate_series($1::int, $2::int) g RETURNING id",
        [from, from + count - 1, g.watchlist])).rows.map((x) => x.id);
      const templates = ids.map((_, i) => Buffer.from(g.template(from + i)));
      await d.query(
        `INSERT INTO samples (subject_id, watchlist, modality, position, template, extractor, source_format)
         SELECT s, $6, $3, $4, t, $5, 'synthetic' FROM unnest($1::uuid[], $2::bytea[]) AS x(s, t)`,
        [ids, templates, g.modality, g.modality === 'finger' ? 0 : null, g.extractor, g.watchlist]);
    }
    await d.query('DELETE FROM connection_work');
    await d.query('ANALYZE');
  } finally {
    await d.close();
  }
}
