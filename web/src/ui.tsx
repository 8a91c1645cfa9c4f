// Small shared pieces: API errors shown with their code, data loading, scores with their meaning, times, images.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get } from './api.ts';

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, 'CLIENT', error instanceof Error ? error.message : String(error));
  return (
    <div class="error" role="alert">
      <strong class="code">{e.code}</strong> {e.message}
      {e.status ? <span class="muted"> (HTTP {e.status})</span> : null}
    </div>
  );
}

export interface Loaded<T> { data?: T; error?: unknown; loading: boolean; reload: () => Promise<void> }

/** GETs path (null: nothing to load) now and whenever it changes; pollMs > 0 reloads it on a timer. */
export function useGet<T>(path: string | null, pollMs = 0): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: path !== null });
  const current = useRef(path);
  current.current = path;
  const reload = useCallback(async () => {
    if (path === null) return;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await get<T>(path);
      if (current.current === path) setState({ data, loading: false });
    } catch (error) {
      if (current.current === path) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, [path]);
  useEffect(() => {
    void reload();
    if (!pollMs || path === null) return;
    const t = setInterval(() => void reload(), pollMs);
    return () => clearInterval(t);
  }, [reload, pollMs, path]);
  return { ...state, reload };
}

/** A score is -log10 FMR: s = 4 means one impostor comparison in 10^4 scores this high. */
export function scoreMeaning(s: number): string {
  if (!Number.isFinite(s) || s <= 0) return 'no evidence';
  const n = 10 ** s;
  const num = (x: number) => (x >= 10 ? Math.round(x).toLocaleString('en') : x.toPrecision(2));
  const words = n >= 1e12 ? 'over a trillion' : n >= 1e9 ? `${num(n / 1e9)} billion` : n >= 1e6 ? `${num(n / 1e6)} million` : num(n);
  return `1 impostor in 10^${s.toFixed(1)} (≈ 1 in ${words})`;
}

export function Score({ label, value }: { label: string; value: number | undefined }) {
  if (value === undefined) return null;
  return (
    <div class="score">
      <span class="score-label">{label}</span>
      <span class="score-value">{value.toFixed(2)}</span>
      <span class="score-meaning">{scoreMeaning(value)}</span>
    </div>
  );
}

export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d`;
}

/** The image type from its first bytes, for a data: URL of a base64 sample. */
export function imageUrl(base64: string): string {
  const head = atob(base64.slice(0, 16));
  const b = (i: number) => head.charCodeAt(i);
  const type = b(0) === 0x89 && b(1) === 0x50 ? 'image/png' : b(0) === 0xff && b(1) === 0xd8 ? 'image/jpeg'
    : head.startsWith('RIFF') ? 'image/webp' : 'application/octet-stream';
  return `data:${type};base64,${base64}`;
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return <section class="panel" aria-labelledby={id}><h2 id={id}>{title}</h2>{children}</section>;
}

export const decisionLabel: Record<string, string> = { hit: 'Hit', review: 'Review', 'no-hit': 'No hit' };
