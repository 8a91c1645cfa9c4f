// Connections: one person enrolled under several subjects, found after enrolment (GET /v1/connections). Where the
// service does not offer them yet, the API's answer is shown as it is.
import { useState } from 'preact/hooks';
import { ApiError, post } from '../api.ts';
import { ErrorBox, Score, useGet } from '../ui.tsx';

interface Side { subjectId: string | null; handle: string; watchlist: string; agency?: string; reference?: string | null; name?: string | null }
interface Connection { id: string; subjects: [Side, Side]; score: number; scores: { face?: number; finger?: number }; level: string; status: string }

const OUTCOMES = [['same-person', 'Same person'], ['different-persons', 'Different persons'], ['inconclusive', 'Inconclusive']] as const;

function Pair({ c, onDone }: { c: Connection; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const decide = async (outcome: string) => {
    try { await post(`/v1/connections/${encodeURIComponent(c.id)}/decisions`, { outcome, ...(note.trim() ? { note: note.trim() } : {}) }); onDone(); } catch (e) { setError(e); }
  };
  return (
    <article class="candidate" data-testid="connection">
      <div class="pair">
        {c.subjects.map((s) => (
          <div key={s.handle}><h3>{s.name ?? (s.subjectId ? 'unnamed' : 'withheld')}</h3><p class="muted">{s.reference ?? s.handle} · {s.watchlist}{s.agency ? ` · ${s.agency}` : ''}</p></div>
        ))}
      </div>
      <div class="scores"><Score label="Fused" value={c.score} /><Score label="Face" value={c.scores.face} /><Score label="Fingers" value={c.scores.finger} /></div>
      <label for={`cn-${c.id}`}>Notes</label>
      <textarea id={`cn-${c.id}`} rows={2} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
      <div class="row">{OUTCOMES.map(([id, label]) => <button key={id} type="button" onClick={() => void decide(id)}>{label}</button>)}</div>
      <ErrorBox error={error} />
    </article>
  );
}

export function Connections() {
  const list = useGet<{ connections: Connection[] }>('/v1/connections?status=pending&limit=50', 30_000);
  const missing = list.error instanceof ApiError && (list.error.status === 404 || list.error.status === 405);
  return (
    <>
      <h1>Connections</h1>
      <p class="muted">Pairs of subjects that may be one person, found after enrolment, side by side.</p>
      {missing && <p data-testid="connections-absent">This service does not offer connections yet. What it answered:</p>}
      <ErrorBox error={list.error} />
      {list.data && !list.data.connections.length && <p>No pending connections.</p>}
      {list.data?.connections.map((c) => <Pair key={c.id} c={c} onDone={() => void list.reload()} />)}
    </>
  );
}
