// A subject deleted while the background connection search writes a link to it: both must finish. The search
// holds FK share locks on the samples it found (evidence) and then on the subjects it links; the deletion locks
// the subject, then deletes its samples. Were the subject lock a FOR UPDATE (which excludes FK share locks), the
// two would wait for each other and PostgreSQL would abort one: a 500 for the user's deletion.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Modalities } from '../src/fusion/modalities.ts';
import { biometricRoutesModule, fingerModule } from '../src/modules.ts';
import { orderPair, writeLink } from '../src/store/connections.ts';
import { isoRecord, synthFinger } from './lib/fingers.ts';
import { ADMIN_KEY, startService, type TestService } from './lib/service.ts';

let s: TestService;
beforeAll(async () => {
  const mods: Modalities = {};
  // No connection worker: the test plays its transaction itself, step by step.
  s = await startService({ modules: [biometricRoutesModule(mods), fingerModule(mods)], config: { connections: { enabled: false, paceMs: 0, batch: 1 } } });
  await s.call('POST', '/v1/watchlists', { key: ADMIN_KEY, body: { id: 'w', name: 'W', agency: 'XX', disclosure: 'full' } });
}, 60_000);
afterAll(async () => { await s?.close(); });

async function subjectWithFinger(seed: number): Promise<{ id: string; sample: number }> {
  const id = (await s.call('POST', '/v1/subjects', { key: ADMIN_KEY, body: { watchlist: 'w', reference: `r${seed}` } })).body.id as string;
  const r = await s.call('POST', `/v1/subjects/${id}/fingerprints`, { key: ADMIN_KEY, body: { template: Buffer.from(isoRecord(synthFinger(seed), 1)).toString('base64'), position: 1 } });
  expect(r.status).toBe(201);
  return { id, sample: Number(r.body.sampleIds[0]) };
}

it('a deletion during the link write waits for it instead of deadlocking, and the link goes with the subject', async () => {
  const a = await subjectWithFinger(11), b = await subjectWithFinger(12);
  const pair = orderPair(a.id, b.id);
  const w = await s.ctx.db.pool.connect();
  try {
    await w.query('BEGIN');
    // The search's evidence: a's sample found b's (an FK share lock on b's sample until commit).
    await w.query(`INSERT INTO connection_evidence (probe_sample, target_sample, subject_a, subject_b, modality, score, raw) VALUES ($1, $2, $3, $4, 'finger', 9, 0.5)`,
      [a.sample, b.sample, ...pair]);
    const deletion = s.call('DELETE', `/v1/subjects/${b.id}`, { key: ADMIN_KEY });
    await new Promise((r) => setTimeout(r, 300));  // the deletion now holds b's row lock and waits for b's sample
    await writeLink(w, pair, { level: 'hit', score: 9, scores: { finger: 9 }, samples: [a.sample, b.sample] }, () => ['h_raceAAAAAAAA', 'h_raceBBBBBBBB']);
    await w.query('COMMIT');
    expect((await deletion).status).toBe(204);
  } finally {
    w.release();
  }
  const left = await s.ctx.db.query('SELECT 1 FROM connections WHERE subject_a = $1 OR subject_b = $1', [b.id]);
  expect(left.rowCount).toBe(0);
});
