// The REST API end to end: the real server, real HTTP (fetch/undici, raw sockets).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  startServer, call, cli, tempDir, fixtureProject, waitTask, waitFor, jwt, wsOpen,
} from './harness.mjs';

const SECRET = 'test-secret-' + crypto.randomUUID();
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
let dir, dataDir, proj, srv;
const keys = {};
const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  dir = tempDir();
  dataDir = path.join(dir, 'data');
  proj = fixtureProject(dir);
  fs.mkdirSync(dataDir);
  const pub = path.join(dir, 'rs256.pem');
  fs.writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  for (const [name, role, scope] of [['admin', 'admin', ''], ['writer', 'writer', ''], ['reader', 'reader', ''],
    ['other', 'admin', 'other']]) {
    const args = ['--json', 'token', 'create', '--role', role, '--name', name];
    if (scope) args.push('--scope-project', scope);
    keys[name] = JSON.parse(cli(dataDir, args)).token;
  }
  srv = await startServer({
    dataDir,
    args: ['--project-root', `demo=${proj}`],
    env: {
      // No watch mode here: these tests re-index by hand and count what the run saw
      // (graphql.test.mjs covers watching).
      CODEGRAPH_SERVER_WATCH: 'false',
      CODEGRAPH_AUTH_JWT_SECRET: SECRET,
      CODEGRAPH_AUTH_JWT_PUBLIC_KEY: pub,
      CODEGRAPH_SERVER_CORS_ORIGINS: 'https://app.example',
      CODEGRAPH_SERVER_BODY_LIMIT: '64k',
      CODEGRAPH_SERVER_HEADER_LIMIT: '8k',
      CODEGRAPH_SERVER_ALLOWED_ROOTS: dir,
    },
  });
  await waitTask(srv, keys.reader, 1);
});

after(async () => { if (srv) await srv.stop(); });

test('health, errors with one shape, 404 and 405', async () => {
  assert.equal((await call(srv, 'GET', '/health/live')).status, 200);
  const ready = await waitFor(async () => (await call(srv, 'GET', '/health/ready')).status === 200, { what: 'ready' });
  assert.ok(ready);
  const nf = await call(srv, 'GET', '/api/v1/nope', { token: keys.reader });
  assert.equal(nf.status, 404);
  assert.equal(nf.json.error.code, 'not_found');
  assert.equal(nf.json.error.request_id, nf.headers.get('x-request-id'));
  const na = await call(srv, 'PUT', '/api/v1/projects', { token: keys.admin });
  assert.equal(na.status, 405);
  assert.match(na.headers.get('allow'), /GET/);
  const rid = await call(srv, 'GET', '/api/v1/projects', { token: keys.reader, headers: { 'x-request-id': 'my-id-1' } });
  assert.equal(rid.headers.get('x-request-id'), 'my-id-1');
});

