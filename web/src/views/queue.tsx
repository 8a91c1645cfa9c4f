// The examiner's case queue: newest first, filtered by status, decision and watchlist, paged, polled for new cases.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CaseSummary, Watchlist } from '../types.ts';
import { ErrorBox, age, decisionLabel, useGet } from '../ui.tsx';

const PAGE = 20;
const POLL_MS = 10_000;

export function Queue() {
  const [status, setStatus] = useState<'pending' | 'closed'>('pending');
  const [decision, setDecision] = useState('');
  const [watchlist, setWatchlist] = useState('');
  const [offset, setOffset] = useState(0);
  const q = new URLSearchParams({ status, limit: String(PAGE + 1), offset: String(offset) });
  if (decision) q.set('decision', decision);
  if (watchlist) q.set('watchlist', watchlist);
  const cases = useGet<{ cases: CaseSummary[] }>(`/v1/cases?${q}`, POLL_MS);
  const lists = useGet<{ watchlists: Watchlist[] }>('/v1/watchlists');
  const rows = cases.data?.cases.slice(0, PAGE) ?? [];
  const more = (cases.data?.cases.length ?? 0) > PAGE;
  // Announce cases that arrived since the last poll (first page only: that is where new ones appear).
  const seen = useRef<Set<string> | null>(null);
  const [arrived, setArrived] = useState(0);
  useEffect(() => {
    if (!cases.data || offset !== 0) return;
    const ids = cases.data.cases.map((c) => c.id);
    if (seen.current) setArrived(ids.filter((id) => !seen.current!.has(id)).length);
    seen.current = new Set(ids);
  }, [cases.data]);
  useEffect(() => { seen.current = null; setArrived(0); setOffset(0); }, [status, decision, watchlist]);

  return (
    <>
      <h1>Cases</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label>Status
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as 'pending' | 'closed')}>
            <option value="pending">Pending</option><option value="closed">Closed</option>
          </select>
        </label>
        <label>Decision
          <select value={decision} onChange={(e) => setDecision((e.target as HTMLSelectElement).value)}>
            <option value="">Any</option><option value="hit">Hit</option><option value="review">Review</option>
          </select>
        </label>
        <label>Watchlist
          <select value={watchlist} onChange={(e) => setWatchlist((e.target as HTMLSelectElement).value)}>
            <option value="">Any</option>
            {lists.data?.watchlists.map((w) => <option key={w.id} value={w.id}>{w.name || w.id}</option>)}
          </select>
        </label>
        <button type="button" onClick={() => void cases.reload()}>Refresh</button>
      </form>
      <p class="live" aria-live="polite">{arrived > 0 ? `${arrived} new case${arrived > 1 ? 's' : ''} arrived.` : ''}</p>
      <ErrorBox error={cases.error} />
      {cases.data && !rows.length && <p>No {status} cases{decision || watchlist ? ' match these filters' : ''}.</p>}
      {rows.length > 0 && (
        <table class="cards" data-testid="case-queue">
          <caption class="sr-only">{status} cases, newest first</caption>
          <thead><tr><th scope="col">Age</th><th scope="col">Decision</th><th scope="col">Watchlists</th><th scope="col">Best score</th><th scope="col">Candidates</th><th scope="col">Case</th></tr></thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id}>
                <td data-label="Age">{age(c.createdAt)}</td>
                <td data-label="Decision"><span class={`badge ${c.decision}`}>{decisionLabel[c.decision] ?? c.decision}</span>{c.outcome ? ` → ${c.outcome}` : ''}</td>
                <td data-label="Watchlists">{c.watchlists?.join(', ') ?? '—'}</td>
                <td data-label="Best score">{c.bestScore != null ? c.bestScore.toFixed(2) : '—'}</td>
                <td data-label="Candidates">{c.candidates}{c.undecided ? ` (${c.undecided} undecided)` : ''}</td>
                <td data-label="Case"><a href={`#/case/${c.id}`}>Open case {c.id.slice(0, 8)}</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Newer</button>
        <span>{rows.length ? `${offset + 1}–${offset + rows.length}` : ''}</span>
        <button type="button" disabled={!more} onClick={() => setOffset(offset + PAGE)}>Older</button>
      </div>
    </>
  );
}
