// Starts the real codegraph binary as a server on 127.0.0.1 with a free port
// (--listen 127.0.0.1:0 --port-file), in a fresh data directory, and talks to it.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import WebSocket from 'ws';

export const BIN = process.env.CODEGRAPH_BIN || path.resolve('build/release/cli/codegraph');
export const SOURCE_DIR = process.env.CODEGRAPH_SOURCE_DIR || path.resolve('.');

// Temporary directories live until the test process exits (CG_KEEP_TEMP=1 keeps them).
const temps = [];
process.on('exit', () => {
  if (process.env.CG_KEEP_TEMP) return;
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'cg-server-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

// A copy of the multi-language fixture tree (tests change files in it).
export function fixtureProject(dir) {
  const dst = path.join(dir, 'proj');
  fs.cpSync(path.join(SOURCE_DIR, 'tests/fixtures'), dst, { recursive: true });
  return dst;
}

export function cli(dataDir, args, env = {}) {
  return execFileSync(BIN, ['--data-dir', dataDir, ...args], {
    env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function startServer({ dataDir, args = [], env = {}, tls = null, listen = '127.0.0.1:0' } = {}) {
  const portFile = path.join(dataDir, `port-${crypto.randomUUID()}`);
  const full = ['--data-dir', dataDir, '--json', 'serve', '--listen', listen, '--port-file', portFile, ...args];
  const proc = spawn(BIN, full, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.on('data', (d) => { stdout += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 20000;
  while (!fs.existsSync(portFile)) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const port = Number(fs.readFileSync(portFile, 'utf8').trim());
  const scheme = tls ? 'https' : 'http';
  const server = {
    proc, port, exited,
    url: `${scheme}://127.0.0.1:${port}`,
    wsUrl: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    get stderr() { return stderr; },
    get stdout() { return stdout; },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
  return server;
}

// fetch with a bearer token and JSON handling. Returns {status, headers, body, json}.
export async function call(server, method, p, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    h['content-type'] = h['content-type'] || 'application/json';
  }
  let res;
  try {
    res = await fetch(server.url + p, { method, headers: h, body: payload });
  } catch (e) {
    throw await requestFailed(server, method, p, e);
  }
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  if (process.env.CG_TEST_DEBUG && res.status >= 400) console.error(`${method} ${p} -> ${res.status} ${text}`);
  return { status: res.status, headers: res.headers, body: text, json };
}

// A request that got no answer: says why (the cause undici hides under 'fetch
// failed') and whether the server is still running, with the end of its log.
async function requestFailed(server, method, p, e) {
  await new Promise((r) => setTimeout(r, 200));  // an exit shows up in a moment
  const cause = e.cause ? ` (${e.cause.code || ''} ${e.cause.message || e.cause})` : '';
  const proc = server.proc;
  const state = proc.exitCode !== null || proc.signalCode !== null
    ? `the server exited (code ${proc.exitCode}, signal ${proc.signalCode}); its log ends:\n${server.stderr.slice(-4000)}`
    : 'the server is still running';
  const err = new Error(`${method} ${p}: ${e.message}${cause}; ${state}`);
  err.cause = e;
  return err;
}

// A git repository at repo holding the standard library's json package, committed
// on branch main (git config: a name and an address). Returns repo.
export function jsonRepo(repo) {
  fs.cpSync('/usr/lib/python3.11/json', path.join(repo, 'json'), { recursive: true });
  fs.rmSync(path.join(repo, 'json', '__pycache__'), { recursive: true, force: true });
  const g = (...args) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  g('init', '-q', '-b', 'main');
  g('config', 'user.email', 'dev@example.com');
  g('config', 'user.name', 'Dev');
  g('add', '.');
  g('commit', '-q', '-m', 'the json package');
  return repo;
}

export async function waitFor(fn, { timeout = 30000, every = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export async function waitTask(server, token, id) {
  return waitFor(async () => {
    const r = await call(server, 'GET', `/api/v1/tasks/${id}`, { token });
    return r.json && r.json.state !== 'running' ? r.json : null;
  }, { what: `task ${id}` });
}

function b64url(buf) {
  return Buffer.from(buf).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

export function jwt(claims, { alg = 'HS256', secret, privateKey } = {}) {
  const head = b64url(JSON.stringify({ alg, typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const input = `${head}.${body}`;
  let sig;
  if (alg === 'HS256') sig = crypto.createHmac('sha256', secret).update(input).digest();
  else if (alg === 'RS256') sig = crypto.sign('sha256', Buffer.from(input), privateKey);
  else sig = Buffer.alloc(0);
  return `${input}.${b64url(sig)}`;
}

export function selfSignedCert(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
  { stdio: 'ignore' });
  return { cert, key };
}

// A WebSocket client that keeps every message (JSON) it gets. opened rejects with the
// HTTP status of a refused upgrade; next(pred) waits for a matching message.
export function wsOpen(url, opts = {}, protocols = undefined) {
  const ws = new WebSocket(url, protocols, opts);
  const messages = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
  const opened = new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
  const closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const next = (pred, ms = 20000) => waitFor(() => messages.find(pred), { timeout: ms, what: 'a WebSocket message' });
  return { ws, opened, closed, next, messages };
}
