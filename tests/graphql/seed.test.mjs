// A client written against the design documents' GraphQL schema (issue 18): root
// fields without `project` when the answer is unambiguous, Node.metadata,
// Relationship.metadata and Node.embeddings filled, GET /health. Real server,
// graphql-ws's reference client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { BIN, startServer, call, cli, tempDir, fixtureProject, waitTask } from '../server/harness.mjs';

let dir, dataDir, proj, srv;
const keys = {};

before(async () => {
  dir = tempDir('cg-seed-');
  dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  proj = fixtureProject(dir);
  for (const [name, role, scope] of [['admin', 'admin', ''], ['writer', 'writer', ''], ['scoped', 'reader', 'second']]) {
    const args = ['--json', 'token', 'create', '--role', role, '--name', name];
    if (scope) args.push('--scope-project', scope);
    keys[name] = JSON.parse(cli(dataDir, args)).token;
  }
  srv = await startServer({ dataDir, args: ['--project-root', `demo=${proj}`], env: { CODEGRAPH_SERVER_ALLOWED_ROOTS: dir } });
  await waitTask(srv, keys.admin, 1);
});

after(async () => { if (srv) await srv.stop(); });

const gql = (query, token = keys.admin) => call(srv, 'POST', '/graphql', { token, body: { query } });

test('GET /health answers as /health/ready', async () => {
  const r = await call(srv, 'GET', '/health');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, (await call(srv, 'GET', '/health/ready')).json);
  assert.deepEqual(r.json, { status: 'ready' });  // a probe without a token learns no project names
  // With a token: each visible project's search state.
  await gql('{ search(query: "checkout") { hits { node { name } } } }');  // loads demo's search state
  const detail = await call(srv, 'GET', '/health', { token: keys.admin });
  const demo = detail.json.search.find((p) => p.project === 'demo');
  assert.ok(demo, detail.body);
  assert.ok(['current', 'behind', 'updating'].includes(demo.state), detail.body);
  assert.equal(typeof demo.index_building, 'boolean');
  const scoped = await call(srv, 'GET', '/health/ready', { token: keys.scoped });
  assert.ok(scoped.json.search.every((p) => p.project === 'second'), scoped.body);
});

