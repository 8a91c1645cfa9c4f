// A check's probe as kept in PostgreSQL: kept for hits and reviews (their examiners and owners compare it),
// for no-hits only with BIOCHECK_RETAIN_NO_HIT_PROBES.
import type { Queryable } from '../store/db.ts';

export interface ProbeRecord { modality: 'face' | 'finger'; position: number | null; format: string; data: Buffer }
/** The probe as an owner agency's examiner receives it with a hit. */
export interface ProbeView { face?: string; fingerprints?: { template: string; position: number | null; format: string }[] }

export async function probeRecords(q: Queryable, checkId: string): Promise<ProbeRecord[]> {
  const r = await q.query<ProbeRecord>('SELECT modality, position, format, data FROM check_probes WHERE check_id = $1 ORDER BY id', [checkId]);
  return r.rows;
}

export async function loadProbe(q: Queryable, checkId: string): Promise<{ kept: boolean; view: ProbeView }> {
  const records = await probeRecords(q, checkId);
  const face = records.find((x) => x.modality === 'face');
  const fingers = records.filter((x) => x.modality === 'finger');
  return {
    kept: records.length > 0,
    view: {
      ...(face ? { face: face.data.toString('base64') } : {}),
      ...(fingers.length ? { fingerprints: fingers.map((f) => ({ template: f.data.toString('base64'), position: f.position, format: f.format })) } : {}),
    },
  };
}

/** Whether a check kept its probe (said in check polls and case reads). */
export async function probeKept(q: Queryable, checkId: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM check_probes WHERE check_id = $1 LIMIT 1', [checkId])).rowCount !== 0;
}
