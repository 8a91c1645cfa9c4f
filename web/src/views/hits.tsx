// The owner agency's hits: other agencies' checks that matched its hit/no-hit watchlists. The owner looks at the
// probe beside the enrolled subject and discloses the identity to the requesting agency, or declines.
import { useState } from 'preact/hooks';
import { post } from '../api.ts';
import type { Hit } from '../types.ts';
import { ErrorBox, Score, age, imageUrl, useGet } from '../ui.tsx';

interface HitDetail { probe?: { face?: string } }

function HitCard({ h, onDone }: { h: Hit; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const [show, setShow] = useState(false);
  const detail = useGet<HitDetail>(show ? `/v1/hits/${encodeURIComponent(h.handle)}` : null);
  const act = async (what: 'disclose' | 'decline') => {
    setError(undefined);
    try { await post(`/v1/hits/${encodeURIComponent(h.handle)}/${what}`, note.trim() ? { note: note.trim() } : {}); onDone(); } catch (e) { setError(e); }
  };
  const pending = !h.disclosed && h.status !== 'declined';
  return (
    <article class="candidate" data-testid="hit" data-handle={h.handle}>
      <header>
        <h3>{h.name ?? 'unnamed'}{h.reference ? ` · ${h.reference}` : ''}</h3>
        <p class="muted">Found by <strong>{h.requestingAgency}</strong> in {h.watchlist} · {age(h.createdAt)} ago · level <span class={`badge ${h.level}`}>{h.level}</span> · {h.disclosed ? 'disclosed' : h.status ?? 'pending'}</p>
      </header>
      <div class="scores"><Score label="Fused" value={h.score} /><Score label="Face" value={h.scores.face} /><Score label="Fingers" value={h.scores.finger} /></div>
      {!show && <button type="button" onClick={() => setShow(true)}>Show the probe</button>}
      <ErrorBox error={detail.error} />
      {detail.data?.probe?.face && <div class="faces"><figure><img src={imageUrl(detail.data.probe.face)} alt="Probe face" /><figcaption>Probe from {h.requestingAgency}</figcaption></figure></div>}
      {pending && (
        <form class="stack" onSubmit={(e) => e.preventDefault()}>
          <label for={`hn-${h.handle}`}>Note to the record</label>
          <textarea id={`hn-${h.handle}`} rows={2} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
          <div class="row">
            <button type="button" class="primary" onClick={() => void act('disclose')}>Disclose identity to {h.requestingAgency}</button>
            <button type="button" onClick={() => void act('decline')}>Decline</button>
          </div>
        </form>
      )}
      <ErrorBox error={error} />
    </article>
  );
}

export function Hits() {
  const [status, setStatus] = useState('pending');
  const hits = useGet<{ hits: Hit[] }>(`/v1/hits?status=${status}`, 15_000);
  return (
    <>
      <h1>Owner's hits</h1>
      <p class="muted">Checks by other agencies that matched your agency's hit/no-hit watchlists. They see only a handle until you disclose.</p>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Status
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="pending">Pending</option><option value="disclosed">Disclosed</option><option value="declined">Declined</option>
          </select>
        </label>
      </form>
      <ErrorBox error={hits.error} />
      {hits.data && !hits.data.hits.length && <p>No {status} hits.</p>}
      {hits.data?.hits.map((h) => <HitCard key={h.handle} h={h} onDone={() => void hits.reload()} />)}
    </>
  );
}
