// Probe retention: a check's probe (images, templates) is deleted once it is older than the retention period,
// unless its case is still pending or a hit on it still waits for the owner agency's decision (the examiners
// deciding need it). No-hit probes are not kept at all by default (BIOCHECK_RETAIN_NO_HIT_PROBES).
import type { AppContext } from '../context.ts';
import type { Db } from '../store/db.ts';
import { appendAudit } from '../store/audit.ts';

/** How often expired probes are looked for. */
const PURGE_EVERY_MS = 60 * 60 * 1000;

/** Deletes the probes past retention; returns how many checks lost theirs. */
export async function purgeExpiredProbes(db: Db, retentionDays: number, now = new Date()): Promise<number> {
  return db.tx(async (c) => {
    const r = await c.query<{ check_id: string }>(
      `DELETE FROM check_probes p USING checks ch
       WHERE p.check_id = ch.id AND ch.created_at < $1::timestamptz - make_interval(days => $2)
         AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.check_id = ch.id AND k.status = 'pending')
         AND NOT EXISTS (
           SELECT 1 FROM owner_hits x WHERE x.check_id = ch.id
             AND NOT EXISTS (SELECT 1 FROM hit_decisions d WHERE d.subject_id = x.subject_id AND d.requesting_agency = x.requesting_agency))
       RETURNING p.check_id`, [now.toISOString(), retentionDays]);
    const checks = new Set(r.rows.map((x) => x.check_id)).size;
    if (checks) await appendAudit(c, { action: 'probe.purge', details: { checks, retentionDays } });
    return checks;
  });
}

/** Purges now and then every hour while the service runs. */
export function startProbeRetention(ctx: AppContext): void {
  const days = ctx.config.probeRetentionDays;
  if (days <= 0) return; // 0: no limit
  const run = () => purgeExpiredProbes(ctx.db, days).catch((e) => ctx.log.warn({ err: String(e) }, 'probe retention purge failed; retried within the hour'));
  const timer = setInterval(run, PURGE_EVERY_MS);
  timer.unref();
  void run();
  ctx.closer.add('probe retention', () => clearInterval(timer));
}