test('authentication: missing, wrong, expired, tampered, wrong algorithm', async () => {
  const p = '/api/v1/projects';
  const missing = await call(srv, 'GET', p);
  assert.equal(missing.status, 401);
  assert.match(missing.headers.get('www-authenticate'), /Bearer/);
  assert.equal((await call(srv, 'GET', p, { token: 'cgk_0000000000000000_' + '0'.repeat(48) })).status, 401);
  assert.equal((await call(srv, 'GET', p, { headers: { authorization: 'Basic Zm9vOmJhcg==' } })).status, 401);
  const good = jwt({ sub: 'alice', role: 'reader', exp: now() + 600 }, { secret: SECRET });
  assert.equal((await call(srv, 'GET', p, { token: good })).status, 200);
  const expired = jwt({ sub: 'alice', role: 'reader', exp: now() - 3600 }, { secret: SECRET });
  const e = await call(srv, 'GET', p, { token: expired });
  assert.equal(e.status, 401);
  assert.match(e.json.error.message, /expired/);
  const [h, , s] = good.split('.');
  const forged = Buffer.from(JSON.stringify({ sub: 'alice', role: 'admin', exp: now() + 600 })).toString('base64url');
  assert.equal((await call(srv, 'GET', p, { token: `${h}.${forged}.${s}` })).status, 401);
  assert.equal((await call(srv, 'GET', p, { token: jwt({ role: 'admin', exp: now() + 60 }, { secret: 'wrong' }) })).status, 401);
  assert.equal((await call(srv, 'GET', p, { token: jwt({ role: 'admin', exp: now() + 60 }, { alg: 'none' }) })).status, 401);
  assert.equal((await call(srv, 'GET', p, { token: jwt({ role: 'admin' }, { secret: SECRET }) })).status, 401, 'no exp');
  const rs = jwt({ sub: 'bob', role: 'reader', exp: now() + 600 }, { alg: 'RS256', privateKey });
  assert.equal((await call(srv, 'GET', p, { token: rs })).status, 200);
  const { privateKey: otherKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsBad = jwt({ sub: 'bob', role: 'reader', exp: now() + 600 }, { alg: 'RS256', privateKey: otherKey });
  assert.equal((await call(srv, 'GET', p, { token: rsBad })).status, 401);
});

test('roles and project scopes are checked on every route', async () => {
  const idx = '/api/v1/projects/demo/index';
  assert.equal((await call(srv, 'POST', idx, { token: keys.reader })).status, 403);
  assert.equal((await call(srv, 'POST', '/api/v1/projects', { token: keys.writer, body: { name: 'x', root: proj } })).status, 403);
  assert.equal((await call(srv, 'DELETE', '/api/v1/projects/demo', { token: keys.writer })).status, 403);
  const scoped = await call(srv, 'GET', '/api/v1/projects/demo/nodes', { token: keys.other });
  assert.equal(scoped.status, 403);
  assert.match(scoped.json.error.message, /scoped/);
  const listed = await call(srv, 'GET', '/api/v1/projects', { token: keys.other });
  assert.deepEqual(listed.json.projects, []);
  const jwtScoped = jwt({ role: 'admin', project: 'other', exp: now() + 60 }, { secret: SECRET });
  assert.equal((await call(srv, 'GET', '/api/v1/projects/demo/stats', { token: jwtScoped })).status, 403);
  // A key created while the server runs works at once; a revoked one stops working.
  const made = JSON.parse(cli(dataDir, ['--json', 'token', 'create', '--role', 'reader']));
  assert.equal((await call(srv, 'GET', '/api/v1/projects', { token: made.token })).status, 200);
  cli(dataDir, ['token', 'revoke', made.id]);
  await waitFor(async () => (await call(srv, 'GET', '/api/v1/projects', { token: made.token })).status === 401,
    { what: 'revocation' });
});

test('nodes: by id, filters, cursor pagination', async () => {
  const stats = await call(srv, 'GET', '/api/v1/projects/demo/stats', { token: keys.reader });
  assert.equal(stats.status, 200);
  const total = stats.json.nodes.total;
  assert.ok(total > 100);
  const seen = new Set();
  let cursor = null;
  let pages = 0;
  do {
    const r = await call(srv, 'GET', `/api/v1/projects/demo/nodes?limit=37${cursor ? `&cursor=${cursor}` : ''}`,
      { token: keys.reader });
    assert.equal(r.status, 200);
    assert.ok(r.json.nodes.length <= 37);
    for (const n of r.json.nodes) { assert.ok(!seen.has(n.id)); seen.add(n.id); }
    cursor = r.json.next_cursor;
    pages++;
  } while (cursor);
  assert.equal(seen.size, total);
  assert.ok(pages >= Math.ceil(total / 37));
  const fns = await call(srv, 'GET', '/api/v1/projects/demo/nodes?kind=function&lang=python&limit=1000', { token: keys.reader });
  assert.ok(fns.json.nodes.length > 0);
  for (const n of fns.json.nodes) { assert.equal(n.kind, 'function'); assert.equal(n.language, 'python'); }
  const one = fns.json.nodes.find((n) => n.name === 'apply_tax');
  const got = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${one.id}`, { token: keys.reader });
  assert.equal(got.status, 200);
  assert.equal(got.json.qualified_name, one.qualified_name);
  assert.equal((await call(srv, 'GET', '/api/v1/projects/demo/nodes/ffffffffffffffff', { token: keys.reader })).status, 404);
  assert.equal((await call(srv, 'GET', '/api/v1/projects/demo/nodes/xyz', { token: keys.reader })).status, 400);
  assert.equal((await call(srv, 'GET', '/api/v1/projects/nope/nodes/0000000000000001', { token: keys.reader })).status, 404);
  assert.equal((await call(srv, 'GET', '/api/v1/projects/demo/nodes?limit=0', { token: keys.reader })).status, 400);
});

test('manual nodes: create, update, delete with roles, validation and audit', async () => {
  const base = '/api/v1/projects/demo/nodes';
  const input = { kind: 'function', name: 'forecastRevenue', file: 'python/shop/models.py', line: 7,
    docstring: 'Forecast next quarter.' };
  assert.equal((await call(srv, 'POST', base, { token: keys.reader, body: input })).status, 403);
  const made = await call(srv, 'POST', base, { token: keys.writer, body: input });
  assert.equal(made.status, 201, made.body);
  assert.equal(made.json.name, 'forecastRevenue');
  assert.equal(made.json.file, 'python/shop/models.py');
  assert.equal(made.json.line, 7);
  assert.ok(made.json.modifiers.includes('manual'));
  const id = made.json.id;
  const got = await call(srv, 'GET', `${base}/${id}`, { token: keys.reader });
  assert.equal(got.json.docstring, 'Forecast next quarter.');
  const listed = await call(srv, 'GET', `${base}?name=forecastRevenue`, { token: keys.reader });
  assert.ok(listed.json.nodes.some((n) => n.id === id));

  const upd = await call(srv, 'PATCH', `${base}/${id}`, { token: keys.writer, body: { signature: 'forecastRevenue(q)' } });
  assert.equal(upd.status, 200, upd.body);
  assert.equal(upd.json.signature, 'forecastRevenue(q)');
  assert.equal(upd.json.name, 'forecastRevenue');
  assert.equal(upd.json.id, id);

  // Bad input: clear errors, nothing written.
  for (const [body, want] of [[{ name: 'x' }, 'kind'], [{ kind: 'gizmo', name: 'x' }, 'gizmo'],
    [{ kind: 'function', name: 'x', color: 'red' }, 'color'], [{ kind: 'function', name: 7 }, 'name'],
    [{ kind: 'function', name: 'x', line: -1 }, 'line'], ['[1,', 'JSON'], [{ kind: 'file', name: 'x' }, 'file']]) {
    const r = await call(srv, 'POST', base, { token: keys.writer, body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.json.error.message, new RegExp(want));
  }
  const parsed = (await call(srv, 'GET', `${base}?kind=function&lang=python&limit=1`, { token: keys.reader })).json.nodes[0];
  const refused = await call(srv, 'PUT', `${base}/${parsed.id}`, { token: keys.writer, body: { name: 'hacked' } });
  assert.equal(refused.status, 400);
  assert.match(refused.json.error.message, /parser/);
  assert.equal((await call(srv, 'DELETE', `${base}/ffffffffffffff01`, { token: keys.writer })).status, 404);
  assert.equal((await call(srv, 'DELETE', `${base}/zz`, { token: keys.writer })).status, 400);
  assert.equal((await call(srv, 'POST', '/api/v1/projects/other/nodes', { token: keys.admin, body: input })).status, 404);

  const del = await call(srv, 'DELETE', `${base}/${id}`, { token: keys.writer });
  assert.equal(del.status, 200);
  assert.equal((await call(srv, 'GET', `${base}/${id}`, { token: keys.reader })).status, 404);
  const audit = fs.readFileSync(path.join(dataDir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  for (const action of ['node.create', 'node.update', 'node.delete']) assert.ok(audit.some((a) => a.action === action), action);
});

async function nodeNamed(name, kind) {
  const r = await call(srv, 'GET', `/api/v1/projects/demo/nodes?name=${name}&limit=1000${kind ? `&kind=${kind}` : ''}`,
    { token: keys.reader });
  return r.json.nodes.find((n) => n.language === 'python');
}

test('graph queries: callers, callees, dependencies, path, outline, files', async () => {
  const tax = await nodeNamed('apply_tax', 'function');
  const checkout = await nodeNamed('checkout', 'function');
  const callers = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${tax.id}/callers`, { token: keys.reader });
  assert.equal(callers.status, 200);
  const names = callers.json.results.map((r) => r.node && r.node.name);
  assert.ok(names.includes('checkout') && names.includes('total'), names.join(','));
  const callees = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${checkout.id}/callees?depth=2`, { token: keys.reader });
  assert.ok(callees.json.results.some((r) => r.node && r.node.name === 'apply_tax'));
  // checkout builds a MemoryStore and an Order: callees list the instantiations and the
  // constructors; ?resolution= keeps only edges resolved so.
  const direct = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${checkout.id}/callees`, { token: keys.reader });
  const kinds = direct.json.results.map((r) => `${r.edge.kind} ${r.node ? r.node.name : r.edge.target_name}`);
  assert.ok(kinds.includes('instantiates MemoryStore') && kinds.includes('calls __init__'), kinds.join(','));
  const exact = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${checkout.id}/callees?resolution=exact`, { token: keys.reader });
  assert.equal(exact.status, 200);
  assert.ok(exact.json.results.length > 0 && exact.json.results.every((r) => r.node), JSON.stringify(exact.json.results));
  const ext = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${checkout.id}/callees?resolution=external,unresolved`, { token: keys.reader });
  assert.ok(ext.json.results.every((r) => ['external', 'unresolved'].includes(r.edge.resolution)));
  const badRes = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${checkout.id}/callees?resolution=maybe`, { token: keys.reader });
  assert.equal(badRes.status, 400);
  assert.match(JSON.stringify(badRes.json), /unknown resolution 'maybe'/);
  const deps = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${checkout.id}/dependencies?kinds=calls`, { token: keys.reader });
  assert.ok(deps.json.results.every((r) => r.edge.kind === 'calls'));
  assert.equal((await call(srv, 'GET', `/api/v1/projects/demo/nodes/${checkout.id}/dependencies?kinds=bogus`, { token: keys.reader })).status, 400);
  const dependents = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${tax.id}/dependents`, { token: keys.reader });
  assert.ok(dependents.json.results.length >= 2);
  const pth = await call(srv, 'GET', `/api/v1/projects/demo/path?from=${checkout.id}&to=${tax.id}`, { token: keys.reader });
  assert.equal(pth.json.found, true);
  assert.equal(pth.json.nodes[0].id, checkout.id);
  assert.equal(pth.json.nodes.at(-1).id, tax.id);
  assert.equal(pth.json.edges.length, pth.json.nodes.length - 1);
  const none = await call(srv, 'GET', `/api/v1/projects/demo/path?from=${tax.id}&to=${checkout.id}&kinds=calls`, { token: keys.reader });
  assert.equal(none.json.found, false);
  const ol = await call(srv, 'GET', '/api/v1/projects/demo/outline?path=python/shop/models.py', { token: keys.reader });
  assert.ok(ol.json.nodes.some((n) => n.name === 'Order'));
  const lines = ol.json.nodes.map((n) => n.span.start_line);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  assert.equal((await call(srv, 'GET', '/api/v1/projects/demo/outline?path=nope.py', { token: keys.reader })).status, 404);
  const files = await call(srv, 'GET', '/api/v1/projects/demo/files', { token: keys.reader });
  assert.ok(files.json.files.some((f) => f.path === 'python/shop/store.py'));
  const fd = await call(srv, 'GET', '/api/v1/projects/demo/file-dependencies?path=python/shop/store.py', { token: keys.reader });
  assert.ok(fd.json.files.some((f) => f.path === 'python/shop/models.py'));
});

test('search: JSON, NDJSON and SSE carry the same hits; the cache answers repeats', async () => {
  const q = '/api/v1/projects/demo/search?q=order%20total&k=6&batch=2';
  const plain = await call(srv, 'GET', q, { token: keys.reader });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('x-cache'), 'miss');
  assert.ok(plain.json.hits.length > 0);
  assert.equal(plain.json.hits[0].name, 'total');
  assert.ok(plain.json.hits[0].reasons.length > 0);
  assert.equal((await call(srv, 'GET', q, { token: keys.reader })).headers.get('x-cache'), 'hit');
  const nd = await call(srv, 'GET', `${q}&stream=ndjson`, { token: keys.reader });
  assert.equal(nd.headers.get('content-type'), 'application/x-ndjson');
  const batches = nd.body.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(batches.length >= 2);
  assert.equal(batches.at(-1).last, true);
  assert.deepEqual(batches.flatMap((b) => b.hits.map((h) => h.id)), plain.json.hits.map((h) => h.id));
  const sse = await call(srv, 'GET', q, { token: keys.reader, headers: { accept: 'text/event-stream' } });
  assert.match(sse.headers.get('content-type'), /text\/event-stream/);
  const events = sse.body.split('\n\n').filter(Boolean).map((f) => JSON.parse(f.split('\n').find((l) => l.startsWith('data: ')).slice(6)));
  assert.deepEqual(events.flatMap((b) => b.hits.map((h) => h.id)), plain.json.hits.map((h) => h.id));
  const post = await call(srv, 'POST', '/api/v1/projects/demo/search', { token: keys.reader, body: { q: 'order total', k: 6, lang: ['python'] } });
  assert.ok(post.json.hits.every((h) => h.language === 'python'));
  assert.equal((await call(srv, 'GET', '/api/v1/projects/demo/search?q=', { token: keys.reader })).status, 400);
  assert.equal((await call(srv, 'GET', '/api/v1/projects/demo/search?q=x&mode=bogus', { token: keys.reader })).status, 400);
  const filtered = await call(srv, 'GET', '/api/v1/projects/demo/search?q=order&kind=class', { token: keys.reader });
  assert.ok(filtered.json.hits.every((h) => h.kind === 'class'));
});

test('similar and raw-vector search', async () => {
  const total = await nodeNamed('total', 'method');
  const sim = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${total.id}/similar?k=5&threshold=0`, { token: keys.reader });
  assert.equal(sim.status, 200);
  assert.ok(sim.json.hits.length > 0);
  assert.ok(sim.json.hits.every((h) => h.id !== total.id));
  const wrong = await call(srv, 'POST', '/api/v1/projects/demo/vector/search', { token: keys.reader, body: { vector: [1, 2, 3] } });
  assert.equal(wrong.status, 400);
  assert.match(wrong.json.error.message, /dimensions/);
  const v = Array.from({ length: 384 }, (_, i) => Math.sin(i));
  const ok = await call(srv, 'POST', '/api/v1/projects/demo/vector/search', { token: keys.reader, body: { vector: v, k: 3, mode: 'exact' } });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.hits.length, 3);
  const scores = ok.json.hits.map((h) => h.vector_score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
});

