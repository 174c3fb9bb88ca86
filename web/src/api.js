// How the page talks to the server: REST and GraphQL over HTTP with the signed-in
// key, and one graphql-ws connection for every live view, which reconnects by itself.
import { createClient } from 'graphql-ws';

const KEY = 'codegraph.token';
export const auth = {
  get token() { return sessionStorage.getItem(KEY) || ''; },
  set(token) { sessionStorage.setItem(KEY, token); resetLive(); },
  clear() { sessionStorage.removeItem(KEY); resetLive(); },
};

// A request the server refused for its credentials (401) or its rights (403).
export class AuthError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function headers(extra = {}) {
  const h = { ...extra };
  if (auth.token) h.authorization = `Bearer ${auth.token}`;
  return h;
}

async function answer(res) {
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = undefined; }
  if (res.status === 401 || res.status === 403) {
    throw new AuthError(res.status, body?.error?.message || res.statusText);
  }
  if (!res.ok) throw new Error(body?.error?.message || `${res.status} ${res.statusText}`);
  return body;
}

export async function rest(path, { method = 'GET', body } = {}) {
  const res = await fetch(path, {
    method,
    headers: headers(body ? { 'content-type': 'application/json' } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  return answer(res);
}

export async function gql(query, variables = {}) {
  const res = await fetch('/graphql', {
    method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify({ query, variables }),
  });
  const body = await answer(res);
  if (body.errors?.length) {
    const e = body.errors[0];
    const code = e.extensions?.code;
    if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') throw new AuthError(code === 'FORBIDDEN' ? 403 : 401, e.message);
    throw new Error(e.message);
  }
  return body.data;
}

// ---- live: one graphql-ws client, its state for the status light
let client = null;
let state = 'connecting';
const stateListeners = new Set();
function setState(s) { state = s; for (const l of stateListeners) l(s); }
export function liveState() { return state; }
export function onLiveState(fn) { stateListeners.add(fn); return () => stateListeners.delete(fn); }

function wsUrl() { return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`; }

function live() {
  if (client) return client;
  client = createClient({
    url: wsUrl(),
    lazy: false,
    keepAlive: 10000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** retries))),
    connectionParams: () => (auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
    on: {
      connecting: () => setState('connecting'),
      connected: () => setState('live'),
      closed: () => setState('offline'),
    },
  });
  return client;
}

// Opens the connection now (the status light shows it even before a live view subscribes).
export function connectLive() { live(); }

export function resetLive() {
  if (client) client.dispose();
  client = null;
  setState('connecting');
}

// Subscribes; returns the function that stops it. onData gets each payload's data.
export function subscribe(query, variables, onData, onError = () => {}) {
  return live().subscribe({ query, variables }, {
    next: (v) => (v.errors ? onError(new Error(v.errors[0].message)) : onData(v.data)),
    error: (e) => onError(e instanceof Error ? e : new Error(e?.reason || 'the connection closed')),
    complete: () => {},
  });
}
