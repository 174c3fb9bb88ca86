// WebSocket plumbing, TLS, rate limits, no-auth rules and graceful shutdown, against
// the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  BIN, startServer, call, cli, tempDir, fixtureProject, waitTask, waitFor, selfSignedCert, wsOpen,
} from './harness.mjs';

function token(dataDir, role, scope) {
  const args = ['--json', 'token', 'create', '--role', role];
  if (scope) args.push('--scope-project', scope);
  return JSON.parse(cli(dataDir, args)).token;
}

const open = wsOpen;

test('/ws: auth, subprotocols, subscriptions, change events from a re-index, size limit', async () => {
  const dir = tempDir();
  const dataDir = path.join(dir, 'data');
  const proj = fixtureProject(dir);
  fs.mkdirSync(dataDir);
  const admin = token(dataDir, 'admin');
  const scoped = token(dataDir, 'reader', 'other');
  const srv = await startServer({ dataDir, args: ['--project-root', `demo=${proj}`],
    env: { CODEGRAPH_SERVER_WS_MESSAGE_LIMIT: '4k' } });
  try {
    await waitTask(srv, admin, 1);
    await assert.rejects(open(`${srv.wsUrl}/ws`).opened, (e) => e.status === 401);
    await assert.rejects(open(`${srv.wsUrl}/ws`, { headers: { authorization: `Bearer ${admin}` } }, ['nope.v1']).opened,
      (e) => e.status === 400);
    const plainGet = await call(srv, 'GET', '/ws', { token: admin });
    assert.equal(plainGet.status, 426);

    const c = open(`${srv.wsUrl}/ws?topics=changes/demo,progress/demo`, { headers: { authorization: `Bearer ${admin}` } },
      ['codegraph.events.v1']);
    await c.opened;
    assert.equal(c.ws.protocol, 'codegraph.events.v1');
    const hello = await c.next((m) => m.type === 'hello');
    assert.equal(hello.subprotocol, 'codegraph.events.v1');
    const subd = await c.next((m) => m.type === 'subscribed');
    assert.deepEqual(subd.topics.sort(), ['changes/demo', 'progress/demo']);
    // Tokens in the URL are off by default ([server] query_token; see security.test.mjs).
    await assert.rejects(open(`${srv.wsUrl}/ws?access_token=${admin}`).opened, (e) => e.status === 401);
    const viaQuery = open(`${srv.wsUrl}/ws`, { headers: { authorization: `Bearer ${admin}` } });
    await viaQuery.opened;
    viaQuery.ws.send(JSON.stringify({ type: 'subscribe', topic: 'index/demo' }));
    await viaQuery.next((m) => m.type === 'subscribed');
    viaQuery.ws.send('not json');
    assert.equal((await viaQuery.next((m) => m.type === 'error')).code, 'bad_message');

    fs.appendFileSync(path.join(proj, 'python/shop/models.py'), '\n\ndef brand_new():\n    return 1\n');
    const t = await call(srv, 'POST', '/api/v1/projects/demo/index', { token: admin });
    const change = await c.next((m) => m.type === 'event' && m.event === 'changes');
    assert.equal(change.topic, 'changes/demo');
    const f = change.data.files.find((x) => x.path === 'python/shop/models.py');
    assert.ok(f && f.created.length === 1, JSON.stringify(change.data));
    const prog = await c.next((m) => m.type === 'event' && m.event === 'progress' && m.data.task === t.json.task);
    assert.equal(prog.data.project, 'demo');
    const done = await viaQuery.next((m) => m.type === 'event' && m.event === 'index_done');
    assert.equal(done.data.outcome, 'done');

    // A token scoped to another project cannot subscribe to this one.
    const s = open(`${srv.wsUrl}/ws`, { headers: { authorization: `Bearer ${scoped}` } });
    await s.opened;
    s.ws.send(JSON.stringify({ type: 'subscribe', topics: ['changes/demo'] }));
    assert.equal((await s.next((m) => m.type === 'error')).code, 'forbidden');
    // "changes/" (every project the token may see) is scoped to the token's project.
    s.ws.send(JSON.stringify({ type: 'subscribe', topics: ['changes/'] }));
    assert.deepEqual((await s.next((m) => m.type === 'subscribed')).topics, ['changes/other']);

    // Over the message size limit: closed with 1009.
    c.ws.send('x'.repeat(8000));
    assert.equal((await c.closed).code, 1009);

    // /graphql negotiates graphql-transport-ws and speaks its connection phase.
    const g = open(`${srv.wsUrl}/graphql`, { headers: { authorization: `Bearer ${admin}` } }, ['graphql-transport-ws']);
    await g.opened;
    assert.equal(g.ws.protocol, 'graphql-transport-ws');
    g.ws.send(JSON.stringify({ type: 'connection_init' }));
    await g.next((m) => m.type === 'connection_ack');
    g.ws.send(JSON.stringify({ type: 'connection_init' }));
    assert.equal((await g.closed).code, 4429);
    const metrics = await call(srv, 'GET', '/metrics', { token: admin });
    assert.match(metrics.body, /codegraph_ws_connections \d/);
    viaQuery.ws.close();
    s.ws.close();
  } finally {
    await srv.stop();
  }
});

