// Sign-in: the API key goes to GET /v1/keys/self; once it answers, the key is kept in session storage (gone when
// the tab closes) and the views follow its role.
import { useState } from 'preact/hooks';
import { api, session } from '../api.ts';
import type { Me } from '../types.ts';
import { ErrorBox } from '../ui.tsx';

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const me = await api<Me>('GET', '/v1/keys/self', undefined, key.trim());
      session.set(key.trim());
      setKey('');
      onSignedIn(me);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin" id="main">
      <h1>biocheck</h1>
      <p>Sign in with your API key. It is kept only in this tab and forgotten when the tab closes.</p>
      <form onSubmit={submit} class="stack">
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck={false} required
          value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" disabled={busy || !key.trim()}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      <ErrorBox error={error} />
      <p class="muted">A new service prints its admin key once, at its first start.</p>
    </main>
  );
}