test('one project: the design documents\' queries work without project', async () => {
  const s = await gql('{ search(query: "apply tax") { hits { node { id name filePath } } } }');
  assert.equal(s.json.errors, undefined, s.body);
  const hit = s.json.data.search.hits.find((h) => h.node.name === 'apply_tax');
  assert.ok(hit, s.body);
  const id = hit.node.id;
  const q = `{ node(id: "${id}") { id nodeType name filePath lineNumber endLine parent { id }
      metadata relationships(types: [CALLS, REFERENCES, IMPORTS], direction: INCOMING) { id type source { name } target { name } sites { line } metadata }
      embeddings }
    callers(nodeId: "${id}") { name }
    dependents(nodeId: "${id}") { name }
    nodes(filter: {nodeType: [FUNCTION]}, pagination: {first: 5}) { nodes { name } }
    files { path }
    outline(filePath: "python/shop/models.py") { name } }`;
  const r = await gql(q);
  assert.equal(r.json.errors, undefined, r.body);
  const n = r.json.data.node;
  assert.equal(n.name, 'apply_tax');
  // metadata: the span holds the name's line; the parent and hash are the node's.
  const m = n.metadata;
  assert.ok(m.span.startLine <= n.lineNumber && n.lineNumber <= m.span.endLine, JSON.stringify(m));
  assert.equal(m.span.endLine, n.endLine);
  assert.ok(m.span.endByte > m.span.startByte);
  assert.match(m.contentHash, /^[0-9a-f]{16}$/);
  assert.equal(m.parentId, n.parent.id);
  assert.ok(Array.isArray(m.modifiers));
  // Relationship.metadata agrees with the edge it describes.
  assert.ok(n.relationships.length > 0, r.body);
  for (const rel of n.relationships) {
    assert.equal(rel.metadata.siteCount, rel.sites.length);
    assert.equal(rel.metadata.resolved, rel.target !== null);
    if (rel.sites.length) assert.equal(rel.metadata.firstSite.line, rel.sites[0].line);
  }
  // embeddings: the search index's vector (dimension as the CLI reports it, unit length).
  const stats = JSON.parse(spawnSync(BIN, ['--data-dir', dataDir, '--json', 'vectors', 'stats'], { encoding: 'utf8' }).stdout);
  assert.equal(n.embeddings.length, stats.dimension);
  const norm = Math.sqrt(n.embeddings.reduce((a, x) => a + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-3, `norm ${norm}`);
  assert.ok(r.json.data.callers.some((c) => c.name === 'checkout'), r.body);
  assert.ok(r.json.data.nodes.nodes.length > 0);
  assert.ok(r.json.data.files.some((f) => f.path === 'python/shop/models.py'));
  assert.ok(r.json.data.outline.some((o) => o.name === 'apply_tax'));
  // The node's nearest neighbour by its own embedding is in similarNodes too.
  const sim = await gql(`{ similarNodes(nodeId: "${id}", k: 3) { node { name } score } }`);
  assert.equal(sim.json.errors, undefined, sim.body);
  // A mutation without project, as a writer.
  const made = await gql('mutation { createNode(input: {nodeType: FUNCTION, name: "seedMade"}) { id project metadata embeddings } }', keys.writer);
  assert.equal(made.json.errors, undefined, made.body);
  assert.equal(made.json.data.createNode.project, 'demo');
});

test('two projects: project is required unless the token is scoped', async () => {
  const second = path.join(dir, 'second');
  fs.mkdirSync(second);
  fs.writeFileSync(path.join(second, 'only.py'), 'def only_in_second():\n    return 2\n');
  const p = await gql(`mutation { parseProject(input: {project: "second", root: "${second}"}) { taskId } }`);
  assert.equal(p.json.errors, undefined, p.body);
  await waitTask(srv, keys.admin, Number(p.json.data.parseProject.taskId));

  const amb = await gql('{ nodes { nodes { name } } }');
  assert.equal(amb.json.errors[0].extensions.code, 'BAD_USER_INPUT');
  assert.match(amb.json.errors[0].message, /project is required: this server holds 2 projects \(demo, second\)/);
  // Named, it works as before.
  const named = await gql('{ nodes(project: "second") { nodes { name } } }');
  assert.ok(named.json.data.nodes.nodes.some((x) => x.name === 'only_in_second'), named.body);
  // A token scoped to one project needs no project; naming another is refused.
  const scoped = await gql('{ nodes { nodes { name } } }', keys.scoped);
  assert.equal(scoped.json.errors, undefined, scoped.body);
  assert.ok(scoped.json.data.nodes.nodes.some((x) => x.name === 'only_in_second'));
  const other = await gql('{ nodes(project: "demo") { nodes { name } } }', keys.scoped);
  assert.equal(other.json.errors[0].extensions.code, 'FORBIDDEN');
});

test('node subscriptions without project cover every project the caller may see', async () => {
  const open = (token) => {
    const events = [];
    const client = createClient({
      url: `${srv.wsUrl}/graphql`, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const done = new Promise((resolve, reject) => {
      client.subscribe({ query: 'subscription { nodeCreated(nodeType: [FUNCTION]) { name project } }' }, {
        next: (v) => events.push(v), error: reject, complete: resolve,
      });
    });
    done.catch(() => {});
    return { client, events };
  };
  const all = open(keys.admin);
  const scoped = open(keys.scoped);
  await new Promise((r) => setTimeout(r, 300));
  for (const project of ['demo', 'second']) {
    const r = await gql(`mutation { createNode(project: "${project}", input: {nodeType: FUNCTION, name: "sub_${project}"}) { id } }`, keys.writer);
    assert.equal(r.json.errors, undefined, r.body);
  }
  const deadline = Date.now() + 10000;
  while (all.events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 200));
  const seen = (s) => s.events.map((e) => `${e.data.nodeCreated.project}:${e.data.nodeCreated.name}`).sort();
  assert.deepEqual(seen(all), ['demo:sub_demo', 'second:sub_second']);
  assert.deepEqual(seen(scoped), ['second:sub_second']);  // its scope only
  all.client.dispose();
  scoped.client.dispose();
});
