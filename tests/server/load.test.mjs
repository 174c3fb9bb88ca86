// Writes under load: a flood of createNode gets 503 + Retry-After (REST and GraphQL
// over HTTP) or a GraphQL OVERLOADED error (WebSocket) past the worker pool's queue or
// a project's graph writer bound, counted in /metrics, and loses none it accepted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startServer, call, tempDir, fixtureProject, waitFor } from './harness.mjs';

const servers = [];
after(async () => { for (const s of servers) await s.stop(); });

async function serve(env) {
  const dir = tempDir();
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const proj = fixtureProject(dir);
  const srv = await startServer({
    dataDir,
    args: ['--no-auth', '--project-root', `demo=${proj}`],
    env: {
      CODEGRAPH_SERVER_WATCH: 'false', CODEGRAPH_SERVER_RATE_PER_KEY: '0', CODEGRAPH_SERVER_RATE_PER_IP: '0',
      CODEGRAPH_SERVER_CACHE_BYTES: '0', ...env,
    },
  });
  servers.push(srv);
  await waitFor(async () => (await call(srv, 'GET', '/api/v1/tasks/1')).json?.state === 'done',
    { what: 'the first index', timeout: 60000 });
  return srv;
}

// n requests at once (fetch opens as many connections as it needs).
async function flood(srv, n, make) {
  return Promise.all(Array.from({ length: n }, async (_, i) => {
    const { p, body } = make(i);
    const res = await fetch(srv.url + p, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: res.status, retry: res.headers.get('retry-after'), json: await res.json() };
  }));
}

async function metric(srv, where) {
  const text = (await call(srv, 'GET', '/metrics')).body;
  const m = text.match(new RegExp(`codegraph_overloaded_total\\{where="${where}"\\} (\\d+)`));
  assert.ok(m, `no codegraph_overloaded_total{where="${where}"} in /metrics`);
  return Number(m[1]);
}

// Every accepted node is stored, no refused one is, and nothing else.
async function assertKept(srv, accepted, names) {
  for (const id of accepted) assert.equal((await call(srv, 'GET', `/api/v1/projects/demo/nodes/${id}`)).status, 200);
  const listed = await call(srv, 'GET', '/api/v1/projects/demo/nodes?kind=function&limit=1000');
  assert.equal(listed.status, 200, listed.body);
  assert.equal(listed.json.next_cursor, null);
  const manual = listed.json.nodes.filter((n) => names.has(n.name));
  assert.equal(manual.length, accepted.length, 'the stored manual nodes are exactly the accepted ones');
}

test('a REST flood past the worker queue gets 503 with Retry-After and loses none it accepted', async () => {
  const srv = await serve({ CODEGRAPH_SERVER_WORKER_THREADS: '1', CODEGRAPH_SERVER_WORKER_QUEUE: '4' });
  const names = new Set();
  const out = await flood(srv, 200, (i) => {
    names.add(`flood${i}`);
    return { p: '/api/v1/projects/demo/nodes', body: { name: `flood${i}`, nodeType: 'function' } };
  });
  const refused = out.filter((r) => r.status === 503);
  const accepted = out.filter((r) => r.status === 201);
  assert.equal(refused.length + accepted.length, out.length, JSON.stringify(out.find((r) => r.status !== 201 && r.status !== 503)));
  assert.ok(refused.length > 0, 'some requests were refused');
  assert.ok(accepted.length >= 4, 'the queue admitted its share');
  for (const r of refused) {
    assert.equal(r.retry, '1');
    assert.equal(r.json.error.code, 'overloaded');
  }
  assert.ok(await metric(srv, 'workers') >= refused.length);
  await assertKept(srv, accepted.map((r) => r.json.id), names);
});

test('past a graph writer\'s edit bound: 503 over HTTP (REST and GraphQL), OVERLOADED over WebSocket', async () => {
  const srv = await serve({
    CODEGRAPH_SERVER_WORKER_THREADS: '24', CODEGRAPH_SERVER_WORKER_QUEUE: '0', CODEGRAPH_SERVER_EDIT_QUEUE: '1',
  });
  const names = new Set();
  const out = await flood(srv, 120, (i) => {
    names.add(`g${i}`);
    if (i % 2) return { p: '/api/v1/projects/demo/nodes', body: { name: `g${i}`, nodeType: 'function' } };
    return {
      p: '/graphql',
      body: { query: `mutation { createNode(project: "demo", input: {nodeType: FUNCTION, name: "g${i}"}) { id } }` },
    };
  });
  const refused = out.filter((r) => r.status === 503);
  assert.ok(refused.length > 0, 'some edits were refused');
  for (const r of refused) assert.equal(r.retry, '1');
  const gqlRefused = refused.filter((r) => r.json.errors);
  for (const r of gqlRefused) assert.equal(r.json.errors[0].extensions.code, 'OVERLOADED');
  const accepted = out.filter((r) => r.status === 201 || r.status === 200)
    .map((r) => r.json.id || r.json.data?.createNode?.id);
  assert.equal(accepted.length + refused.length, out.length);
  assert.ok(accepted.every(Boolean));
  assert.ok(await metric(srv, 'graph_edits') >= refused.length);
  // Over WebSocket: a GraphQL error the client can act on, not a dropped connection.
  // Six connections at once (one connection's operations may run one after another),
  // in rounds until the bound refused some (the first round nearly always does).
  const clients = Array.from({ length: 6 }, () =>
    createClient({ url: `${srv.wsUrl}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 }));
  const wsNames = [];
  const wsRefused = [], wsAccepted = [];
  for (let round = 0; round < 5 && wsRefused.length === 0; round++) {
    const batch = Array.from({ length: 60 }, (_, i) => `w${round}_${i}`);
    wsNames.push(...batch);
    const results = await Promise.all(batch.map((name, i) => new Promise((resolve) => {
      let got;
      clients[i % clients.length].subscribe(
        { query: `mutation { createNode(project: "demo", input: {nodeType: FUNCTION, name: "${name}"}) { id } }` },
        { next: (v) => { got = v; }, error: (e) => resolve({ error: e }), complete: () => resolve(got) });
    })));
    const refusedNow = results.filter((r) => r.errors);
    for (const r of refusedNow) {
      assert.equal(r.errors[0].extensions.code, 'OVERLOADED');
      assert.equal(r.errors[0].extensions.retryAfter, 1);
    }
    const acceptedNow = results.filter((r) => r.data?.createNode?.id).map((r) => r.data.createNode.id);
    assert.equal(refusedNow.length + acceptedNow.length, results.length, JSON.stringify(results.find((r) => !r.errors && !r.data)));
    wsRefused.push(...refusedNow);
    wsAccepted.push(...acceptedNow);
  }
  await Promise.all(clients.map((c) => c.dispose()));
  assert.ok(wsRefused.length > 0, 'some WebSocket edits were refused with OVERLOADED');
  assert.ok(wsAccepted.length > 0, 'and some were accepted');
  for (const n of wsNames) names.add(n);
  await assertKept(srv, [...accepted, ...wsAccepted], names);
});
