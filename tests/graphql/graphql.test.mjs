// GraphQL end to end against the real server: differential tests against graphql-js
// (parser, validation, buildClientSchema of our introspection), golden files over the
// fixture project, the reference graphql-ws client, protocol violations, SSE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import {
  parse, buildSchema, validate, buildClientSchema, getIntrospectionQuery, printSchema, lexicographicSortSchema,
} from 'graphql';
import { createClient } from 'graphql-ws';
import { startServer, call, cli, tempDir, fixtureProject, waitTask, waitFor, SOURCE_DIR } from '../server/harness.mjs';

const HERE = path.join(SOURCE_DIR, 'tests/graphql');
const SDL = fs.readFileSync(path.join(SOURCE_DIR, 'schema/codegraph.graphql'), 'utf8');
let dir, dataDir, proj, srv;
const keys = {};

before(async () => {
  dir = tempDir('cg-gql-');
  dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  proj = fixtureProject(dir);
  for (const [name, role, scope] of [['writer', 'writer', ''], ['reader', 'reader', ''], ['other', 'admin', 'other']]) {
    const args = ['--json', 'token', 'create', '--role', role, '--name', name];
    if (scope) args.push('--scope-project', scope);
    keys[name] = JSON.parse(cli(dataDir, args)).token;
  }
  srv = await startServer({
    dataDir,
    args: ['--project-root', `demo=${proj}`],
    // Rate limits off: the validation cases and the /metrics polls send a few hundred
    // requests a second on one key (the limits have tests of their own: server.live).
    env: { CODEGRAPH_SERVER_ALLOWED_ROOTS: dir, CODEGRAPH_SERVER_WS_INIT_TIMEOUT_MS: '400', CODEGRAPH_SERVER_WS_SEND_BUFFER_BYTES: '65536',
      CODEGRAPH_SERVER_RATE_PER_KEY: '0', CODEGRAPH_SERVER_RATE_PER_IP: '0' },
  });
  await waitTask(srv, keys.reader, 1);
});

after(async () => { if (srv) await srv.stop(); });

const gql = (query, variables, token = keys.reader, headers = {}) =>
  call(srv, 'POST', '/graphql', { token, body: { query, variables }, headers });

const strip = (m) => m.replace(/ Did you mean .*$/, '');

test('parser: accepts and rejects what graphql-js does', async () => {
  const cases = JSON.parse(fs.readFileSync(path.join(HERE, 'parse_cases.json'), 'utf8'));
  cases.push(fs.readFileSync(path.join(HERE, 'corpus/kitchen-sink.graphql'), 'utf8'));
  let accepted = 0;
  for (const doc of cases) {
    let theirs = true;
    try { parse(doc); } catch { theirs = false; }
    const r = await gql(doc);
    assert.ok(r.json, `no JSON for ${JSON.stringify(doc)}: ${r.body}`);
    const ours = !(r.json.errors && r.json.errors[0].message.startsWith('Syntax Error'));
    assert.equal(ours, theirs, `${JSON.stringify(doc)}: graphql-js ${theirs ? 'accepts' : 'rejects'}, we ${ours ? 'accept' : 'reject'} (${r.body})`);
    if (!ours) {
      assert.equal(r.status, 400);
      assert.ok(r.json.errors[0].locations[0].line >= 1);
    }
    accepted += theirs;
  }
  assert.ok(accepted > 20 && accepted < cases.length - 20, `both kinds covered (${accepted} of ${cases.length})`);
});

test('validation: the same errors as graphql-js on invalid operations', async () => {
  const schema = buildSchema(SDL);
  const cases = JSON.parse(fs.readFileSync(path.join(HERE, 'validation_cases.json'), 'utf8'));
  let invalid = 0;
  for (const doc of cases) {
    const theirs = [...new Set(validate(schema, parse(doc)).map((e) => strip(e.message)))].sort();
    const r = await gql(doc);
    const errs = (r.json.errors || []).filter((e) => e.extensions && e.extensions.code === 'GRAPHQL_VALIDATION_FAILED');
    const ours = [...new Set(errs.map((e) => strip(e.message)))].sort();
    assert.deepEqual(ours, theirs, `${doc}\n  ours: ${JSON.stringify(ours)}\n  graphql-js: ${JSON.stringify(theirs)}`);
    if (theirs.length) invalid++;
  }
  assert.ok(invalid >= cases.length - 12, `mostly invalid operations (${invalid})`);
});

