// Full passes over the gallery: started and cancelled by an admin, run by the connection worker.
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { appendAudit } from '../store/audit.ts';
import { cancelScan, getScan, insertScan, runningScan, type Scan } from '../store/connection-work.ts';
import type { Principal } from '../store/keys.ts';

export interface ScanView { jobId: string; status: Scan['status']; done: number; total: number; rate: number; startedAt: string; finishedAt: string | null }

function view(s: Scan): ScanView {
  const end = s.finishedAt ? Date.parse(s.finishedAt) : Date.now();
  const seconds = Math.max(0.001, (end - Date.parse(s.startedAt)) / 1000);
  return { jobId: s.id, status: s.status, done: s.done, total: s.total, rate: +(s.done / seconds).toFixed(2), startedAt: s.startedAt, finishedAt: s.finishedAt };
}

export async function startScan(ctx: AppContext, p: Principal, requestId: string): Promise<ScanView> {
  return ctx.db.tx(async (c) => {
    const s = await insertScan(c, p.keyId);
    if (!s) {
      const running = await runningScan(c);
      throw new AppError('SCAN_RUNNING', 'a connection pass is running already', running ? { jobId: running.id } : undefined);
    }
    await appendAudit(c, { keyId: p.keyId, role: p.role, agency: p.agency, requestId, action: 'connection.scan.start', target: s.id, details: { total: s.total } });
    return view(s);
  });
}

export async function scanStatus(ctx: AppContext, id: string): Promise<ScanView> {
  const s = await getScan(ctx.db, id);
  if (!s) throw new AppError('SCAN_NOT_FOUND', 'no such connection pass');
  return view(s);
}

export async function stopScan(ctx: AppContext, p: Principal, id: string, requestId: string): Promise<ScanView> {
  return ctx.db.tx(async (c) => {
    const s = await cancelScan(c, id);
    if (!s) throw new AppError('SCAN_NOT_FOUND', 'no such connection pass');
    await appendAudit(c, { keyId: p.keyId, role: p.role, agency: p.agency, requestId, action: 'connection.scan.cancel', target: id, details: { status: s.status, done: s.done } });
    return view(s);
  });
}
