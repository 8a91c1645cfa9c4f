// Runs the audit sealer for one service: soon after appends in this process, at a slow pace for entries
// other processes (or a crashed one) left pending, and once more at shutdown.
import type { Db } from './db.ts';
import { onAuditAppended } from './audit.ts';
import { sealAudit } from './audit-chain.ts';

export interface SealerTiming {
  /** How long after an append the sealer runs: the group-commit window. */
  delayMs: number;
  /** How often it looks for entries left pending by other processes. */
  sweepMs: number;
}

export const DEFAULT_SEALER_TIMING: SealerTiming = { delayMs: 20, sweepMs: 5000 };

export class AuditSealer {
  private timer: NodeJS.Timeout | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly db: Db, private readonly timing: SealerTiming = DEFAULT_SEALER_TIMING,
    private readonly onError: (e: unknown) => void = () => {}) {
    this.unsubscribe = onAuditAppended(() => this.soon());
    this.sweep = setInterval(() => this.soon(), timing.sweepMs);
    this.sweep.unref();
  }

  /** Seals within the group-commit window. */
  soon(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.run(); }, this.timing.delayMs);
    this.timer.unref();
  }

  /** Seals now (or right after a run in progress); resolves when what was pending before the call is sealed. */
  async run(): Promise<void> {
    if (this.running) { this.again = true; return this.running; }
    this.running = (async () => {
      do {
        this.again = false;
        try { await sealAudit(this.db); } catch (e) { this.onError(e); }
      } while (this.again && !this.stopped);
    })().finally(() => { this.running = undefined; });
    return this.running;
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    clearTimeout(this.timer);
    clearInterval(this.sweep);
    await this.run();
    this.stopped = true;
  }
}