// OverlappingFieldsCanBeMerged in full: nested sub-selections, fragments spread on both
// sides and inside each other, cycles, argument order, inline fragments. Messages and
// locations (each field, then the sub-fields behind the conflict) must be graphql-js's.
test('validation: overlapping fields give graphql-js errors, locations included', async () => {
  const schema = buildSchema(SDL);
  const cases = JSON.parse(fs.readFileSync(path.join(HERE, 'overlap_cases.json'), 'utf8'));
  const norm = (errs) => errs.map((e) => JSON.stringify({
    message: strip(e.message), locations: (e.locations || []).map((l) => `${l.line}:${l.column}`),
  })).sort();
  let conflicts = 0;
  for (const doc of cases) {
    const theirs = norm(validate(schema, parse(doc)));
    const r = await gql(doc);
    const ours = norm((r.json.errors || []).filter((e) => e.extensions && e.extensions.code === 'GRAPHQL_VALIDATION_FAILED'));
    assert.deepEqual(ours, theirs, doc);
    conflicts += theirs.some((e) => e.includes(' conflict because '));
  }
  assert.ok(conflicts >= 40 && conflicts < cases.length, `both kinds covered (${conflicts} of ${cases.length})`);
});

test('introspection: buildClientSchema accepts it and it prints as our SDL', async () => {
  const r = await gql(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true,
    schemaDescription: true, inputValueDeprecation: true }));
  assert.equal(r.status, 200);
  assert.equal(r.json.errors, undefined, JSON.stringify(r.json.errors));
  const client = buildClientSchema(r.json.data);
  const want = printSchema(lexicographicSortSchema(buildSchema(SDL)));
  assert.equal(printSchema(lexicographicSortSchema(client)), want);
});

// Golden files: NAME.graphql (+ NAME.vars.json) and the expected NAME.json.
test('golden files', async () => {
  const gdir = path.join(HERE, 'golden');
  const files = fs.readdirSync(gdir).filter((f) => f.endsWith('.graphql')).sort();
  assert.ok(files.length >= 8);
  for (const f of files) {
    const base = f.slice(0, -'.graphql'.length);
    const query = fs.readFileSync(path.join(gdir, f), 'utf8');
    const varsFile = path.join(gdir, `${base}.vars.json`);
    const variables = fs.existsSync(varsFile) ? JSON.parse(fs.readFileSync(varsFile, 'utf8')) : undefined;
    const r = await gql(query, variables, keys.writer);
    const got = JSON.stringify(r.json, null, 2) + '\n';
    const want = path.join(gdir, `${base}.json`);
    if (process.env.CG_UPDATE_GOLDEN) fs.writeFileSync(want, got);
    assert.equal(got, fs.readFileSync(want, 'utf8'), `golden ${base}`);
  }
});

