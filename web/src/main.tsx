// The page: sign-in, then the views the key's role may use, chosen by the URL's hash (#/queue, #/case/<id>, ...).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, session, setUnauthorizedHandler } from './api.ts';
import type { Me, Role } from './types.ts';
import { ErrorBox } from './ui.tsx';
import { CaseView } from './views/case.tsx';
import { Connections } from './views/connections.tsx';
import { FieldCheck } from './views/field-check.tsx';
import { Hits } from './views/hits.tsx';
import { Operations } from './views/operations.tsx';
import { Queue } from './views/queue.tsx';
import { SignIn } from './views/signin.tsx';

interface ViewDef { id: string; label: string; roles: Role[] }
/** What each role may open; the service enforces the same rules, this only hides what would be refused. */
const VIEWS: ViewDef[] = [
  { id: 'queue', label: 'Cases', roles: ['examiner', 'admin'] },
  { id: 'hits', label: "Owner's hits", roles: ['examiner', 'admin'] },
  { id: 'connections', label: 'Connections', roles: ['examiner', 'admin'] },
  { id: 'field', label: 'Field check', roles: ['kiosk', 'examiner', 'admin'] },
  { id: 'ops', label: 'Operations', roles: ['admin'] },
];

function parseHash(): { view: string; arg?: string } {
  const [view = '', arg] = location.hash.replace(/^#\/?/, '').split('/');
  return { view, arg: arg ? decodeURIComponent(arg) : undefined };
}

function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(Boolean(session.key()));
  const [error, setError] = useState<unknown>();
  const [route, setRoute] = useState(parseHash());

  useEffect(() => {
    const on = () => setRoute(parseHash());
    addEventListener('hashchange', on);
    setUnauthorizedHandler(() => { session.clear(); setMe(null); setError(new Error('your key was refused: sign in again')); });
    if (session.key()) {
      api<Me>('GET', '/v1/keys/self').then(setMe, (e) => { session.clear(); setError(e); }).finally(() => setChecking(false));
    }
    return () => removeEventListener('hashchange', on);
  }, []);

  useEffect(() => {
    const main = document.getElementById('main');
    main?.focus({ preventScroll: true });
  }, [route.view, route.arg]);

  if (checking) return <main id="main" class="signin"><p>Signing in…</p></main>;
  if (!me) {
    return <>
      <SignIn onSignedIn={(m) => { setError(undefined); setMe(m); location.hash = `#/${VIEWS.find((v) => v.roles.includes(m.role))?.id ?? ''}`; }} />
      <div class="signin"><ErrorBox error={error} /></div>
    </>;
  }
  const allowed = VIEWS.filter((v) => v.roles.includes(me.role));
  const view = route.view === 'case' && me.role !== 'kiosk' && me.role !== 'enroller' ? 'case' : allowed.find((v) => v.id === route.view)?.id ?? allowed[0]?.id;
  const signOut = () => { session.clear(); setMe(null); location.hash = ''; };
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <span class="brand">biocheck</span>
        <nav aria-label="Views">
          <ul>
            {allowed.map((v) => (
              <li key={v.id}><a href={`#/${v.id}`} aria-current={view === v.id ? 'page' : undefined}>{v.label}</a></li>
            ))}
          </ul>
        </nav>
        <span class="who" data-testid="who">{me.role} · {me.agency}{me.label ? ` · ${me.label}` : ''}</span>
        <button type="button" class="link" onClick={signOut}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        {view === 'queue' && <Queue />}
        {view === 'case' && route.arg && <CaseView id={route.arg} />}
        {view === 'hits' && <Hits />}
        {view === 'connections' && <Connections />}
        {view === 'field' && <FieldCheck me={me} />}
        {view === 'ops' && <Operations me={me} />}
        {!view && <p>Your role ({me.role}) has no view on this page: enrolment is done through the API (see <a href="/docs">/docs</a>).</p>}
      </main>
    </>
  );
}

render(<App />, document.getElementById('root')!);