test('parse: snippets, project files, and paths outside the root are refused', async () => {
  const snip = await call(srv, 'POST', '/api/v1/parse', { token: keys.reader,
    body: { language: 'python', source: 'class A:\n    def f(self):\n        return g()\n' } });
  assert.equal(snip.status, 200);
  assert.deepEqual(snip.json.nodes.map((n) => n.name).slice(1), ['A', 'f']);
  assert.ok(snip.json.references.some((r) => r.name === 'g' && r.kind === 'calls'));
  const file = await call(srv, 'POST', '/api/v1/parse', { token: keys.reader, body: { project: 'demo', path: 'python/shop/store.py' } });
  assert.equal(file.status, 200);
  assert.ok(file.json.nodes.some((n) => n.name === 'checkout'));
  fs.symlinkSync('/etc', path.join(proj, 'escape'));
  for (const bad of ['../../etc/passwd', '/etc/passwd', 'escape/passwd', 'python/../../x']) {
    const r = await call(srv, 'POST', '/api/v1/parse', { token: keys.reader, body: { project: 'demo', path: bad } });
    assert.ok(r.status === 400 || r.status === 404, `${bad}: ${r.status}`);
    assert.ok(!r.body.includes('root:'), 'no file content leaks');
  }
  const escaped = await call(srv, 'POST', '/api/v1/parse', { token: keys.reader, body: { project: 'demo', path: 'escape/hostname' } });
  assert.equal(escaped.status, 400);
  assert.match(escaped.json.error.message, /outside/);
  const bin = await call(srv, 'POST', '/api/v1/parse', { token: keys.reader, body: { language: 'c', source: 'int\u0000x;' } });
  assert.equal(bin.status, 422);
  assert.equal((await call(srv, 'POST', '/api/v1/parse', { token: keys.reader, body: '{not json' })).status, 400);
  assert.equal((await call(srv, 'POST', '/api/v1/parse', { token: keys.reader, body: { language: 'cobol', source: 'x' } })).status, 400);
  const outside = await call(srv, 'POST', '/api/v1/projects', { token: keys.admin, body: { name: 'etc', root: '/etc', index: false } });
  assert.equal(outside.status, 400);
  assert.match(outside.json.error.message, /allowed roots/);
});

