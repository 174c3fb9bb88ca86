// Sign-in: an API key or a JWT, kept in this tab's sessionStorage only.
import { useState } from 'preact/hooks';
import { auth, rest, AuthError } from './api.js';
import { html } from './ui.js';

export function SignIn({ error, onDone }) {
  const [key, setKey] = useState('');
  const [msg, setMsg] = useState(error || '');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    if (!key.trim()) { setMsg('Paste the key `codegraph serve` printed, or a JWT.'); return; }
    setBusy(true);
    auth.set(key.trim());
    try {
      await rest('/api/v1/projects');
      onDone();
    } catch (err) {
      auth.clear();
      setMsg(err instanceof AuthError
        ? (err.status === 403 ? 'This key is valid but may not list projects.' : 'The server refused this key.')
        : `The server did not answer: ${err.message}`);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <section class="signin card" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <p class="muted">This server asks for a key. <code>codegraph serve</code> prints one when it starts;
        <code>codegraph token create</code> makes more. It stays in this tab only.</p>
      <form onSubmit=${submit}>
        <label for="key">API key or JWT</label>
        <input id="key" type="password" autocomplete="off" spellcheck="false" value=${key}
          onInput=${(e) => setKey(e.target.value)} autofocus placeholder="cg_…" />
        ${msg && html`<p class="error" role="alert" id="signin-error">${msg}</p>`}
        <button type="submit" disabled=${busy}>${busy ? 'Checking…' : 'Sign in'}</button>
      </form>
    </section>`;
}