test('TLS: HTTPS and WSS with a self-signed certificate', async () => {
  const dir = tempDir();
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const { cert, key } = selfSignedCert(dir);
  const admin = token(dataDir, 'admin');
  const srv = await startServer({ dataDir, args: ['--tls-cert', cert, '--tls-key', key], tls: true });
  try {
    const ca = fs.readFileSync(cert);
    const body = await new Promise((resolve, reject) => {
      https.get(`${srv.url}/api/v1/projects`, { ca, headers: { authorization: `Bearer ${admin}` } }, (res) => {
        let d = '';
        res.on('data', (x) => { d += x; });
        res.on('end', () => resolve({ status: res.statusCode, d }));
      }).on('error', reject);
    });
    assert.equal(body.status, 200);
    assert.deepEqual(JSON.parse(body.d), { projects: [] });
    await assert.rejects(new Promise((resolve, reject) => {
      https.get(`${srv.url}/health/live`, (res) => resolve(res.statusCode)).on('error', reject);
    }), /self[- ]signed/);
    const plain = await fetch(`http://127.0.0.1:${srv.port}/health/live`).then(() => 'answered', () => 'refused');
    assert.equal(plain, 'refused', 'no plain HTTP on a TLS port');
    const w = open(`${srv.wsUrl}/ws`, { ca, headers: { authorization: `Bearer ${admin}` } });
    await w.opened;
    assert.equal((await w.next((m) => m.type === 'hello')).type, 'hello');
    w.ws.close();
  } finally {
    await srv.stop();
  }
});

test('rate limits: 429 with Retry-After per key and per address', async () => {
  const dir = tempDir();
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const a = token(dataDir, 'reader');
  const b = token(dataDir, 'reader');
  const srv = await startServer({ dataDir,
    env: { CODEGRAPH_SERVER_RATE_PER_KEY: '1', CODEGRAPH_SERVER_BURST_PER_KEY: '3',
      CODEGRAPH_SERVER_RATE_PER_IP: '2', CODEGRAPH_SERVER_BURST_PER_IP: '6' } });
  try {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(srv, 'GET', '/api/v1/projects', { token: a })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await call(srv, 'GET', '/api/v1/projects', { token: a });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await call(srv, 'GET', '/api/v1/projects', { token: b })).status, 200, 'another key has its own bucket');
    const ipStatuses = [];
    for (let i = 0; i < 3; i++) ipStatuses.push((await call(srv, 'GET', '/health/live')).status);
    assert.ok(ipStatuses.includes(429), `per-address limit: ${ipStatuses}`);
  } finally {
    await srv.stop();
  }
});

test('no-auth mode only on loopback; config show reports the server settings', async () => {
  const dir = tempDir();
  const r = spawnSync(BIN, ['--data-dir', dir, 'serve', '--no-auth', '--listen', '0.0.0.0:0'], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr + r.stdout, /loopback/);
  const show = JSON.parse(cli(dir, ['--json', 'config', 'show'], { CODEGRAPH_SERVER_LISTEN: '127.0.0.1:9999', CODEGRAPH_AUTH_JWT_SECRET: 's3cret' }));
  assert.equal(show.server.listen, '127.0.0.1:9999');
  assert.equal(show.auth.jwt_secret, '(set)');
  const bad = spawnSync(BIN, ['--data-dir', dir, 'config', 'show'], { encoding: 'utf8', env: { ...process.env, CODEGRAPH_SERVER_RATE_PER_KEY: 'fast' } });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /CODEGRAPH_SERVER_RATE_PER_KEY/);
});

test('graceful shutdown: requests in flight finish, the store is flushed, exit 0', async () => {
  const dir = tempDir();
  const dataDir = path.join(dir, 'data');
  const proj = fixtureProject(dir);
  fs.mkdirSync(dataDir);
  const admin = token(dataDir, 'admin');
  const srv = await startServer({ dataDir, args: ['--project-root', `demo=${proj}`],
    env: { CODEGRAPH_SERVER_RATE_PER_KEY: '0', CODEGRAPH_SERVER_RATE_PER_IP: '0' } });
  await waitTask(srv, admin, 1);
  // Clients keep searching over fresh connections; SIGTERM arrives while they do.
  const once = (i) => new Promise((resolve) => {
    const req = http.get(`${srv.url}/api/v1/projects/demo/search?q=order%20${i}&mode=exact`,
      { agent: false, headers: { authorization: `Bearer ${admin}` } }, (res) => {
        let d = '';
        res.on('data', (x) => { d += x; });
        res.on('end', () => resolve({ status: res.statusCode, body: d, complete: res.complete }));
        res.on('error', (e) => resolve({ failed: e.code || String(e) }));
      });
    req.on('error', (e) => resolve({ failed: e.code }));
  });
  let signalled = false;
  let n = 0;
  const results = [];
  const worker = async () => {
    while (!signalled || results.filter((r) => r.failed || r.status === 503).length < 3) {
      const r = await once(n++);
      results.push({ ...r, after: signalled });
      if (r.failed === 'ECONNREFUSED') break;
    }
  };
  const workers = [worker(), worker(), worker(), worker()];
  await new Promise((r) => setTimeout(r, 400));
  signalled = true;
  srv.proc.kill('SIGTERM');
  await Promise.all(workers);
  const { code } = await srv.exited;
  assert.equal(code, 0, srv.stderr);
  let ok = 0;
  for (const r of results) {
    if (r.failed) {
      assert.ok(r.after, `failure before the signal: ${r.failed}`);
      assert.match(r.failed, /ECONNREFUSED|ECONNRESET/);
      continue;
    }
    assert.ok(r.complete, 'no answer is cut short');
    assert.ok(r.status === 200 || (r.after && r.status === 503), `status ${r.status}`);
    const j = JSON.parse(r.body);
    if (r.status === 200) { assert.ok(Array.isArray(j.hits)); ok++; } else assert.equal(j.error.code, 'shutting_down');
  }
  assert.ok(ok > 10, `answered ${ok}`);
  assert.match(srv.stderr, /shut down/);
  // The store reopens cleanly with the project in it.
  const projects = JSON.parse(cli(dataDir, ['--json', 'projects']));
  assert.ok(JSON.stringify(projects).includes('demo'));
});