test('oversize and malformed requests get clear errors', async () => {
  const big = await call(srv, 'POST', '/api/v1/parse', { token: keys.reader, body: { language: 'python', source: 'x'.repeat(100000) } });
  assert.equal(big.status, 413);
  assert.equal(big.json.error.code, 'too_large');
  const hdr = await call(srv, 'GET', '/health/live', { headers: { 'x-big': 'y'.repeat(9000) } });
  assert.equal(hdr.status, 431);
  const raw = await new Promise((resolve, reject) => {
    const s = net.connect(srv.port, '127.0.0.1', () => s.write('THIS IS NOT HTTP\r\n\r\n'));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
  assert.match(raw, /^HTTP\/1\.1 400/);
  assert.match(raw, /"code":"bad_request"/);
  const badEscape = await new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1', () => s.write('GET /api/v1/projects/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
  });
  assert.match(badEscape, /^HTTP\/1\.1 400/);
  // The server is still fine.
  assert.equal((await call(srv, 'GET', '/health/live')).status, 200);
});

test('CORS: preflight for allowed and refused origins', async () => {
  const pre = await fetch(`${srv.url}/api/v1/projects`, { method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/);
  const bad = await fetch(`${srv.url}/api/v1/projects`, { method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
  assert.equal(bad.status, 403);
  assert.equal(bad.headers.get('access-control-allow-origin'), null);
  const get = await call(srv, 'GET', '/api/v1/projects', { token: keys.reader, headers: { origin: 'https://app.example' } });
  assert.equal(get.headers.get('access-control-allow-origin'), 'https://app.example');
});

test('index tasks: start, progress as SSE and NDJSON, status, cancel; re-index invalidates the cache', async () => {
  const q = '/api/v1/projects/demo/search?q=refund%20policy&k=3';
  const before = await call(srv, 'GET', q, { token: keys.reader });
  assert.equal((await call(srv, 'GET', q, { token: keys.reader })).headers.get('x-cache'), 'hit');
  fs.writeFileSync(path.join(proj, 'python/shop/refunds.py'), 'def refund_policy(order):\n    """Refund policy for an order."""\n    return order\n');
  const started = await call(srv, 'POST', '/api/v1/projects/demo/index', { token: keys.writer });
  assert.equal(started.status, 202);
  const id = started.json.task;
  const sse = await call(srv, 'GET', `/api/v1/tasks/${id}/events`, { token: keys.reader, headers: { accept: 'text/event-stream' } });
  const frames = sse.body.split('\n\n').filter(Boolean);
  assert.match(frames.at(-1), /^event: done/);
  const summary = JSON.parse(frames.at(-1).split('\n')[1].slice(6));
  assert.equal(summary.outcome, 'done');
  assert.equal(summary.files.added, 1);
  const nd = await call(srv, 'GET', `/api/v1/tasks/${id}/events?stream=ndjson`, { token: keys.reader });
  assert.equal(JSON.parse(nd.body.trim().split('\n').at(-1)).outcome, 'done');
  const t = await waitTask(srv, keys.reader, id);
  assert.equal(t.state, 'done');
  const after = await call(srv, 'GET', q, { token: keys.reader });
  assert.equal(after.headers.get('x-cache'), 'miss');
  assert.equal(after.json.hits[0].name, 'refund_policy');
  assert.notDeepEqual(after.json.hits, before.json.hits);
  const cancel = await call(srv, 'DELETE', `/api/v1/tasks/${id}`, { token: keys.writer });
  assert.equal(cancel.status, 409, 'a finished task cannot be cancelled');
  assert.equal((await call(srv, 'GET', '/api/v1/tasks/999999', { token: keys.reader })).status, 404);
  const audit = fs.readFileSync(path.join(dataDir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(audit.some((a) => a.action === 'project.index' && a.who.startsWith('key:')));
});

test('versions: each whole-tree index commits one; ?at= reads an old one; diff between them', async () => {
  const base = '/api/v1/projects/demo';
  const listed = await call(srv, 'GET', `${base}/versions`, { token: keys.reader });
  assert.equal(listed.status, 200);
  const before = listed.json.versions.length;
  assert.ok(before >= 1, 'the first index committed version 1');
  fs.writeFileSync(path.join(proj, 'python/shop/versioned.py'), 'def versioned_fn(x):\n    return x\n');
  const started = await call(srv, 'POST', `${base}/index`, { token: keys.writer });
  const done = await waitTask(srv, keys.reader, started.json.task);
  assert.equal(done.state, 'done');
  const after = (await call(srv, 'GET', `${base}/versions`, { token: keys.reader })).json.versions;
  assert.equal(after.length, before + 1);
  const head = after.at(-1);
  assert.equal(head.parent, head.id - 1);
  assert.equal(head.source, 'index');
  assert.ok(head.nodes > 0 && head.changedKeys > 0);
  assert.equal((await call(srv, 'GET', `${base}/versions/head`, { token: keys.reader })).json.id, head.id);
  const named = (at) => call(srv, 'GET', `${base}/nodes?name=versioned_fn${at ? `&at=${at}` : ''}`, { token: keys.reader });
  assert.equal((await named('')).json.nodes.length, 1);
  assert.equal((await named('head')).json.nodes.length, 1);
  assert.equal((await named('head~1')).json.nodes.length, 0, 'the version before did not have it');
  assert.equal((await named(String(head.id - 1))).json.nodes.length, 0);
  // Search at a version searches what that version held.
  const searchAt = async (at) => (await call(srv, 'GET', `${base}/search?q=versioned_fn&k=5&at=${at}`, { token: keys.reader })).json;
  assert.ok((await searchAt('head')).hits.some((h) => h.name === 'versioned_fn'));
  assert.ok(!(await searchAt('head~1')).hits.some((h) => h.name === 'versioned_fn'));
  assert.equal((await call(srv, 'GET', `${base}/search?q=x&at=999`, { token: keys.reader })).status, 404);
  const gqlAt = await call(srv, 'POST', '/graphql', { token: keys.reader, body: {
    query: 'query($at: String) { search(project: "demo", query: "versioned_fn", at: $at) { hits { name node { name } } } }',
    variables: { at: 'head' } } });
  assert.equal(gqlAt.json.errors, undefined, gqlAt.body);
  assert.ok(gqlAt.json.data.search.hits.some((h) => h.name === 'versioned_fn' && h.node.name === 'versioned_fn'));
  const gqlOld = await call(srv, 'POST', '/graphql', { token: keys.reader, body: {
    query: '{ search(project: "demo", query: "versioned_fn", at: "head~1") { hits { name } } }' } });
  assert.ok(!gqlOld.json.data.search.hits.some((h) => h.name === 'versioned_fn'));
  const stats = async (at) => (await call(srv, 'GET', `${base}/stats?at=${at}`, { token: keys.reader })).json;
  assert.ok((await stats('head')).nodes.total > (await stats('head~1')).nodes.total);
  const diff = await call(srv, 'GET', `${base}/versions/head~1/diff/head`, { token: keys.reader });
  assert.equal(diff.status, 200);
  assert.equal(diff.json.from, head.id - 1);
  assert.equal(diff.json.to, head.id);
  assert.deepEqual(diff.json.nodes.filter((c) => c.change === 'added').map((c) => c.after.name).sort(), ['versioned.py', 'versioned_fn']);
  assert.equal(diff.json.files['python/shop/versioned.py'].nodesAdded, 2);
  assert.equal((await call(srv, 'GET', `${base}/versions/head/diff/working`, { token: keys.reader })).json.nodes.length, 0);
  // The same diff streamed as NDJSON: a header, a line per change and per file, an end.
  const streamed = await call(srv, 'GET', `${base}/versions/head~1/diff/head`,
    { token: keys.reader, headers: { accept: 'application/x-ndjson' } });
  assert.equal(streamed.status, 200);
  assert.match(streamed.headers.get('content-type'), /application\/x-ndjson/);
  const lines = streamed.body.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], { type: 'diff', from: diff.json.from, to: diff.json.to });
  // The same changes, in the order the comparison finds them (the JSON answer sorts).
  const canon = (xs) => xs.map((x) => JSON.stringify(x)).sort();
  assert.deepEqual(canon(lines.filter((l) => l.type === 'node').map(({ type, ...rest }) => rest)), canon(diff.json.nodes));
  assert.deepEqual(canon(lines.filter((l) => l.type === 'edge').map(({ type, ...rest }) => rest)), canon(diff.json.edges));
  assert.deepEqual(Object.fromEntries(lines.filter((l) => l.type === 'file').map(({ type, path: p, ...rest }) => [p, rest])),
    diff.json.files);
  assert.deepEqual(lines.at(-1),
    { type: 'end', nodes: diff.json.nodes.length, edges: diff.json.edges.length, total: diff.json.total });
  // Bad references are clear errors; versions are read with the reader role like the graph.
  const missing = await call(srv, 'GET', `${base}/nodes?name=x&at=999`, { token: keys.reader });
  assert.equal(missing.status, 404);
  assert.match(missing.json.error.message, /versions 1 to/);
  assert.equal((await call(srv, 'GET', `${base}/stats?at=yesterday`, { token: keys.reader })).status, 400);
  assert.equal((await call(srv, 'GET', `${base}/versions/nope`, { token: keys.reader })).status, 400);
  assert.equal((await call(srv, 'GET', '/api/v1/projects/none/versions', { token: keys.reader })).status, 404);
  assert.equal((await call(srv, 'GET', `${base}/versions`)).status, 401);
  fs.rmSync(path.join(proj, 'python/shop/versioned.py'));
});

test('transactions: POST nodes/batch applies every edit or none, as one version; /ws hears the version', async () => {
  const base = '/api/v1/projects/demo';
  const versions = async () => (await call(srv, 'GET', `${base}/versions`, { token: keys.reader })).json.versions;
  const one = await call(srv, 'POST', `${base}/nodes`, { token: keys.writer, body: { kind: 'function', name: 'batchOld' } });
  assert.equal(one.status, 201, one.body);
  const before = await versions();
  assert.equal(before.at(-1).source, 'edit', 'a single edit is a version of its own');
  const ws = wsOpen(`${srv.wsUrl}/ws?topics=versions/demo`, { headers: { authorization: `Bearer ${keys.reader}` } },
    ['codegraph.events.v1']);
  await ws.opened;
  await ws.next((m) => m.type === 'subscribed');
  const batch = await call(srv, 'POST', `${base}/nodes/batch`, { token: keys.writer, body: {
    message: 'rename and add',
    edits: [{ create: { kind: 'class', name: 'BatchNew' } }, { id: one.json.id, update: { name: 'batchRenamed' } }],
  } });
  assert.equal(batch.status, 200, batch.body);
  const [made, renamed] = batch.json.nodes;
  assert.deepEqual([made.name, made.kind, renamed.name, renamed.id], ['BatchNew', 'class', 'batchRenamed', one.json.id]);
  assert.equal(batch.json.version.source, 'edit');
  assert.equal(batch.json.version.message, 'rename and add');
  assert.equal(batch.json.version.parent, before.at(-1).id);
  const heard = await ws.next((m) => m.type === 'event' && m.event === 'version');
  assert.equal(heard.topic, 'versions/demo');
  assert.equal(heard.data.id, batch.json.version.id);
  assert.equal(heard.data.project, 'demo');
  ws.ws.close();
  // Blame: the renamed node was created by the single edit and changed by the batch.
  const blame = await call(srv, 'GET', `${base}/nodes/${one.json.id}/blame`, { token: keys.reader });
  assert.equal(blame.status, 200, blame.body);
  assert.equal(blame.json.created_in.id, before.at(-1).id);
  assert.equal(blame.json.changed_in.id, batch.json.version.id);
  assert.equal((await call(srv, 'GET', `${base}/nodes/00000000000000ab/blame`, { token: keys.reader })).status, 404);
  assert.equal((await call(srv, 'GET', `${base}/nodes/xyz/blame`, { token: keys.reader })).status, 400);
  // Refs: a tag and a branch name versions; reads take them as ?at=.
  const put = (kind, name, body, token = keys.writer) => call(srv, 'PUT', `${base}/refs/${kind}/${name}`, { token, body });
  assert.equal((await put('tag', 'before-batch', { version: 'head~1' })).json.version, before.at(-1).id);
  assert.equal((await put('branch', 'review', {})).json.version, batch.json.version.id);
  assert.equal((await put('tag', 'before-batch', { version: 'head' })).status, 409, 'a tag stays unless forced');
  assert.equal((await put('tag', 'before-batch', { version: 'head~1' })).status, 200, 'the same version again is fine');
  assert.equal((await put('tag', 'before-batch', { version: 'nope' })).status, 400);
  assert.equal((await put('tag', 'bad~name', {})).status, 400);
  assert.equal((await put('label', 'x', {})).status, 400);
  assert.equal((await put('tag', 'x', {}, keys.reader)).status, 403);
  const refs = await call(srv, 'GET', `${base}/refs`, { token: keys.reader });
  assert.deepEqual(refs.json.refs.filter((r) => ['before-batch', 'review'].includes(r.name)),
    [{ kind: 'branch', name: 'review', version: batch.json.version.id }, { kind: 'tag', name: 'before-batch', version: before.at(-1).id }]);
  const at = async (name, ref) => (await call(srv, 'GET', `${base}/nodes?name=${name}&at=${ref}`, { token: keys.reader })).json.nodes.length;
  assert.equal(await at('BatchNew', 'before-batch'), 0);
  assert.equal(await at('BatchNew', 'review'), 1);
  assert.equal((await call(srv, 'DELETE', `${base}/refs/tag/before-batch`, { token: keys.writer })).status, 200);
  assert.equal((await call(srv, 'DELETE', `${base}/refs/tag/before-batch`, { token: keys.writer })).status, 404);
  // At the version before, the rename and the new class are not there.
  const named = async (name, at) => (await call(srv, 'GET', `${base}/nodes?name=${name}${at ? `&at=${at}` : ''}`,
    { token: keys.reader })).json.nodes.length;
  assert.equal(await named('BatchNew', 'head~1'), 0);
  assert.equal(await named('batchOld', 'head~1'), 1);
  assert.equal(await named('BatchNew'), 1);
  assert.equal(await named('batchOld'), 0);

  // All or none: the third edit fails, the first two are not applied.
  const failed = await call(srv, 'POST', `${base}/nodes/batch`, { token: keys.writer, body: { edits: [
    { create: { kind: 'function', name: 'neverMade' } }, { delete: made.id }, { delete: '00000000000000ab' }] } });
  assert.equal(failed.status, 404, failed.body);
  assert.match(failed.json.error.message, /edit 2/);
  assert.equal(await named('neverMade'), 0);
  assert.equal(await named('BatchNew'), 1);
  assert.equal((await versions()).length, before.length + 1);
  // Malformed bodies, limits and roles.
  for (const body of [{}, { edits: [] }, { edits: [{}] }, { edits: [{ create: { kind: 'function', name: 'x' }, delete: made.id }] },
    { edits: [{ update: { name: 'y' } }] }, { edits: [{ delete: 'xyz' }] }, { edits: [{ create: { name: 'no kind' } }] },
    { edits: [{ delete: made.id }], message: 5 }]) {
    const r = await call(srv, 'POST', `${base}/nodes/batch`, { token: keys.writer, body });
    assert.equal(r.status, 400, JSON.stringify(body) + ' ' + r.body);
  }
  const many = { edits: Array.from({ length: 1001 }, () => ({ delete: made.id })) };
  assert.equal((await call(srv, 'POST', `${base}/nodes/batch`, { token: keys.writer, body: many })).status, 413);
  assert.equal((await call(srv, 'POST', `${base}/nodes/batch`, { token: keys.reader, body: { edits: [{ delete: made.id }] } })).status, 403);
  assert.equal((await call(srv, 'POST', '/api/v1/projects/none/nodes/batch', { token: keys.writer, body: { edits: [{ delete: made.id }] } })).status, 404);
  const gone = await call(srv, 'POST', `${base}/nodes/batch`, { token: keys.writer, body: { edits: [{ delete: made.id }, { delete: one.json.id }] } });
  assert.deepEqual(gone.json.nodes, [null, null]);
  assert.deepEqual(gone.json.deleted, [made.id, one.json.id]);
});

test('projects: register, list, remove', async () => {
  const sub = path.join(proj, 'go');
  const made = await call(srv, 'POST', '/api/v1/projects', { token: keys.admin, body: { name: 'gosub', root: sub } });
  assert.equal(made.status, 201);
  const done = await waitTask(srv, keys.admin, made.json.task);
  assert.equal(done.state, 'done');
  const list = await call(srv, 'GET', '/api/v1/projects', { token: keys.reader });
  assert.deepEqual(list.json.projects.map((p) => p.name).sort(), ['demo', 'gosub']);
  const info = await call(srv, 'GET', '/api/v1/projects/gosub', { token: keys.reader });
  assert.equal(info.json.root, fs.realpathSync(sub));
  assert.ok(info.json.stats.nodes.total > 0);
  assert.equal((await call(srv, 'POST', '/api/v1/projects', { token: keys.admin, body: { name: 'bad/name', root: sub } })).status, 400);
  assert.equal((await call(srv, 'DELETE', '/api/v1/projects/gosub', { token: keys.admin })).status, 200);
  assert.equal((await call(srv, 'GET', '/api/v1/projects/gosub', { token: keys.reader })).status, 404);
});

test('metrics: Prometheus text that promtool accepts', async () => {
  const m = await call(srv, 'GET', '/metrics', { token: keys.reader });
  assert.equal(m.status, 200);
  for (const name of ['codegraph_http_requests_total', 'codegraph_http_request_duration_seconds_bucket',
    'codegraph_ws_connections', 'codegraph_ws_queue_bytes', 'codegraph_index_tasks', 'codegraph_store_bytes',
    'codegraph_cache_hit_ratio', 'codegraph_connections'])
    assert.ok(m.body.includes(name), name);
  assert.match(m.body, /codegraph_http_requests_total\{route="\/api\/v1\/projects\/\{name\}\/search",method="GET",code="200"\} \d+/);
  // Every actor's mailbox: the bus, each parser worker, demo's graph and vector actors
  // (idle now: each last saw an empty mailbox).
  for (const re of [/codegraph_actor_mailbox_depth\{actor="bus",project=""\} 0/, /codegraph_actor_mailbox_depth\{actor="parser",project="0"\} 0/,
    /codegraph_actor_mailbox_depth\{actor="graph",project="demo"\} 0/, /codegraph_actor_mailbox_depth\{actor="vector",project="demo"\} 0/])
    assert.match(m.body, re);
  assert.match(m.body, /codegraph_watched_projects 0/);  // watch mode is off for this server
  execFileSync('promtool', ['check', 'metrics'], { input: m.body });
  assert.equal((await call(srv, 'GET', '/metrics')).status, 401);
});
