// A second work tree served as a layer: POST /api/v1/projects with "over" (and
// GraphQL's parseProject with input.over) lays a linked worktree of a repository over
// the project that holds its history. Its reads answer as a fresh index of that work
// tree, watch mode keeps it live, and the project under it does not move.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startServer, call, cli, tempDir, waitTask, waitFor, jsonRepo } from './harness.mjs';

let dir;
let srv;
const git = (repo, ...args) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

before(() => { dir = tempDir('cg-worktrees-'); });
after(async () => { if (srv) await srv.stop(); });

// Totals that differ when any node or edge does.
const totals = (stats) => JSON.stringify({ nodes: stats.nodes, edges: stats.edges, files: stats.files });

test('a linked worktree as a layer over REST and GraphQL, kept live by watch mode', async () => {
  const repo = jsonRepo(path.join(dir, 'repo'));
  git(repo, 'checkout', '-q', '-b', 'feature');
  fs.writeFileSync(path.join(repo, 'json', 'feature.py'),
    'from json.decoder import JSONDecoder\n\ndef feature_decode(text):\n    return JSONDecoder().decode(text)\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'a feature');
  git(repo, 'checkout', '-q', 'main');
  const wt = path.join(dir, 'wt');
  git(repo, 'worktree', 'add', '-q', wt, 'feature');

  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  cli(dataDir, ['-q', 'index', '--git', 'main', '--project', 'lib', repo]);
  const admin = JSON.parse(cli(dataDir, ['--json', 'token', 'create', '--role', 'admin', '--name', 'a'])).token;
  const reader = JSON.parse(cli(dataDir, ['--json', 'token', 'create', '--role', 'reader', '--name', 'r'])).token;
  srv = await startServer({ dataDir, env: { CODEGRAPH_SERVER_ALLOWED_ROOTS: dir } });
  const libBefore = (await call(srv, 'GET', '/api/v1/projects/lib', { token: reader })).json.stats;

  const made = await call(srv, 'POST', '/api/v1/projects', { token: admin, body: { name: 'wt', root: wt, over: 'lib' } });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  assert.equal(made.json.layer.over, 'lib');
  assert.equal(made.json.layer.commit, git(repo, 'rev-parse', 'main'));  // the fork point, indexed
  assert.equal(made.json.layer.head, git(repo, 'rev-parse', 'feature'));
  assert.equal((await waitTask(srv, admin, made.json.task)).state, 'done');
  const info = (await call(srv, 'GET', '/api/v1/projects/wt', { token: reader })).json;
  assert.equal(info.layer.over, 'lib');
  assert.equal(info.root, fs.realpathSync(wt));

  // As a fresh index of the work tree (under the base's name: ids derive from it).
  const fresh = path.join(dir, 'fresh');
  cli(fresh, ['-q', 'index', '--project', 'lib', '--no-vectors', wt]);
  const freshStats = JSON.parse(cli(fresh, ['--json', 'stats', '--project', 'lib']));
  assert.equal(totals(info.stats), totals(freshStats));
  const named = async (project, name) =>
    (await call(srv, 'GET', `/api/v1/projects/${project}/nodes?name=${name}`, { token: reader })).json.nodes;
  assert.equal((await named('wt', 'feature_decode')).length, 1);
  assert.equal((await named('lib', 'feature_decode')).length, 0);

  // Live: a save in the worktree reaches the layer, not the project under it.
  fs.appendFileSync(path.join(wt, 'json', 'decoder.py'), '\n\ndef layer_probe(s):\n    return py_scanstring(s, 0)\n');
  await waitFor(async () => (await named('wt', 'layer_probe')).length === 1, { what: 'the save in the layer' });
  assert.equal((await named('lib', 'layer_probe')).length, 0);
  const callees = await call(srv, 'GET',
    `/api/v1/projects/wt/nodes/${(await named('wt', 'layer_probe'))[0].id}/callees`, { token: reader });
  assert.ok(callees.json.results.some((r) => r.node && r.node.name === 'py_scanstring'), JSON.stringify(callees.json));
  assert.equal(totals((await call(srv, 'GET', '/api/v1/projects/lib', { token: reader })).json.stats), totals(libBefore));

  // What the worktree changes against what it lies over: REST diff and review from
  // `base` (the same as the CLI's), GraphQL diff.
  const diff = await call(srv, 'GET', '/api/v1/projects/wt/versions/base/diff/working', { token: reader });
  assert.equal(diff.status, 200, JSON.stringify(diff.json));
  assert.equal(diff.json.over, 'lib');
  const added = diff.json.nodes.filter((c) => c.change === 'added').map((c) => c.after.name);
  assert.ok(added.includes('feature_decode') && added.includes('layer_probe'), added.join(','));
  const streamed = await call(srv, 'GET', '/api/v1/projects/wt/versions/base/diff/working?stream=ndjson', { token: reader });
  const lines = streamed.body.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(lines[0].over, 'lib');
  assert.equal(lines.filter((l) => l.type === 'node').length, diff.json.nodes.length);
  const reviewed = await call(srv, 'GET', '/api/v1/projects/wt/review?base=base', { token: reader });
  assert.equal(reviewed.status, 200, JSON.stringify(reviewed.json));
  assert.ok(reviewed.json.changed.some((c) => c.name === 'layer_probe'), JSON.stringify(reviewed.json.changed));
  const gqlDiff = (await call(srv, 'POST', '/graphql', { token: reader, body: {
    query: '{ diff(project: "wt", from: "base") { from nodesAdded nodes { change after { name } } } }' } })).json;
  assert.ok(gqlDiff.data, JSON.stringify(gqlDiff));
  assert.equal(gqlDiff.data.diff.nodesAdded, added.length);
  const noVersions = await call(srv, 'GET', '/api/v1/projects/wt/versions/head/diff/working', { token: reader });
  assert.equal(noVersions.status, 400);
  assert.match(noVersions.json.error.message, /`base` names the version it lies over/);

  // GraphQL: the layer on Project, and parseProject over another project.
  const gql = async (query, token = reader) => (await call(srv, 'POST', '/graphql', { token, body: { query } })).json;
  const q = await gql('{ project(name: "wt") { layer { over version commit } } lib: project(name: "lib") { layer { over } } }');
  assert.equal(q.data.project.layer.over, 'lib');
  assert.equal(q.data.project.layer.commit, git(repo, 'rev-parse', 'main'));
  assert.equal(q.data.lib.layer, null);
  const parsed = await gql(`mutation { parseProject(input: { project: "wt2", root: ${JSON.stringify(wt)}, over: "lib" }) { taskId } }`, admin);
  assert.ok(parsed.data, JSON.stringify(parsed));
  assert.equal((await waitTask(srv, admin, Number(parsed.data.parseProject.taskId))).state, 'done');
  const both = await gql('{ a: project(name: "wt") { nodeCount } b: project(name: "wt2") { nodeCount layer { over } } }');
  assert.equal(both.data.b.layer.over, 'lib');
  assert.equal(both.data.b.nodeCount, both.data.a.nodeCount);

  // MCP: index_project with over, through the SDK's client.
  const mcp = new Client({ name: 'worktrees-test', version: '1.0.0' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`),
    { requestInit: { headers: { authorization: `Bearer ${admin}` } } }));
  const indexed = await mcp.callTool({ name: 'index_project', arguments: { project: 'wt3', path: wt, over: 'lib' } });
  assert.equal(indexed.isError, false, JSON.stringify(indexed.content));
  assert.equal(indexed.structuredContent.outcome, 'done');
  const listed = await mcp.callTool({ name: 'list_projects', arguments: {} });
  const wt3 = listed.structuredContent.projects.find((p) => p.name === 'wt3');
  assert.equal(wt3.nodes, both.data.a.nodeCount);
  const badOver = await mcp.callTool({ name: 'index_project', arguments: { project: 'wt4', path: wt, over: 'nosuch' } });
  assert.equal(badOver.isError, true);
  await mcp.close();

  // The CLI beside the server hands the layer to it.
  const viaCli = JSON.parse(cli(dataDir, ['--json', 'index', wt, '--over', 'lib', '--project', 'wt5']));
  assert.equal(viaCli.outcome, 'done', JSON.stringify(viaCli));
  const wt5 = (await call(srv, 'GET', '/api/v1/projects/wt5', { token: reader })).json;
  assert.equal(wt5.layer.over, 'lib');
  assert.equal(wt5.stats.nodes.total, both.data.a.nodeCount);

  // Bad layers: no such project under it, a directory that is no work tree, no access.
  const none = await call(srv, 'POST', '/api/v1/projects', { token: admin, body: { name: 'x', root: wt, over: 'nosuch' } });
  assert.equal(none.status, 404, JSON.stringify(none.json));
  const plain = path.join(dir, 'plain');
  fs.mkdirSync(plain);
  const notGit = await call(srv, 'POST', '/api/v1/projects', { token: admin, body: { name: 'y', root: plain, over: 'lib' } });
  assert.equal(notGit.status, 400, JSON.stringify(notGit.json));
  assert.match(notGit.json.error.message, /git work tree/);
  const byReader = await call(srv, 'POST', '/api/v1/projects', { token: reader, body: { name: 'z', root: wt, over: 'lib' } });
  assert.equal(byReader.status, 403);
  const outside = await call(srv, 'POST', '/api/v1/projects', { token: admin, body: { name: 'e', root: '/etc', over: 'lib' } });
  assert.equal(outside.status, 400);
  // The project under a layer cannot be dropped.
  const drop = await call(srv, 'DELETE', '/api/v1/projects/lib', { token: admin });
  assert.equal(drop.status, 409, JSON.stringify(drop.json));
  assert.match(drop.json.error.message, /lies under a layer/);
  assert.equal((await named('wt', 'feature_decode')).length, 1);
  // ... and keeps its search index; the layer goes, then the project under it can.
  const hits = await call(srv, 'GET', '/api/v1/projects/lib/search?q=JSONDecoder', { token: reader });
  assert.equal(hits.status, 200);
  assert.ok(hits.json.hits.length > 0, JSON.stringify(hits.json));
  for (const name of ['wt', 'wt2', 'wt3', 'wt5']) assert.equal((await call(srv, 'DELETE', `/api/v1/projects/${name}`, { token: admin })).status, 200);
  assert.equal((await call(srv, 'DELETE', '/api/v1/projects/lib', { token: admin })).status, 200);
});