test('HTTP: GET queries, mutations refused on GET, auth, scopes, roles', async () => {
  const q = encodeURIComponent('{ projects { name } }');
  const get = await call(srv, 'GET', `/graphql?query=${q}`, { token: keys.reader });
  assert.equal(get.status, 200);
  assert.deepEqual(get.json.data.projects, [{ name: 'demo' }]);
  assert.equal((await call(srv, 'GET', `/graphql?query=${q}`)).status, 401);
  assert.equal((await call(srv, 'GET', `/graphql?query=${q}`, { token: 'cgk_bad_token' })).status, 401);
  const m = encodeURIComponent('mutation { deleteNode(project: "demo", id: "0000000000000001") }');
  assert.equal((await call(srv, 'GET', `/graphql?query=${m}`, { token: keys.writer })).status, 405);
  assert.equal((await call(srv, 'POST', '/graphql', { body: { query: '{ projects { name } }' } })).status, 401);
  assert.equal((await call(srv, 'POST', '/graphql', { token: keys.reader, body: '{"query": 1}' })).status, 400);
  assert.equal((await call(srv, 'POST', '/graphql', { token: keys.reader, body: 'nope' })).status, 400);
  // A reader cannot write; a token of another project sees nothing of demo.
  const w = await gql('mutation { createNode(project: "demo", input: {nodeType: FUNCTION, name: "x"}) { id } }');
  assert.equal(w.json.errors[0].extensions.code, 'FORBIDDEN');
  assert.equal(w.json.data, null);
  const other = await gql('{ projects { name } node(project: "demo", id: "0000000000000001") { id } }', {}, keys.other);
  assert.deepEqual(other.json.data.projects, []);
  assert.equal(other.json.errors[0].extensions.code, 'FORBIDDEN');
  assert.deepEqual(other.json.errors[0].path, ['node']);
  // parseFile on a project file (stores nothing; the reader role is enough).
  const pf = await gql('mutation { parseFile(input: {project: "demo", filePath: "python/shop/models.py"}) { filePath language nodes { name } } }');
  assert.equal(pf.json.data.parseFile.filePath, 'python/shop/models.py');
  assert.ok(pf.json.data.parseFile.nodes.some((n) => n.name === 'apply_tax'));
  const bin = await gql('mutation { parseFile(input: {content: "a\\u0000b", language: PYTHON}) { filePath } }');
  assert.match(bin.json.errors[0].message, /NUL/);
  // Variables: coercion errors name the variable.
  const bad = await gql('query ($n: Int!) { dependencies(project: "demo", nodeId: "1", depth: $n) { id } }', { n: 'x' });
  assert.match(bad.json.errors[0].message, /Variable "\$n" got invalid value "x"/);
  const missing = await gql('query ($n: Int!) { dependencies(project: "demo", nodeId: "1", depth: $n) { id } }', {});
  assert.match(missing.json.errors[0].message, /Variable "\$n" of required type "Int!" was not provided/);
});

function client(token, extra = {}) {
  return createClient({
    url: `${srv.wsUrl}/graphql`, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : undefined, ...extra,
  });
}

const subscriptionsStarted = async () => {
  const r = await call(srv, 'GET', '/metrics', { token: keys.reader });
  const m = /^codegraph_graphql_subscriptions_total (\S+)$/m.exec(r.body);
  if (!m) throw new Error(`no codegraph_graphql_subscriptions_total in /metrics (${r.status}): ${r.body.slice(0, 3000)}`);
  return Number(m[1]);
};

// The first n events of a subscription. onStarted (the trigger) runs once the server
// holds the subscription (its count of started ones went up), so no event comes too early.
async function firstEvents(c, query, variables, n, onStarted) {
  const streams = onStarted ? await subscriptionsStarted() : 0;
  return new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => reject(new Error(`${got.length} of ${n} events within 30 s: ${query}`)), 30000);
    const stop = c.subscribe({ query, variables }, {
      next: (v) => { got.push(v); if (got.length === n) { clearTimeout(timer); stop(); resolve(got); } },
      error: (e) => { clearTimeout(timer); reject(e); },
      complete: () => { clearTimeout(timer); resolve(got); },
    });
    if (onStarted)
      waitFor(async () => (await subscriptionsStarted()) > streams, { timeout: 10000, every: 20, what: 'the subscription to start' })
        .then(onStarted, reject);
  });
}

