// The CodeGraph dashboard: a shell (header, status light, theme, sign-in) and a view
// per route. Every view reads through the server's GraphQL and REST API; live views
// are graphql-ws subscriptions.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { auth, rest, AuthError, onLiveState, liveState, resetLive, connectLive } from './api.js';
import { html, Link, onRoute, navigate } from './ui.js';
import { SignIn } from './signin.js';
import { Projects } from './projects.js';
import { Activity } from './activity.js';
import { Search } from './search.js';
import { Symbol } from './symbol.js';
import { Review } from './review.js';
import { Versions } from './versions.js';

function route() {
  const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(location.search);
  if (parts[0] === 'activity') return { view: 'activity', q };
  if (parts[0] === 'p' && parts[1]) {
    const project = parts[1];
    if (parts[2] === 'node' && parts[3]) return { view: 'symbol', project, id: parts[3], q };
    if (parts[2] === 'search' || !parts[2]) return { view: 'search', project, q };
    if (parts[2] === 'review') return { view: 'review', project, q };
    if (parts[2] === 'versions') return { view: 'versions', project, q };
  }
  return { view: 'projects', q };
}

function useTheme() {
  const saved = localStorage.getItem('codegraph.theme');
  const [theme, setTheme] = useState(saved || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('codegraph.theme', theme);
  }, [theme]);
  return [theme, () => setTheme(theme === 'dark' ? 'light' : 'dark')];
}

function StatusLight() {
  const [state, setState] = useState(liveState());
  useEffect(() => onLiveState(setState), []);
  const label = { live: 'Live', connecting: 'Connecting…', offline: 'Offline: reconnecting' }[state];
  return html`<span class=${`status status-${state}`} role="status" aria-live="polite" data-state=${state}>
    <span class="dot" aria-hidden="true"></span>${label}</span>`;
}

function App() {
  const [r, setR] = useState(route());
  const [signedIn, setSignedIn] = useState(null);  // null: checking; false: needs a key
  const [authError, setAuthError] = useState('');
  const [theme, toggleTheme] = useTheme();
  useEffect(() => onRoute(() => setR(route())), []);
  const check = async () => {
    try {
      await rest('/api/v1/projects');
      setSignedIn(true);
      connectLive();
    } catch (e) {
      if (e instanceof AuthError) {
        setAuthError(auth.token ? (e.status === 403 ? 'This key may not list projects.' : 'The key was refused.') : '');
        setSignedIn(false);
      } else {
        setAuthError(`The server did not answer: ${e.message}`);
        setSignedIn(false);
      }
    }
  };
  useEffect(() => { check(); }, []);
  // Any view that meets a refused key sends the person back to sign in.
  useEffect(() => {
    const onUnauth = (e) => { setAuthError(e.detail || 'The key was refused.'); setSignedIn(false); };
    window.addEventListener('codegraph:unauthorized', onUnauth);
    return () => window.removeEventListener('codegraph:unauthorized', onUnauth);
  }, []);
  const signOut = () => { auth.clear(); setSignedIn(false); setAuthError(''); };
  const project = r.project;
  const nav = [
    ['/', 'Projects', r.view === 'projects'],
    ['/activity', 'Activity', r.view === 'activity'],
  ];
  if (project) {
    const p = `/p/${encodeURIComponent(project)}`;
    nav.push([`${p}/search`, 'Search', r.view === 'search'], [`${p}/review`, 'Review', r.view === 'review'],
      [`${p}/versions`, 'Versions', r.view === 'versions']);
  }
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <${Link} href="/" class="brand" aria-label="CodeGraph home"><span class="logo" aria-hidden="true">◆</span> CodeGraph</${Link}>
      ${project && html`<span class="crumb" title="project">${project}</span>`}
      <nav aria-label="Views">
        ${nav.map(([href, label, on]) => html`<${Link} href=${href} aria-current=${on ? 'page' : undefined}>${label}</${Link}>`)}
      </nav>
      <span class="spacer"></span>
      <${StatusLight} />
      <button class="ghost" onClick=${toggleTheme} aria-label=${`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
        ${theme === 'dark' ? '☀' : '☾'}</button>
      ${signedIn && auth.token && html`<button class="ghost" onClick=${signOut}>Sign out</button>`}
    </header>
    <main id="main" tabindex="-1">
      ${signedIn === null ? html`<p class="muted">Connecting…</p>`
        : !signedIn ? html`<${SignIn} error=${authError} onDone=${() => { setSignedIn(true); resetLive(); connectLive(); }} />`
          : r.view === 'activity' ? html`<${Activity} q=${r.q} />`
            : r.view === 'search' ? html`<${Search} project=${project} q=${r.q} key=${project} />`
              : r.view === 'symbol' ? html`<${Symbol} project=${project} id=${r.id} key=${r.id} />`
                : r.view === 'review' ? html`<${Review} project=${project} q=${r.q} key=${project} />`
                  : r.view === 'versions' ? html`<${Versions} project=${project} key=${project} />`
                    : html`<${Projects} />`}
    </main>`;
}

export { navigate };
const root = document.getElementById('app');
root.textContent = '';  // the boot message
render(html`<${App} />`, root);
