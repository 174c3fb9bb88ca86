// Small shared pieces: html tagged templates, links that route without reloading,
// kind badges, loading and error boxes.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

const routeListeners = new Set();
export function onRoute(fn) { routeListeners.add(fn); return () => routeListeners.delete(fn); }
export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  for (const l of routeListeners) l();
}
window.addEventListener('popstate', () => { for (const l of routeListeners) l(); });

export function Link({ href, children, ...rest }) {
  const click = (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${click} ...${rest}>${children}</a>`;
}

export const enc = encodeURIComponent;
export const nodeHref = (project, id) => `/p/${enc(project)}/node/${enc(id)}`;

export function Kind({ kind }) {
  const k = String(kind || '').toLowerCase();
  return html`<span class=${`kind kind-${k}`}>${k}</span>`;
}

export function Loading({ what = 'Loading' }) {
  return html`<p class="muted" role="status"><span class="spinner" aria-hidden="true"></span> ${what}…</p>`;
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<div class="error" role="alert"><strong>Something went wrong.</strong> ${String(error.message || error)}</div>`;
}

export function Empty({ children }) { return html`<p class="empty">${children}</p>`; }

export const fmt = (n) => (n == null ? '–' : Number(n).toLocaleString());
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');

// Loads once per change of deps: {data, error, loading, reload}. A refused key sends
// the page to the sign-in.
import { useEffect, useState, useCallback } from 'preact/hooks';
import { AuthError } from './api.js';

export function unauthorized(e) {
  if (e instanceof AuthError && e.status === 401)
    window.dispatchEvent(new CustomEvent('codegraph:unauthorized', { detail: e.message }));
}

export function useLoad(fn, deps) {
  const [s, set] = useState({ data: undefined, error: null, loading: true });
  const load = useCallback(() => {
    let gone = false;
    set((p) => ({ ...p, loading: true }));
    fn().then((data) => !gone && set({ data, error: null, loading: false }),
      (error) => { unauthorized(error); if (!gone) set({ data: undefined, error, loading: false }); });
    return () => { gone = true; };
  }, deps);
  useEffect(load, [load]);
  return { ...s, reload: load };
}