test('graphql-ws: nodeUpdated through a mutation, nodeCreated/nodeDeleted from saved files (watch), parseProgress of a re-index', async () => {
  const c = client(keys.writer);
  try {
    const made = await gql('mutation { createNode(project: "demo", input: {nodeType: FUNCTION, name: "liveOne", filePath: "python/x.py"}) { id manual } }', {}, keys.writer);
    assert.equal(made.json.data.createNode.manual, true);
    const id = made.json.data.createNode.id;
    const updated = await firstEvents(c, 'subscription ($p: String!) { nodeUpdated(project: $p) { project node { id name signature } } }',
      { p: 'demo' }, 1, () => gql(`mutation { updateNode(project: "demo", id: "${id}", input: {signature: "liveOne(a)"}) { id } }`, {}, keys.writer));
    assert.deepEqual(updated[0].data.nodeUpdated, { project: 'demo', node: { id, name: 'liveOne', signature: 'liveOne(a)' } });

    const deleted = await firstEvents(c, 'subscription { nodeDeleted(project: "demo") { id filePath } }', {}, 1,
      () => gql(`mutation { deleteNode(project: "demo", id: "${id}") }`, {}, keys.writer));
    assert.deepEqual(deleted[0].data.nodeDeleted, { id, filePath: '@manual' });

    // Watch mode: a file saved on disk reaches the subscriber (nodeCreated, filtered
    // by type and path glob) with no call at all.
    const created = await firstEvents(c,
      'subscription { nodeCreated(project: "demo", nodeType: [FUNCTION], filePath: "python/shop/*.py") { name nodeType filePath } }',
      {}, 1, () => fs.writeFileSync(path.join(proj, 'python/shop/fresh.py'), 'def brand_new(x):\n    return x\n\nclass Fresh:\n    pass\n'));
    assert.deepEqual(created[0].data.nodeCreated, { name: 'brand_new', nodeType: 'FUNCTION', filePath: 'python/shop/fresh.py' });
    // And a deleted file's nodes go the same way.
    const gone = await firstEvents(c, 'subscription { nodeDeleted(project: "demo", filePath: "**/fresh.py") { filePath } }',
      {}, 1, () => fs.rmSync(path.join(proj, 'python/shop/fresh.py')));
    assert.equal(gone[0].data.nodeDeleted.filePath, 'python/shop/fresh.py');

    // parseProgress for a task started by a mutation, to its end.
    const started = await gql('mutation { parseProject(input: {project: "demo"}) { taskId project } }', {}, keys.writer);
    const taskId = started.json.data.parseProject.taskId;
    const progress = await firstEvents(c, 'subscription ($t: ID) { parseProgress(taskId: $t) { taskId phase filesDone filesTotal } }',
      { t: taskId }, 1000);
    assert.ok(progress.length >= 1);
    assert.equal(progress.at(-1).data.parseProgress.phase, 'done');
    for (const p of progress) assert.equal(p.data.parseProgress.taskId, taskId);
    // Queries and search batches over the socket too.
    const q = await firstEvents(c, '{ projects { name } }', {}, 1);
    assert.deepEqual(q[0].data.projects, [{ name: 'demo' }]);
    const batches = await firstEvents(c, 'subscription { searchStream(project: "demo", query: "tax", options: {k: 5, batchSize: 2}) { index last total hits { name } } }', {}, 100);
    assert.equal(batches.length, 3);
    assert.equal(batches[2].data.searchStream.last, true);
    assert.ok(batches.flatMap((b) => b.data.searchStream.hits).some((h) => h.name === 'apply_tax'));
  } finally {
    await c.dispose();
  }
});

test('graphql-ws: auth failures and scopes', async () => {
  for (const token of [undefined, 'cgk_nope_nope']) {
    const c = client(token);
    const err = await firstEvents(c, '{ projects { name } }', {}, 1).catch((e) => e);
    assert.equal(err.code, 4403, `token ${token}`);
    await c.dispose();
  }
  const c = client(keys.other);
  const err = await firstEvents(c, 'subscription { nodeCreated(project: "demo") { id } }', {}, 1).catch((e) => e);
  assert.ok(Array.isArray(err));
  assert.match(err[0].message, /scoped to project other/);
  await c.dispose();
});

