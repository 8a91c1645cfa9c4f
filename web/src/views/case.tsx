// One case: the probe beside each candidate's enrolled samples, scores with their meaning, the fingerprint
// comparison, decisions in the examiner's terms, closing, and the case's audit trail.
import { useEffect, useState } from 'preact/hooks';
import { imageBlobUrl, post } from '../api.ts';
import type { AuditEntry, CaseCandidate, CaseDetail, FingerComparison } from '../types.ts';
import { ErrorBox, Score, Section, age, imageUrl, useGet } from '../ui.tsx';
import { MinutiaeCanvas } from './minutiae-canvas.tsx';

/** ACE-V's conclusions onto the API's outcomes (which stay as they were: confirmed, rejected; plus inconclusive). */
export const CONCLUSIONS = [
  { id: 'identification', outcome: 'confirmed', label: 'Identification', help: 'the same person' },
  { id: 'exclusion', outcome: 'rejected', label: 'Exclusion', help: 'not the same person' },
  { id: 'inconclusive', outcome: 'inconclusive', label: 'Inconclusive', help: 'the evidence does not decide; confirms no one' },
] as const;
const conclusionOf = (outcome: string | null) => CONCLUSIONS.find((c) => c.outcome === outcome);

/** One face, aligned by the service (same eye positions in every crop); the stored image as it is if that fails. */
function AlignedFace({ caseId, which, raw, alt }: { caseId: string; which: string; raw: string; alt: string }) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let url: string | null = null;
    imageBlobUrl(`/v1/cases/${caseId}/faces/${which}`).then((u) => { url = u; setSrc(u); }, setError);
    return () => { if (url) URL.revokeObjectURL(url); };
  }, [caseId, which]);
  if (error) return <><img src={imageUrl(raw)} alt={`${alt} (not aligned)`} data-aligned="false" /><ErrorBox error={error} /></>;
  return src ? <img src={src} alt={alt} data-aligned="true" /> : <div class="noimg">aligning…</div>;
}

function Faces({ caseId, probe, candidate }: { caseId: string; probe?: string; candidate: CaseCandidate }) {
  const faces = candidate.matched.filter((m) => m.modality === 'face' && m.source);
  if (!probe && !faces.length) return null;
  return (
    <div class="faces" data-testid="faces">
      <figure>{probe ? <AlignedFace caseId={caseId} which="probe" raw={probe} alt="Probe face" /> : <div class="noimg">no probe face</div>}<figcaption>Probe</figcaption></figure>
      {faces.map((f) => (
        <figure key={f.sampleId}>
          <AlignedFace caseId={caseId} which={String(f.sampleId)} raw={f.source!} alt={`Enrolled face, sample ${f.sampleId}`} />
          <figcaption>Enrolled (sample {f.sampleId}) · {f.score.toFixed(2)}</figcaption>
        </figure>
      ))}
      {probe && !faces.length && candidate.subjectId === null && <div class="noimg">Enrolled faces withheld until the owner agency discloses.</div>}
    </div>
  );
}

function Fingers({ caseId, candidate }: { caseId: string; candidate: CaseCandidate }) {
  const [path, setPath] = useState<string | null>(null);
  const cmp = useGet<FingerComparison>(path);
  if (candidate.scores.finger === undefined) return null;
  return (
    <div class="fingers">
      {!path && <button type="button" onClick={() => setPath(`/v1/cases/${caseId}/candidates/${encodeURIComponent(candidate.handle)}/comparison`)}>Compare fingerprints</button>}
      <ErrorBox error={cmp.error} />
      {cmp.loading && <p>Loading the comparison…</p>}
      {cmp.data?.fingers.map((f) => (
        <div key={`${f.probeIndex}-${f.sampleId}`}>
          <Score label={`Finger (probe ${f.probeIndex + 1})`} value={f.score} />
          <MinutiaeCanvas finger={f} />
        </div>
      ))}
      {cmp.data && !cmp.data.fingers.length && <p>No finger of this candidate matched a probe finger.</p>}
    </div>
  );
}

