// Operations (admin): health, readiness and what each part reports, watchlists with their counts, API keys.
import { useEffect, useState } from 'preact/hooks';
import { api, get, post } from '../api.ts';
import type { KeyRow, Me, Role, Watchlist } from '../types.ts';
import { ErrorBox, Section, useGet } from '../ui.tsx';

function Service() {
  const health = useGet<{ status: string }>('/health', 15_000);
  const ready = useGet<{ status: string; checks: Record<string, unknown> }>('/ready', 15_000);
  // /ready answers 503 with its body while loading: show that body, not just the error.
  return (
    <Section title="Service" id="svc-title">
      <p data-testid="health">Health: <strong>{health.data?.status ?? (health.error ? 'down' : '…')}</strong> · Readiness: <strong>{ready.data?.status ?? (ready.error ? 'not ready' : '…')}</strong></p>
      {ready.data && <ul>{Object.entries(ready.data.checks).map(([k, v]) => <li key={k}>{k}: {typeof v === 'object' ? JSON.stringify(v) : String(v)}</li>)}</ul>}
      <ErrorBox error={health.error} />
      <ErrorBox error={ready.error} />
    </Section>
  );
}

function Watchlists() {
  const lists = useGet<{ watchlists: Watchlist[] }>('/v1/watchlists');
  const [counts, setCounts] = useState<Record<string, number | string>>({});
  const count = async () => {
    const out: Record<string, number | string> = {};
    for (const w of lists.data?.watchlists ?? []) {
      try { out[w.id] = (await get<Watchlist>(`/v1/watchlists/${encodeURIComponent(w.id)}`)).subjects ?? '—'; } catch (e) { out[w.id] = e instanceof Error ? e.message : 'error'; }
    }
    setCounts(out);
  };
  useEffect(() => { if (lists.data) void count(); }, [lists.data]);
  return (
    <Section title="Watchlists" id="wl-title">
      <ErrorBox error={lists.error} />
      {lists.data && (
        <table class="cards" data-testid="watchlists">
          <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Agency</th><th scope="col">Disclosure</th><th scope="col">Subjects</th></tr></thead>
          <tbody>{lists.data.watchlists.map((w) => (
            <tr key={w.id}><td data-label="Id">{w.id}</td><td data-label="Name">{w.name}</td><td data-label="Agency">{w.agency}</td><td data-label="Disclosure">{w.disclosure}</td><td data-label="Subjects">{counts[w.id] ?? '…'}</td></tr>
          ))}</tbody>
        </table>
      )}
      <button type="button" onClick={() => void lists.reload()}>Count again</button>
    </Section>
  );
}

function Keys({ me }: { me: Me }) {
  const keys = useGet<{ keys: KeyRow[] }>('/v1/keys');
  const [role, setRole] = useState<Role>('examiner');
  const [agency, setAgency] = useState('');
  const [label, setLabel] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined); setCreated(null);
    try {
      const k = await post<{ key: string }>('/v1/keys', { role, agency: agency.trim().toUpperCase(), ...(label.trim() ? { label: label.trim() } : {}) });
      setCreated(k.key);
      await keys.reload();
    } catch (err) { setError(err); }
  };
  const revoke = async (id: string) => {
    setError(undefined);
    try { await api('DELETE', `/v1/keys/${id}`); await keys.reload(); } catch (err) { setError(err); }
  };
  return (
    <Section title="API keys" id="keys-title">
      <form class="filters" onSubmit={create}>
        <label>Role
          <select value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
            {(['examiner', 'kiosk', 'enroller', 'admin'] as const).map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <label>Agency <input value={agency} required pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,31}" onInput={(e) => setAgency((e.target as HTMLInputElement).value)} /></label>
        <label>Label <input value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} /></label>
        <button type="submit" class="primary">Create key</button>
      </form>
      {created && <p class="notice" data-testid="new-key">New key (shown once, copy it now): <code>{created}</code></p>}
      <ErrorBox error={error} />
      <ErrorBox error={keys.error} />
      {keys.data && (
        <table class="cards" data-testid="keys">
          <thead><tr><th scope="col">Role</th><th scope="col">Agency</th><th scope="col">Label</th><th scope="col">Created</th><th scope="col">State</th></tr></thead>
          <tbody>{keys.data.keys.map((k) => (
            <tr key={k.id}>
              <td data-label="Role">{k.role}</td><td data-label="Agency">{k.agency}</td><td data-label="Label">{k.label ?? ''}</td>
              <td data-label="Created">{new Date(k.createdAt).toLocaleString()}</td>
              <td data-label="State">{k.revokedAt ? 'revoked' : k.id === me.id ? 'this key' : <button type="button" onClick={() => void revoke(k.id)}>Revoke{k.label ? ` ${k.label}` : ''}</button>}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </Section>
  );
}

export function Operations({ me }: { me: Me }) {
  return <><h1>Operations</h1><Service /><Watchlists /><Keys me={me} /></>;
}
