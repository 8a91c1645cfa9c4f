// The figures operations watch, beside the HTTP ones (metrics.ts): checks by decision and watchlist, enrolments,
// refusals by reason (counted when they happen), and gallery sizes, index state and the backlogs of examiners and
// owner agencies (read on scrape: from PostgreSQL through one cached read, so a scrape storm cannot load it).
// Watchlists are labelled by id, never by name (docs/operations.md says why).
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { readBacklog, type Backlog } from '../cases/backlog.ts';
import type { AppContext } from '../context.ts';
import { watchlistSizes } from '../fusion/gallery-size.ts';
import type { IndexModality, IndexState } from '../observations.ts';
import { countLive } from '../store/samples.ts';
import { listWatchlists } from '../store/watchlists.ts';
import { isAuditedRefusal } from './refusal-audit.ts';

/** How long one read of the figures in PostgreSQL serves scrapes. */
export const STORE_FIGURES_TTL_MS = 10_000;
const MODALITIES: IndexModality[] = ['face', 'finger'];
const INDEX_STATES = ['absent', 'building', 'ready'] as const;
/** Enrolment routes and the modality each enrols. */
const ENROL_ROUTES: Record<string, IndexModality> = { '/v1/subjects/:id/faces': 'face', '/v1/subjects/:id/fingerprints': 'finger' };

interface StoreFigures {
  backlog: Backlog;
  subjects: Map<string, number>;
  samples: Record<IndexModality, number>;
  /** Every hit/no-hit watchlist, so that one without undecided hits reads 0 rather than vanishing. */
  hitNoHit: string[];
}

/** One read at a time, reused for `ttlMs`; a failed read is not cached. */
export function cachedRead<T>(read: () => Promise<T>, ttlMs: number, now = () => Date.now()): () => Promise<T> {
  let last: { at: number; value: T } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (last && now() - last.at < ttlMs) return Promise.resolve(last.value);
    inFlight ??= read().then((value) => { last = { at: now(), value }; return value; }).finally(() => { inFlight = undefined; });
    return inFlight;
  };
}

async function readStoreFigures(ctx: AppContext): Promise<StoreFigures> {
  const [backlog, subjects, face, finger, lists] = await Promise.all([
    readBacklog(ctx.db), watchlistSizes(ctx.db), countLive(ctx.db, 'face'), countLive(ctx.db, 'finger'), listWatchlists(ctx.db),
  ]);
  return { backlog, subjects, samples: { face, finger }, hitNoHit: lists.filter((w) => w.disclosure === 'hit-no-hit').map((w) => w.id) };
}

/** Gauges whose values come from the cached store read: reset on every scrape (a deleted watchlist's series
 *  goes), and left empty when the database does not answer (biocheck_store_figures_up says so). */
function storeGauges(ctx: AppContext, registry: Registry): void {
  const figures = cachedRead(() => readStoreFigures(ctx), STORE_FIGURES_TTL_MS);
  const read = () => figures().catch((e: unknown) => { ctx.log.debug({ err: String(e) }, 'metrics: store figures not read'); return null; });
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, f: StoreFigures) => void) => new Gauge({
    name, help, labelNames, registers: [registry],
    async collect() {
      const f = await read();
      this.reset();
      if (f) fill(this, f);
    },
  });
  new Gauge({
    name: 'biocheck_store_figures_up', help: 'Whether the last read of the figures below from PostgreSQL succeeded', registers: [registry],
    async collect() { this.set((await read()) ? 1 : 0); },
  });
  gauge('biocheck_watchlist_subjects', 'Live subjects per watchlist (id)', ['watchlist'], (g, f) => {
    for (const [watchlist, n] of f.subjects) g.set({ watchlist }, n);
  });
  gauge('biocheck_gallery_samples', 'Enrolled samples per modality in PostgreSQL (the truth the indexes follow)', ['modality'], (g, f) => {
    for (const m of MODALITIES) g.set({ modality: m }, f.samples[m]);
  });
  gauge('biocheck_cases_pending', 'Cases waiting for an examiner', [], (g, f) => g.set(f.backlog.pendingCases));
  gauge('biocheck_cases_oldest_pending_age_seconds', 'Age of the oldest pending case (0 when none)', [], (g, f) => g.set(f.backlog.oldestPendingCaseSeconds));
  gauge('biocheck_hits_undecided', 'Hits on a hit/no-hit watchlist that its owner has neither disclosed nor declined', ['watchlist'], (g, f) => {
    for (const watchlist of f.hitNoHit) g.set({ watchlist }, 0);
    for (const h of f.backlog.undecidedHits) g.set({ watchlist: h.watchlist }, h.count);
  });
  gauge('biocheck_hits_oldest_undecided_age_seconds', 'Age of the oldest undecided hit per hit/no-hit watchlist (0 when none)', ['watchlist'], (g, f) => {
    for (const watchlist of f.hitNoHit) g.set({ watchlist }, 0);
    for (const h of f.backlog.undecidedHits) g.set({ watchlist: h.watchlist }, h.oldestSeconds);
  });
}