// A raw socket: every protocol violation closes with its code.
function raw(token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${srv.wsUrl}/graphql`, 'graphql-transport-ws');
    const msgs = [];
    ws.on('message', (m) => msgs.push(JSON.parse(m.toString())));
    ws.closed = new Promise((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    ws.msgs = msgs;
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
    ws.init = () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  });
}

test('graphql-transport-ws: close codes 4400, 4401, 4403, 4408, 4409, 4429', async () => {
  let ws = await raw(keys.reader);
  ws.send('not json');
  assert.equal((await ws.closed).code, 4400);
  ws = await raw(keys.reader);
  ws.send(JSON.stringify({ type: 'subscribe', id: '1', payload: { query: '{ projects { name } }' } }));
  assert.equal((await ws.closed).code, 4401);
  ws = await raw('cgk_bad_token');
  ws.init();
  assert.equal((await ws.closed).code, 4403);
  ws = await raw(keys.reader);
  assert.equal((await ws.closed).code, 4408);  // no connection_init within 400 ms
  ws = await raw(keys.reader);
  ws.init();
  ws.init();
  assert.equal((await ws.closed).code, 4429);
  ws = await raw(keys.reader);
  ws.init();
  await waitFor(() => ws.msgs.some((m) => m.type === 'connection_ack'));
  const sub = { type: 'subscribe', id: 'dup', payload: { query: 'subscription { nodeCreated(project: "demo") { id } }' } };
  ws.send(JSON.stringify(sub));
  ws.send(JSON.stringify(sub));
  assert.equal((await ws.closed).code, 4409);
  ws = await raw(keys.reader);
  ws.init();
  await waitFor(() => ws.msgs.some((m) => m.type === 'connection_ack'));
  ws.send(JSON.stringify({ type: 'subscribe', id: 'x', payload: { query: '{ nope }' } }));
  ws.send(JSON.stringify({ type: 'ping' }));
  await waitFor(() => ws.msgs.some((m) => m.type === 'error') && ws.msgs.some((m) => m.type === 'pong'));
  const e = ws.msgs.find((m) => m.type === 'error');
  assert.equal(e.id, 'x');
  assert.match(e.payload[0].message, /Cannot query field "nope"/);
  ws.send(JSON.stringify({ type: 'subscribe', id: 'y', payload: 'garbage' }));
  assert.equal((await ws.closed).code, 4400);
});

test('SSE (graphql-sse distinct connections): a subscription streams next events, then complete', async () => {
  const res = await fetch(`${srv.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.reader}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription { searchStream(project: "demo", query: "order", options: {k: 4, batchSize: 2}) { index last hits { name } } }' }),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  const text = await res.text();
  const events = text.split('\n\n').filter(Boolean).map((b) => {
    const ev = /event: (\w+)/.exec(b)[1];
    const data = b.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
    return { ev, data: data ? JSON.parse(data) : null };
  });
  assert.equal(events.at(-1).ev, 'complete');
  const nexts = events.filter((e) => e.ev === 'next');
  assert.equal(nexts.length, 2);
  assert.equal(nexts[1].data.data.searchStream.last, true);
});

test('GraphiQL is served from the pinned npm packages', async () => {
  const page = await call(srv, 'GET', '/graphiql');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  const refs = [...page.body.matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)].map((m) => m[1]);
  assert.equal(refs.length, 4);
  for (const ref of refs) {
    const r = await fetch(srv.url + ref);
    assert.equal(r.status, 200, ref);
    const body = await r.text();
    const file = ref.split('/').pop();
    const pkg = { 'graphiql.min.js': 'graphiql/graphiql.min.js', 'graphiql.min.css': 'graphiql/graphiql.min.css',
      'react.production.min.js': 'react/umd/react.production.min.js',
      'react-dom.production.min.js': 'react-dom/umd/react-dom.production.min.js' }[file];
    assert.equal(body, fs.readFileSync(path.join(SOURCE_DIR, 'node_modules', pkg), 'utf8'), ref);
  }
  assert.equal((await call(srv, 'GET', '/graphiql/..%2Fpackage.json')).status, 404);
  assert.equal((await call(srv, 'GET', '/graphiql/secret.js')).status, 404);
});

test('identical subscriptions share one stream; each member still gets every event and may leave alone', async () => {
  const made = await gql('mutation { createNode(project: "demo", input: {nodeType: CLASS, name: "Shared"}) { id } }', {}, keys.writer);
  const id = made.json.data.createNode.id;
  const q = 'subscription { nodeUpdated(project: "demo", nodeType: [CLASS], filePath: "@manual") { node { name signature } } }';
  const a = client(keys.reader), b = client(keys.writer), c = client(keys.reader);
  try {
    const bump = (sig) => gql(`mutation { updateNode(project: "demo", id: "${id}", input: {signature: "${sig}"}) { id } }`, {}, keys.writer);
    const both = Promise.all([firstEvents(a, q, {}, 1), firstEvents(b, q, {}, 1)]);
    await new Promise((r) => setTimeout(r, 300));
    await bump('one');
    const [ea, eb] = await both;
    assert.equal(ea[0].data.nodeUpdated.node.signature, 'one');
    assert.deepEqual(ea, eb);
    // a and b have left; c joins the same subscription and gets the next change.
    const ec = firstEvents(c, q, {}, 1);
    await new Promise((r) => setTimeout(r, 300));
    await bump('two');
    assert.equal((await ec)[0].data.nodeUpdated.node.signature, 'two');
  } finally {
    await Promise.all([a.dispose(), b.dispose(), c.dispose()]);
    await gql(`mutation { deleteNode(project: "demo", id: "${id}") }`, {}, keys.writer);
  }
});

