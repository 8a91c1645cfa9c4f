// Which cases a caller may open: examiners those of checks their own agency ran; admins all.
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Principal } from '../store/keys.ts';

export interface CaseRow { id: string; check_id: string; status: string; outcome: string | null; agency: string; version: number; created_at: Date; closed_at: Date | null }

/** The case, or CASE_NOT_FOUND (also for another agency's case: its existence is not disclosed). */
export async function loadCase(ctx: AppContext, p: Principal, id: string): Promise<CaseRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('CASE_NOT_FOUND', 'no such case');
  const r = await ctx.db.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [id]);
  const c = r.rows[0];
  if (!c || (p.role !== 'admin' && c.agency !== p.agency)) throw new AppError('CASE_NOT_FOUND', 'no such case');
  return c;
}
