// The officer's field check, phone first: a photo from the camera or a file, optionally a fingerprint template,
// one tap to check; the answer is one large hit / review / no-hit with what to do next, and only what the service
// chose to return (it applies the need-to-know rules; the page shows nothing more).
import { useEffect, useRef, useState } from 'preact/hooks';
import { fileBase64, get, post } from '../api.ts';
import type { CheckResult, Me } from '../types.ts';
import { ErrorBox, Score } from '../ui.tsx';

const NEXT: Record<CheckResult['decision'], { title: string; what: string }> = {
  hit: { title: 'HIT', what: 'Stop. Keep the person here, do not say why, and call your supervisor. An examiner confirms the hit before any further step.' },
  review: { title: 'REVIEW', what: 'Ask the person to wait. An examiner is reviewing a possible match; this screen updates when they decide.' },
  'no-hit': { title: 'NO HIT', what: 'No match on the watchlists you may search. Let the person continue.' },
};
const POLL_MS = 5_000;

function Camera({ onPhoto }: { onPhoto: (b: Blob) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<unknown>();
  useEffect(() => () => stream?.getTracks().forEach((t) => t.stop()), [stream]);
  const start = async () => {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 1280 } }, audio: false });
      setStream(s);
      if (video.current) { video.current.srcObject = s; await video.current.play(); }
    } catch (e) { setError(new Error(`the camera is not available (${e instanceof Error ? e.message : String(e)}): pick a photo instead`)); }
  };
  const take = () => {
    const v = video.current;
    if (!v) return;
    const c = document.createElement('canvas');
    c.width = v.videoWidth; c.height = v.videoHeight;
    c.getContext('2d')!.drawImage(v, 0, 0);
    c.toBlob((b) => { if (b) onPhoto(b); stream?.getTracks().forEach((t) => t.stop()); setStream(null); }, 'image/jpeg', 0.92);
  };
  return (
    <div class="camera">
      <video ref={video} playsInline muted class={stream ? '' : 'hidden'} aria-label="Camera preview" />
      {!stream ? <button type="button" onClick={() => void start()}>Use the camera</button> : <button type="button" class="primary" onClick={take}>Take the photo</button>}
      <ErrorBox error={error} />
    </div>
  );
}

export function FieldCheck({ me }: { me: Me }) {
  const [photo, setPhoto] = useState<Blob | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [template, setTemplate] = useState<File | null>(null);
  const [position, setPosition] = useState('0');
  const [result, setResult] = useState<CheckResult | null>(null);
  const [review, setReview] = useState<{ status: string; outcome: string | null } | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const resultRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!photo) { setPreview(null); return; }
    const u = URL.createObjectURL(photo);
    setPreview(u);
    return () => URL.revokeObjectURL(u);
  }, [photo]);
  // A hit or review opens a case: follow it until an examiner closes it.
  useEffect(() => {
    if (!result?.caseId) return;
    const t = setInterval(async () => {
      try {
        const c = await get<{ review: { status: string; outcome: string | null } | null }>(`/v1/checks/${result.checkId}`);
        setReview(c.review);
        if (c.review?.status === 'closed') clearInterval(t);
      } catch { /* the next poll tries again */ }
    }, POLL_MS);
    return () => clearInterval(t);
  }, [result]);
  useEffect(() => { if (result) resultRef.current?.focus(); }, [result]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setError(undefined); setResult(null); setReview(null);
    try {
      const body: Record<string, unknown> = {};
      if (photo) body.face = await fileBase64(photo);
      if (template) body.fingerprints = [{ template: await fileBase64(template), ...(Number(position) ? { position: Number(position) } : {}) }];
      setResult(await post<CheckResult>('/v1/checks', body));
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  const reset = () => { setPhoto(null); setTemplate(null); setResult(null); setReview(null); setError(undefined); };

  if (result) {
    const n = NEXT[result.decision];
    // The officer acts on the candidates behind the decision; ones below review level (where the service lists
    // them) add nothing to do.
    const shown = result.candidates.filter((c) => c.level !== 'none');
    return (
      <div class="field">
        <div class={`verdict ${result.decision}`} data-testid="verdict" tabIndex={-1} ref={resultRef} role="status">
          <div class="verdict-title">{n.title}</div>
          <p class="verdict-what">{n.what}</p>
          {review && <p class="verdict-review" data-testid="review-status">Examiner: {review.status === 'closed' ? `decided — ${review.outcome === 'confirmed' ? 'identity confirmed: follow the hit procedure' : 'not confirmed: let the person continue'}` : 'reviewing…'}</p>}
        </div>
        {result.warnings?.map((w) => <p class="warning" key={w.code}>{w.modality}: <strong>{w.code}</strong> {w.message}</p>)}
        {shown.length > 0 && (
          <ul class="field-candidates" data-testid="field-candidates">
            {shown.map((c) => (
              <li key={c.handle}>
                <strong>{c.name ?? (c.subjectId ? 'unnamed' : 'Identity withheld by the owner agency')}</strong>
                {c.reference ? ` · ${c.reference}` : ''} · {c.watchlist}{c.agency ? ` (${c.agency})` : ''}
                <Score label="Score" value={c.score} />
              </li>
            ))}
          </ul>
        )}
        <p class="muted">Check {result.checkId.slice(0, 8)}{result.caseId ? ` · case ${result.caseId.slice(0, 8)}` : ''}</p>
        <button type="button" class="primary big" onClick={reset}>New check</button>
      </div>
    );
  }
  return (
    <div class="field">
      <h1>Field check</h1>
      <p class="muted">Signed in as {me.role} of {me.agency}.</p>
      <form onSubmit={submit} class="stack">
        <fieldset>
          <legend>Face photo</legend>
          <Camera onPhoto={setPhoto} />
          <label for="photo-file">…or pick a photo</label>
          <input id="photo-file" type="file" accept="image/jpeg,image/png,image/webp" capture="user"
            onChange={(e) => setPhoto((e.target as HTMLInputElement).files?.[0] ?? null)} />
          {preview && <img class="preview" src={preview} alt="The photo to check" />}
        </fieldset>
        <fieldset>
          <legend>Fingerprint (optional)</legend>
          <label for="finger-file">Minutiae template (ISO/IEC 19794-2 or ANSI 378)</label>
          <input id="finger-file" type="file" onChange={(e) => setTemplate((e.target as HTMLInputElement).files?.[0] ?? null)} />
          <label for="finger-pos">Finger</label>
          <select id="finger-pos" value={position} onChange={(e) => setPosition((e.target as HTMLSelectElement).value)}>
            <option value="0">Unknown</option>
            {['Right thumb', 'Right index', 'Right middle', 'Right ring', 'Right little', 'Left thumb', 'Left index', 'Left middle', 'Left ring', 'Left little']
              .map((n, i) => <option key={n} value={String(i + 1)}>{n}</option>)}
          </select>
        </fieldset>
        <button type="submit" class="primary big" disabled={busy || (!photo && !template)}>{busy ? 'Checking…' : 'Check'}</button>
      </form>
      <ErrorBox error={error} />
    </div>
  );
}