test('a subscriber that falls behind gets a node\'s latest state in place of the states it missed (coalescing)', async () => {
  const made = await gql('mutation { createNode(project: "demo", input: {nodeType: CLASS, name: "Burst"}) { id } }', {}, keys.writer);
  const id = made.json.data.createNode.id;
  const coalesced = async () => Number(/^codegraph_coalesced_messages_total (\S+)$/m.exec((await call(srv, 'GET', '/metrics', { token: keys.reader })).body)[1]);
  const ws = await raw(keys.reader);
  try {
    ws.init();
    await waitFor(() => ws.msgs.some((m) => m.type === 'connection_ack'));
    ws.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: `subscription { nodeUpdated(project: "demo", nodeType: [CLASS], filePath: "@manual") { node { id docstring } } }` } }));
    await new Promise((r) => setTimeout(r, 300));
    const before = await coalesced();
    ws._socket.pause();  // the client stops reading: the kernel's buffers fill, then the server's queue
    const N = 40, big = 'x'.repeat(60 * 1024);  // under the 64 KiB field limit
    for (let i = 0; i < N; i++) {
      const r = await gql(`mutation($id: ID!, $doc: String!) { updateNode(project: "demo", id: $id, input: {docstring: $doc}) { id } }`,
        { id, doc: `${i}:${big}` }, keys.writer);
      assert.equal(r.status, 200);
      assert.ok(!r.json.errors, JSON.stringify(r.json.errors));
    }
    await waitFor(async () => (await coalesced()) > before);
    assert.match((await call(srv, 'GET', '/metrics', { token: keys.reader })).body, /^codegraph_watched_projects 1$/m);
    ws._socket.resume();
    const states = () => ws.msgs.filter((m) => m.type === 'next' && m.id === 's' && m.payload.data.nodeUpdated.node.id === id)
      .map((m) => Number(m.payload.data.nodeUpdated.node.docstring.split(':')[0]));
    await waitFor(() => states().includes(N - 1));
    const got = states();
    assert.ok(got.length < N, `every state arrived (${got.length}): nothing was coalesced`);
    assert.deepEqual(got, [...got].sort((a, b) => a - b), 'states arrive in order');
    assert.equal(got.at(-1), N - 1, 'the latest state arrives');
    assert.ok(!ws.msgs.some((m) => m.type === 'dropped'), 'nothing was dropped');
  } finally {
    ws.close();
    await gql(`mutation { deleteNode(project: "demo", id: "${id}") }`, {}, keys.writer);
  }
});