/** Index state as the layers that own the indexes report it (src/observations.ts): in memory, no SQL. */
function indexGauges(ctx: AppContext, registry: Registry): void {
  new Gauge({
    name: 'biocheck_index_state', help: 'Search index state per modality: 1 for the current one of absent, building, ready', labelNames: ['modality', 'state'], registers: [registry],
    collect() {
      for (const modality of MODALITIES) {
        const now = ctx.observe.indexState(modality)?.state ?? 'absent';
        for (const state of INDEX_STATES) this.set({ modality, state }, state === now ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'biocheck_index_snapshot_age_seconds', help: 'Age of the index snapshot on disk (absent before the first one)', labelNames: ['modality'], registers: [registry],
    async collect() {
      this.reset();
      for (const modality of MODALITIES) {
        const file = ctx.observe.indexState(modality)?.snapshotPath;
        const st = file ? await stat(file).catch(() => null) : null;
        if (st) this.set({ modality }, Math.max(0, (Date.now() - st.mtimeMs) / 1000));
      }
    },
  });
  const perModality = (name: string, help: string, of: (s: IndexState) => number | undefined) => new Gauge({
    name, help, labelNames: ['modality'], registers: [registry],
    collect() {
      this.reset();
      for (const modality of MODALITIES) {
        const s = ctx.observe.indexState(modality);
        const v = s ? of(s) : undefined;
        if (v !== undefined) this.set({ modality }, v);
      }
    },
  });
  perModality('biocheck_index_entries', 'Entries searchable in the in-memory index per modality', (s) => s.size);
  perModality('biocheck_index_snapshot_failing', 'Whether the last snapshot save of the index failed', (s) => (s.snapshotPath ? Number(s.snapshotFailing ?? false) : undefined));
}

export function installDomainMetrics(app: FastifyInstance, ctx: AppContext): void {
  const registry = ctx.metrics;
  const checks = new Counter({ name: 'biocheck_checks_total', help: 'Checks decided, by decision and mode', labelNames: ['decision', 'mode'], registers: [registry] });
  const perWatchlist = new Counter({
    name: 'biocheck_check_watchlist_results_total', help: 'Per watchlist searched by a check (id): the best level its subjects reached',
    labelNames: ['watchlist', 'decision'], registers: [registry],
  });
  ctx.observe.onCheck((c) => {
    checks.inc({ decision: c.decision, mode: c.mode });
    for (const w of c.watchlists) perWatchlist.inc({ watchlist: w.id, decision: w.decision });
  });
  const enrolments = new Counter({
    name: 'biocheck_enrolments_total', help: 'Enrolment requests by modality and outcome (enrolled, refused: 4xx, failed: 5xx) with the error code',
    labelNames: ['modality', 'outcome', 'code'], registers: [registry],
  });
  const refusals = new Counter({
    name: 'biocheck_refusals_total', help: 'Refused /v1 calls (401, 403, 404, 429: what the refusal audit records) by status and code',
    labelNames: ['status', 'code'], registers: [registry],
  });
  // Every answer passes here, thrown errors included: an enrolment's outcome is its status.
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const code = request.errorCode ?? String(status);
    const modality = request.method === 'POST' ? ENROL_ROUTES[request.routeOptions.url ?? ''] : undefined;
    if (modality) {
      const outcome = status < 300 ? 'enrolled' : status < 500 ? 'refused' : 'failed';
      enrolments.inc({ modality, outcome, code: status < 300 ? 'none' : code });
    }
    if (isAuditedRefusal(request.url, status)) refusals.inc({ status: String(status), code });
  });
  indexGauges(ctx, registry);
  storeGauges(ctx, registry);
}