function Decide({ caseId, candidate, open, onDone }: { caseId: string; candidate: CaseCandidate; open: boolean; onDone: () => void }) {
  const [choice, setChoice] = useState<string>('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const current = conclusionOf(candidate.outcome);
  const group = `decision-${candidate.handle}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    const c = CONCLUSIONS.find((x) => x.id === choice);
    if (!c) return;
    setBusy(true);
    setError(undefined);
    try {
      await post(`/v1/cases/${caseId}/decisions`, { candidate: candidate.handle, outcome: c.outcome, ...(note.trim() ? { note: note.trim() } : {}) });
      setNote('');
      onDone();
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return (
    <div class="decide">
      <p data-testid="conclusion">Conclusion: <strong>{current ? current.label : 'none yet'}</strong>{candidate.note ? ` — “${candidate.note}”` : ''}</p>
      {open && (
        <form onSubmit={submit}>
          <fieldset>
            <legend>Your conclusion</legend>
            {CONCLUSIONS.map((c) => (
              <label key={c.id} class="radio">
                <input type="radio" name={group} value={c.id} checked={choice === c.id} onChange={() => setChoice(c.id)} />
                {c.label} <span class="muted">({c.help})</span>
              </label>
            ))}
          </fieldset>
          <label for={`note-${candidate.handle}`}>Notes</label>
          <textarea id={`note-${candidate.handle}`} rows={2} value={note} maxLength={5000} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
          <button type="submit" class="primary" disabled={!choice || busy}>Record conclusion</button>
        </form>
      )}
      <ErrorBox error={error} />
    </div>
  );
}

/** ACE-V's verification: another examiner verifies or disputes the conclusions as they stand. */
function Verify({ k, onDone }: { k: CaseDetail; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const send = async (outcome: 'verified' | 'disputed') => {
    setError(undefined);
    try { await post(`/v1/cases/${k.id}/verifications`, { outcome, ...(note.trim() ? { note: note.trim() } : {}) }); setNote(''); onDone(); } catch (e) { setError(e); }
  };
  return (
    <Section title="Verification by a second examiner (optional)" id="verify-title">
      <ul data-testid="verifications">
        {(k.verifications ?? []).map((v, i) => (
          <li key={i}><strong>{v.outcome}</strong> by {v.agency} {age(v.at)} ago{v.note ? ` — “${v.note}”` : ''}{v.current ? '' : ' (conclusions changed since)'}</li>
        ))}
        {!k.verifications?.length && <li>None yet.</li>}
      </ul>
      {k.status === 'pending' && (
        <form class="stack" onSubmit={(e) => e.preventDefault()}>
          <label for="verify-note">Verification notes</label>
          <textarea id="verify-note" rows={2} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
          <div class="row">
            <button type="button" onClick={() => void send('verified')}>Verify the conclusions</button>
            <button type="button" onClick={() => void send('disputed')}>Dispute them</button>
          </div>
        </form>
      )}
      <ErrorBox error={error} />
    </Section>
  );
}

function Candidate({ c, k, probeFace, onChange }: { c: CaseCandidate; k: CaseDetail; probeFace?: string; onChange: () => void }) {
  const who = c.subjectId ? `${c.name ?? 'unnamed'}${c.reference ? ` · ${c.reference}` : ''}` : `Identity withheld by ${c.agency} (hit/no-hit)`;
  return (
    <article class="candidate" data-testid="candidate" data-handle={c.handle}>
      <header>
        <h3>{who}</h3>
        <p class="muted">{c.watchlist} · owner {c.agency} · level <span class={`badge ${c.level}`}>{c.level}</span> · handle <code>{c.handle}</code></p>
      </header>
      <div class="scores">
        <Score label="Fused" value={c.score} />
        <Score label="Face" value={c.scores.face} />
        <Score label="Fingers" value={c.scores.finger} />
      </div>
      <Faces caseId={k.id} probe={probeFace} candidate={c} />
      <Fingers caseId={k.id} candidate={c} />
      <Decide caseId={k.id} candidate={c} open={k.status === 'pending' && c.level !== 'none'} onDone={onChange} />
    </article>
  );
}

export function CaseView({ id }: { id: string }) {
  const k = useGet<CaseDetail>(`/v1/cases/${encodeURIComponent(id)}`);
  const trail = useGet<{ entries: AuditEntry[] }>(`/v1/cases/${encodeURIComponent(id)}/audit`);
  const [closeError, setCloseError] = useState<unknown>();
  const refresh = async () => { await k.reload(); await trail.reload(); };
  const close = async () => {
    setCloseError(undefined);
    try { await post(`/v1/cases/${id}/close`, {}); await refresh(); } catch (e) { setCloseError(e); }
  };
  const d = k.data;
  const probeFace = d?.probe.find((p) => p.modality === 'face')?.data;
  return (
    <>
      <p><a href="#/queue">← Cases</a></p>
      <h1>Case {id.slice(0, 8)}</h1>
      <ErrorBox error={k.error} />
      {d && (
        <>
          <p class="summary" data-testid="case-status">
            <span class={`badge ${d.status}`}>{d.status}</span>{d.outcome ? ` · outcome ${d.outcome}` : ''} · opened {age(d.createdAt)} ago ·
            {' '}probe: {d.probe.map((p) => p.modality === 'finger' ? `finger${p.position ? ` ${p.position}` : ''}` : 'face').join(', ') || 'not kept'}
          </p>
          {d.candidates.filter((c) => c.level !== 'none').map((c) => <Candidate key={c.handle} c={c} k={d} probeFace={probeFace} onChange={() => void refresh()} />)}
          {d.candidates.some((c) => c.level === 'none') && (
            <details class="panel">
              <summary>{d.candidates.filter((c) => c.level === 'none').length} more candidate(s) below review level (no conclusion needed)</summary>
              {d.candidates.filter((c) => c.level === 'none').map((c) => <Candidate key={c.handle} c={c} k={d} probeFace={probeFace} onChange={() => void refresh()} />)}
            </details>
          )}
          <Verify k={d} onDone={() => void refresh()} />
          {d.status === 'pending' && (
            <div class="close-case">
              <button type="button" onClick={() => void close()}>Close case</button>
              <span class="muted"> Closes as confirmed if any candidate is an identification, else rejected. Every hit or review candidate needs a conclusion first.</span>
              <ErrorBox error={closeError} />
            </div>
          )}
        </>
      )}
      <Section title="Audit trail" id="audit-title">
        <ErrorBox error={trail.error} />
        <ol class="trail" data-testid="audit-trail">
          {trail.data?.entries.map((e) => (
            <li key={e.id}><time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time> <strong>{e.action}</strong> by {e.role ?? '?'} of {e.agency ?? '?'}
              {e.details && typeof e.details === 'object' && 'outcome' in (e.details as object) ? ` → ${String((e.details as { outcome: unknown }).outcome)}` : ''}</li>
          ))}
        </ol>
      </Section>
    </>
  );
}