test('versions: list, one version, at: on reads (nested fields too), diff between versions', async () => {
  const q = async (query, variables) => {
    const r = await gql(query, variables);
    assert.equal(r.status, 200, r.body);
    assert.ok(!r.json.errors, JSON.stringify(r.json.errors));
    return r.json.data;
  };
  const before = (await q('{ versions(project: "demo") { id } }')).versions.length;
  assert.ok(before >= 1);
  const taxId = (await q('{ nodes(project: "demo", filter: { name: "apply_tax" }) { nodes { id } } }')).nodes.nodes[0].id;
  fs.writeFileSync(path.join(proj, 'python/shop/pricing_v.py'),
    'from shop.models import apply_tax\n\ndef total_with_tax(amount):\n    return apply_tax(amount)\n');
  const started = await call(srv, 'POST', '/api/v1/projects/demo/index', { token: keys.writer });
  assert.equal((await waitTask(srv, keys.reader, started.json.task)).state, 'done');
  const { versions } = await q('{ versions(project: "demo") { id parent gitParents source created nodes changedKeys } }');
  assert.equal(versions.length, before + 1);
  const head = versions.at(-1);
  assert.equal(head.parent, head.id - 1);
  assert.deepEqual(head.gitParents, []);  // an index run's: no commit
  assert.match(head.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal((await q('{ version(project: "demo", ref: "head~1") { id } }')).version.id, head.id - 1);
  assert.equal((await q('{ version(project: "demo", ref: "999") { id } }')).version, null);
  // The same node read now and at the version before: its callers differ, nested field included.
  const callersAt = async (at) => (await q(`query($id: ID!, $at: String) { node(project: "demo", id: $id, at: $at) { callers { name } } }`,
    { id: taxId, at })).node.callers.map((n) => n.name).sort();
  const now = await callersAt(null);
  const then = await callersAt('head~1');
  assert.ok(now.includes('total_with_tax'), JSON.stringify(now));
  assert.ok(!then.includes('total_with_tax'), JSON.stringify(then));
  assert.deepEqual(now.filter((n) => n !== 'total_with_tax'), then);
  const viaRoot = (await q(`query($id: ID!) { callers(project: "demo", nodeId: $id, at: "head~1") { name } }`, { id: taxId }))
    .callers.map((n) => n.name).sort();
  assert.deepEqual(viaRoot, then);
  const { diff } = await q('{ diff(project: "demo", from: "head~1", to: "head") { from to nodesAdded edgesAdded files { path nodesAdded } nodes { change after { name callees { name } } } edges { change type targetName } } }');
  assert.equal(diff.from, head.id - 1);
  assert.equal(diff.to, head.id);
  assert.ok(diff.nodesAdded >= 2);
  assert.ok(diff.files.some((f) => f.path === 'python/shop/pricing_v.py' && f.nodesAdded >= 2));
  const added = diff.nodes.find((c) => c.after && c.after.name === 'total_with_tax');
  assert.deepEqual(added.after.callees.map((n) => n.name), ['apply_tax']);
  assert.ok(diff.edges.some((e) => e.change === 'added' && e.type === 'CALLS' && e.targetName === 'apply_tax'));
  const bad = await gql('{ nodes(project: "demo", at: "yesterday") { nodes { id } } }');
  assert.equal(bad.json.errors[0].extensions.code, 'BAD_USER_INPUT');
  const missing = await gql('{ files(project: "demo", at: "999") { path } }');
  assert.equal(missing.json.errors[0].extensions.code, 'NOT_FOUND');
  fs.rmSync(path.join(proj, 'python/shop/pricing_v.py'));
});

test('transactions: applyEdits is one version, all or none; versionCreated streams each version', async () => {
  const w = (query, variables) => gql(query, variables, keys.writer);
  const q = async (query, variables) => {
    const r = await w(query, variables);
    assert.equal(r.status, 200, r.body);
    assert.ok(!r.json.errors, JSON.stringify(r.json.errors));
    return r.json.data;
  };
  const versionsNow = async () => (await q('{ versions(project: "demo") { id source message } }')).versions;
  const old = (await q('mutation { createNode(project: "demo", input: {nodeType: FUNCTION, name: "txOld"}) { id } }')).createNode.id;
  const before = await versionsNow();
  const edits = [
    { create: { nodeType: 'FUNCTION', name: 'txNew', signature: 'txNew()' } },
    { id: old, update: { signature: 'txOld(a)' } },
  ];
  const c = client(keys.reader);
  let applied;
  try {
    const events = await firstEvents(c, 'subscription { versionCreated(project: "demo") { id source message parent } }', {}, 1,
      () => {
        applied = q(`mutation ($e: [EditInput!]!) { applyEdits(project: "demo", edits: $e, message: "two edits") {
          nodes { id name signature manual } deleted version { id source message parent } } }`, { e: edits });
      });
    applied = await applied;  // the event may come before the mutation's answer
    const { version } = applied.applyEdits;
    assert.equal(version.source, 'edit');
    assert.equal(version.message, 'two edits');
    assert.equal(version.parent, before.at(-1).id);
    assert.deepEqual(events[0].data.versionCreated, version);
  } finally {
    await c.dispose();
  }
  const [made, changed] = applied.applyEdits.nodes;
  assert.deepEqual([made.name, made.signature, made.manual], ['txNew', 'txNew()', true]);
  assert.deepEqual([changed.id, changed.signature], [old, 'txOld(a)']);
  const after = await versionsNow();
  assert.equal(after.length, before.length + 1);
  // The version before the transaction has neither change; the new one both.
  const at = async (ref) => (await q(`query($id: ID!, $at: String) { node(project: "demo", id: $id, at: $at) { signature } }`,
    { id: made.id, at: ref })).node;
  assert.equal(await at('head~1'), null);
  assert.deepEqual(await at('head'), { signature: 'txNew()' });
  // Each single mutation is a version of its own: txOld's creation is the one before.
  assert.equal((await q(`{ node(project: "demo", id: "${old}", at: "head~1") { signature } }`)).node.signature, null);
  assert.equal(after.at(-2).source, 'edit');

  // Blame: txOld was created by its own mutation and changed by the transaction.
  const { blame } = await q(`{ blame(project: "demo", id: "${old}") { id createdIn { id source } changedIn { id message } uncommittedChange
    renames { version { id } fromId fromFile fromName } } }`);
  assert.deepEqual(blame, { id: old, createdIn: { id: after.at(-2).id, source: 'edit' },
    changedIn: { id: after.at(-1).id, message: 'two edits' }, uncommittedChange: false, renames: [] });
  assert.equal((await q('{ blame(project: "demo", id: "00000000000000ab") { id } }')).blame, null);
  // Refs: a tag names the version before the transaction; reads take it as at:.
  const tagged = await q('mutation { setRef(project: "demo", kind: TAG, name: "gql-before", version: "head~1") { kind name version } }');
  assert.deepEqual(tagged.setRef, { kind: 'tag', name: 'gql-before', version: after.at(-2).id });
  assert.ok((await q('{ refs(project: "demo") { kind name version } }')).refs
    .some((r) => r.name === 'gql-before' && r.version === after.at(-2).id));
  assert.equal((await q(`{ node(project: "demo", id: "${made.id}", at: "gql-before") { id } }`)).node, null);
  const moved = await w('mutation { setRef(project: "demo", kind: TAG, name: "gql-before") { version } }');
  assert.equal(moved.json.errors[0].extensions.code, 'CONFLICT');
  assert.equal((await q('mutation { setRef(project: "demo", kind: TAG, name: "gql-before", force: true) { version } }'))
    .setRef.version, after.at(-1).id);
  const badName = await w('mutation { setRef(project: "demo", kind: BRANCH, name: "a~b") { version } }');
  assert.equal(badName.json.errors[0].extensions.code, 'BAD_USER_INPUT');
  assert.equal((await gql('mutation { deleteRef(project: "demo", kind: TAG, name: "gql-before") }')).json.errors[0].extensions.code,
    'FORBIDDEN');
  assert.equal((await q('mutation { deleteRef(project: "demo", kind: TAG, name: "gql-before") }')).deleteRef, true);
  assert.equal((await q('mutation { deleteRef(project: "demo", kind: TAG, name: "gql-before") }')).deleteRef, false);
  // All or none: the second edit names no node, so the first is not applied either.
  const failed = await w(`mutation { applyEdits(project: "demo", edits: [
    {create: {nodeType: FUNCTION, name: "txNever"}}, {delete: "00000000000000ab"}]) { version { id } } }`);
  assert.equal(failed.json.errors[0].extensions.code, 'NOT_FOUND');
  assert.match(failed.json.errors[0].message, /edit 1/);
  assert.equal((await q('{ nodes(project: "demo", filter: { name: "txNever" }) { nodes { id } } }')).nodes.nodes.length, 0);
  assert.equal((await versionsNow()).length, after.length);
  // A parsed node is not the API's to change, inside a transaction too.
  const parsed = (await q('{ nodes(project: "demo", filter: { name: "apply_tax" }) { nodes { id } } }')).nodes.nodes[0].id;
  const refused = await w(`mutation { applyEdits(project: "demo", edits: [{delete: "${parsed}"}]) { version { id } } }`);
  assert.equal(refused.json.errors[0].extensions.code, 'BAD_USER_INPUT');
  // Malformed edits and roles.
  for (const bad of ['[]', `[{create: {nodeType: FUNCTION, name: "x"}, delete: "${old}"}]`, '[{update: {name: "y"}}]', '[{}]']) {
    const r = await w(`mutation { applyEdits(project: "demo", edits: ${bad}) { version { id } } }`);
    assert.equal(r.json.errors[0].extensions.code, 'BAD_USER_INPUT', bad);
  }
  const reader = await gql(`mutation { applyEdits(project: "demo", edits: [{delete: "${old}"}]) { deleted } }`);
  assert.equal(reader.json.errors[0].extensions.code, 'FORBIDDEN');
  // Deletions answer null in nodes and their ids in deleted.
  const gone = await q(`mutation { applyEdits(project: "demo", edits: [{delete: "${old}"}, {delete: "${made.id}"}]) { nodes { id } deleted } }`);
  assert.deepEqual(gone.applyEdits, { nodes: [null, null], deleted: [old, made.id] });
});
