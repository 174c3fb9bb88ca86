// MCP end to end with the official TypeScript SDK client (@modelcontextprotocol/sdk)
// over stdio (`codegraph mcp`) and Streamable HTTP (/mcp on `codegraph serve`): every
// tool's answer checked against the CLI's --json for the same question, resources and
// a subscription that hears a save, prompts, auth failures, a cancelled long call,
// version negotiation on the raw protocol, and the MCP Inspector's CLI as a
// third-party client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { BIN, SOURCE_DIR, startServer, cli, tempDir, waitFor } from './harness.mjs';

let dir, dataDir, repo, srv, stdio, http;
const keys = {};
const J = (args) => JSON.parse(cli(dataDir, ['--json', '--project', 'fx', ...args]));
const git = (...args) => execFileSync('git', ['-C', repo, '-c', 'user.name=T', '-c', 'user.email=t@example.org', ...args],
  { encoding: 'utf8' }).trim();
const save = (rel, from, to) => {
  const p = path.join(repo, rel);
  const text = fs.readFileSync(p, 'utf8');
  assert.ok(text.includes(from));
  fs.writeFileSync(`${p}.saving`, text.replace(from, to));
  fs.renameSync(`${p}.saving`, p);
};

async function httpClient(token, name = 'http-test') {
  const c = new Client({ name, version: '1.0.0' });
  const t = new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`),
    { requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} } });
  await c.connect(t);
  return c;
}
const call = async (c, name, args, opts) => {
  const r = await c.callTool({ name, arguments: args }, undefined, opts);
  assert.equal(r.isError, false, `${name}: ${JSON.stringify(r.content)}`);
  assert.ok(r.structuredContent.fresh.seq > 0, 'every answer says how fresh it is');
  return r.structuredContent;
};
const ids = (arr) => arr.map((x) => x.id).sort();

before(async () => {
  dir = tempDir('cg-mcp-');
  dataDir = path.join(dir, 'data');
  repo = path.join(dir, 'repo');
  fs.mkdirSync(dataDir);
  fs.cpSync(path.join(SOURCE_DIR, 'tests/fixtures/python'), repo, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  save('shop/models.py', 'def apply_tax(', 'def apply_tax(rate_override=None, ');
  git('commit', '-q', '-am', 'apply_tax takes an override');
  const root = git('rev-list', '--max-parents=0', 'HEAD');
  cli(dataDir, ['index', '--git', root, repo, '--project', 'fx', '-q', '--no-vectors']);
  cli(dataDir, ['index', '--git', `${root}..main`, repo, '--project', 'fx', '-q', '--no-vectors']);
  for (const [name, role, scope] of [['reader', 'reader', ''], ['admin', 'admin', ''], ['other', 'reader', 'elsewhere']]) {
    const args = ['--json', 'token', 'create', '--role', role, '--name', name];
    if (scope) args.push('--scope-project', scope);
    keys[name] = JSON.parse(cli(dataDir, args)).token;
  }
  stdio = new Client({ name: 'stdio-test', version: '1.0.0' });
  await stdio.connect(new StdioClientTransport({ command: BIN, args: ['--data-dir', dataDir, 'mcp'], stderr: 'ignore',
    env: { ...process.env, CODEGRAPH_SEARCH_VECTORS: 'false' } }));
  srv = await startServer({
    dataDir,
    args: ['--project-root', `fx=${repo}`],
    env: { CODEGRAPH_SERVER_WATCH: 'true', CODEGRAPH_SERVER_ALLOWED_ROOTS: dir, CODEGRAPH_SEARCH_VECTORS: 'false' },
  });
  http = await httpClient(keys.reader);
});

after(async () => {
  await stdio?.close();
  await http?.close();
  await srv?.stop();
});

test('both transports list the tools with schemas and annotations; the version tools are there', async () => {
  const want = ['search_code', 'find_symbol', 'get_symbol', 'callers', 'callees', 'dependencies', 'dependents',
    'trace_path', 'outline', 'list_projects', 'project_stats', 'index_status', 'review_changes', 'diff_versions',
    'symbol_history'];
  for (const c of [stdio, http]) {
    const { tools } = await c.listTools();
    const names = tools.map((t) => t.name);
    for (const n of want) assert.ok(names.includes(n), `${n} listed`);
    assert.ok(!names.includes('index_project'), 'no index runs for a reader, nor over a read-only store');
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object');
      assert.equal(t.outputSchema.type, 'object');
      assert.equal(t.annotations.readOnlyHint, true);
    }
  }
  const admin = await httpClient(keys.admin);
  assert.ok((await admin.listTools()).tools.some((t) => t.name === 'index_project'), 'an admin may index');
  await admin.close();
  assert.equal(stdio.getServerVersion().name, 'codegraph');
  assert.ok(stdio.getServerCapabilities().resources.subscribe);
});

test('every tool answers what the CLI answers, over stdio and over HTTP alike', async () => {
  const strip = (s) => { const { fresh, ...rest } = s; return rest; };
  for (const c of [stdio, http]) {
    const hits = await call(c, 'search_code', { query: 'apply tax', limit: 5 });
    const cliHits = J(['search', 'apply tax', '-k', '5']).hits;
    assert.deepEqual(hits.hits.map((h) => h.id), cliHits.map((h) => h.id));

    const found = await call(c, 'find_symbol', { name: 'checkout', exact: true });
    assert.deepEqual(ids(found.matches), ids(J(['symbol', 'checkout', '--exact']).results));

    const sym = await call(c, 'get_symbol', { symbol: 'shop.store.checkout' });
    const cliNode = J(['node', 'shop.store.checkout']).nodes[0];
    assert.equal(sym.symbols[0].id, cliNode.id);
    assert.equal(sym.symbols[0].signature, cliNode.signature);
    assert.match(sym.symbols[0].source, /def checkout\(customer, products\):/);

    for (const dirn of ['callers', 'callees']) {
      const mine = await call(c, dirn, { symbol: 'shop.models.apply_tax', depth: 2 });
      const theirs = J([dirn, 'shop.models.apply_tax', '--depth', '2']).targets[0].results;
      assert.deepEqual(mine.results.map((r) => r.id ?? r.name).sort(),
        theirs.map((r) => r.node?.id ?? r.edge.target_name).sort(), dirn);
    }
    const callers = await call(c, 'callers', { symbol: 'shop.models.apply_tax' });
    assert.ok(callers.results.some((r) => r.name === 'shop.store.checkout' && r.via === callers.targets[0].id));

    for (const [tool, cmd] of [['dependencies', 'deps'], ['dependents', 'dependents']]) {
      const mine = await call(c, tool, { target: 'shop/models.py' });
      const theirs = J([cmd, 'shop/models.py']).results;
      assert.deepEqual(mine.results.map((r) => r.file).sort(), theirs.map((r) => r.file).sort(), tool);
    }

    const out = await call(c, 'outline', { file: 'shop/store.py' });
    assert.deepEqual(ids(out.symbols), ids(J(['outline', 'shop/store.py']).nodes.filter((n) => n.kind !== 'file')));

    const trace = await call(c, 'trace_path', { from: 'shop.store.checkout', to: 'shop.models.apply_tax' });
    assert.equal(trace.found, true);
    assert.equal(trace.path.at(-1).name, 'shop.models.apply_tax');

    const projects = await call(c, 'list_projects', {});
    assert.deepEqual(projects.projects.map((p) => [p.name, p.files, p.nodes]),
      J(['projects']).projects.map((p) => [p.name, p.files, p.nodes]));

    const stats = await call(c, 'project_stats', {});
    const cliStats = J(['stats']);
    assert.equal(stats.files, cliStats.files);
    assert.equal(Object.values(stats.nodes).reduce((a, b) => a + b, 0), cliStats.nodes.total);

    const review = await call(c, 'review_changes', { base: '1', target: '2' });
    const cliReview = J(['review', '1..2', '--format', 'json']);
    assert.deepEqual(ids(review.changed), cliReview.changed.map((x) => x.id).sort());
    assert.equal(review.risk.score, cliReview.risk.score);

    const diff = await call(c, 'diff_versions', { from: '1', to: '2' });
    const cliDiff = J(['diff', '1', '2']);
    assert.equal(diff.totals.changed, cliDiff.total.nodesChanged);
    assert.deepEqual(ids(diff.changes), cliDiff.nodes.map((n) => (n.after ?? n.before ?? n).id).sort());

    const hist = await call(c, 'symbol_history', { symbol: 'shop.models.apply_tax' });
    const blame = J(['blame', 'shop.models.apply_tax']).blame[0];
    assert.equal(hist.history[0].changed?.v ?? null, blame.changed_in?.id ?? null);
    assert.equal(hist.history[0].changed.sha.length, 12);

    const status = await call(c, 'index_status', {});
    assert.ok(Array.isArray(status.tasks));
  }
  // The same answers on both transports (freshness aside).
  const a = await call(stdio, 'callers', { symbol: 'shop.models.apply_tax', depth: 3 });
  const b = await call(http, 'callers', { symbol: 'shop.models.apply_tax', depth: 3 });
  assert.deepEqual(strip(a), strip(b));
});

test('answers are paged with next cursors and compact', async () => {
  const first = await call(stdio, 'find_symbol', { name: 'o', limit: 2 });
  assert.equal(first.matches.length, 2);
  assert.ok(first.next, 'a next cursor');
  const second = await call(stdio, 'find_symbol', { name: 'o', limit: 2, cursor: first.next });
  assert.notDeepEqual(ids(first.matches), ids(second.matches));
  const mine = JSON.stringify((await call(stdio, 'callers', { symbol: 'shop.models.apply_tax', depth: 2 })));
  const theirs = cli(dataDir, ['--json', '--project', 'fx', 'callers', 'shop.models.apply_tax', '--depth', '2']);
  assert.ok(mine.length <= theirs.length / 2, `MCP ${mine.length} bytes, CLI ${theirs.length}`);
});

test('tool failures are results an agent can act on; protocol errors are JSON-RPC errors', async () => {
  const bad = await stdio.callTool({ name: 'get_symbol', arguments: { symbol: 'chekout' } });
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /did you mean: .*checkout/);
  const noArg = await http.callTool({ name: 'callers', arguments: { depth: 99, symbol: 'x' } });
  assert.equal(noArg.isError, true);
  assert.match(noArg.content[0].text, /depth' must be from 1 to 10/);
  await assert.rejects(stdio.callTool({ name: 'no_such_tool', arguments: {} }), (e) => e.code === -32602);
  await assert.rejects(stdio.readResource({ uri: 'codegraph://fx/file/nope.py' }), (e) => e.code === -32002);
  const reader = await http.callTool({ name: 'index_project', arguments: { project: 'fx' } });
  assert.equal(reader.isError, true, 'a reader cannot index');
  const ro = await stdio.callTool({ name: 'index_project', arguments: { project: 'fx' } });
  assert.match(ro.content[0].text, /codegraph serve/);
});

test('resources, templates and prompts', async () => {
  const { resources } = await stdio.listResources();
  const models = resources.find((r) => r.uri === 'codegraph://fx/file/shop/models.py');
  assert.ok(models, 'files are resources');
  const read = await stdio.readResource({ uri: models.uri });
  assert.equal(read.contents[0].text, fs.readFileSync(path.join(repo, 'shop/models.py'), 'utf8'));
  const id = J(['symbol', 'checkout', '--exact']).results[0].id;
  const node = JSON.parse((await http.readResource({ uri: `codegraph://fx/node/${id}` })).contents[0].text);
  assert.match(node.source, /^def checkout/);
  const { resourceTemplates } = await http.listResourceTemplates();
  assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(),
    ['codegraph://{project}/file/{+path}', 'codegraph://{project}/node/{id}']);
  const { prompts } = await http.listPrompts();
  assert.ok(prompts.some((p) => p.name === 'review_working_tree'));
  const p = await http.getPrompt({ name: 'explain_symbol', arguments: { symbol: 'checkout' } });
  assert.match(p.messages[0].content.text, /get_symbol/);
});

test('a subscribed file resource is pushed when a save changes its graph', async () => {
  const c = await httpClient(keys.reader, 'subscriber');
  const updates = [];
  c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push([n.params.uri, Date.now()]));
  const uri = 'codegraph://fx/file/shop/store.py';
  await c.subscribeResource({ uri });
  await new Promise((r) => setTimeout(r, 300));  // the GET stream is open
  const t0 = Date.now();
  save('shop/store.py', 'def checkout(customer, products):', 'def checkout(customer, products, coupon=None):');
  await waitFor(() => updates.some(([u]) => u === uri), { timeout: 20000, what: 'resources/updated' });
  const sym = await call(c, 'get_symbol', { symbol: 'shop.store.checkout', source: false });
  assert.match(sym.symbols[0].signature, /coupon/, 'the next read sees the save');
  console.log(`# save -> notifications/resources/updated: ${updates[0][1] - t0} ms`);
  await c.unsubscribeResource({ uri });
  await c.close();
});

test('index_project reports progress; a cancelled call cancels its run', async () => {
  const admin = await httpClient(keys.admin, 'admin');
  const small = path.join(dir, 'email');
  fs.cpSync('/usr/lib/python3.11/email', small, { recursive: true });
  const progress = [];
  const done = await call(admin, 'index_project', { project: 'mail', path: small },
    { onprogress: (p) => progress.push(p), timeout: 120000 });
  assert.equal(done.outcome, 'done');
  assert.ok(done.files > 20);
  assert.ok(progress.length >= 1, 'progress notifications');
  assert.ok(progress.every((p, i) => i === 0 || p.progress >= progress[i - 1].progress || p.message !== progress[i - 1].message));

  const outside = await admin.callTool({ name: 'index_project', arguments: { project: 'etc', path: '/etc' } });
  assert.equal(outside.isError, true, 'a path outside the allowed roots');

  const big = path.join(dir, 'big');
  fs.cpSync('/usr/lib/python3.11', big, { recursive: true, filter: (s) => !s.includes('__pycache__') && !s.includes('site-packages') });
  const ac = new AbortController();
  const pending = admin.callTool({ name: 'index_project', arguments: { project: 'big', path: big } }, undefined,
    { signal: ac.signal, onprogress: () => ac.abort('enough'), timeout: 300000 });
  await assert.rejects(pending);
  const s = await waitFor(async () => {
    const st = await call(admin, 'index_status', { project: 'big' });
    return st.tasks[0] && st.tasks[0].state !== 'running' ? st.tasks[0] : null;
  }, { timeout: 60000, what: 'the run to stop' });
  assert.equal(s.state, 'cancelled');
  await admin.close();
});

test('HTTP: auth, scopes, origins and sessions', async () => {
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
  const post = (body, headers = {}) => fetch(`${srv.url}/mcp`, { method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } });
  assert.equal((await post(init)).status, 401);
  assert.equal((await post(init, { authorization: 'Bearer cgk_not_a_key' })).status, 401);
  assert.equal((await post(init, { authorization: `Bearer ${keys.reader}`, origin: 'http://evil.example' })).status, 403);
  const ok = await post(init, { authorization: `Bearer ${keys.reader}` });
  assert.equal(ok.status, 200);
  const sid = ok.headers.get('mcp-session-id');
  assert.match(sid, /^[0-9a-f]{32}$/);
  const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
  assert.equal((await post(list, { authorization: `Bearer ${keys.reader}` })).status, 400, 'no session id');
  assert.equal((await post(list, { authorization: `Bearer ${keys.admin}`, 'mcp-session-id': sid })).status, 404,
    'another principal cannot use the session');
  assert.equal((await post(list, { authorization: `Bearer ${keys.reader}`, 'mcp-session-id': sid,
    'mcp-protocol-version': '1999-01-01' })).status, 400);
  const del = await fetch(`${srv.url}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${keys.reader}`, 'mcp-session-id': sid } });
  assert.equal(del.status, 204);
  assert.equal((await post(list, { authorization: `Bearer ${keys.reader}`, 'mcp-session-id': sid })).status, 404);

  const metrics = await (await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${keys.reader}` } })).text();
  assert.match(metrics, /codegraph_mcp_tool_calls_total\{tool="callers",outcome="ok"\} [1-9]/);
  assert.match(metrics, /codegraph_mcp_sessions [1-9]/);

  const scoped = await httpClient(keys.other, 'scoped');
  const projects = await call(scoped, 'list_projects', {});
  assert.deepEqual(projects.projects, [], 'a token scoped elsewhere sees no project');
  const refused = await scoped.callTool({ name: 'find_symbol', arguments: { project: 'fx', name: 'checkout' } });
  assert.equal(refused.isError, true);
  await scoped.close();
});

test('stdio beside a running server relays to its /mcp: live answers, pushed updates, index runs', async () => {
  const c = new Client({ name: 'bridged', version: '1.0.0' });
  await c.connect(new StdioClientTransport({ command: BIN, args: ['--data-dir', dataDir, 'mcp'], stderr: 'ignore' }));
  try {
    assert.ok((await c.listTools()).tools.some((t) => t.name === 'index_project'), 'the server indexes');
    const updates = [];
    c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push(n.params.uri));
    const uri = 'codegraph://fx/file/shop/models.py';
    await c.subscribeResource({ uri });
    await new Promise((r) => setTimeout(r, 300));
    save('shop/models.py', 'TAX_RATE', 'TAX_RATE_BRIDGED');
    await waitFor(() => updates.includes(uri), { timeout: 20000, what: 'the pushed update through the bridge' });
    const found = await call(c, 'find_symbol', { project: 'fx', name: 'TAX_RATE_BRIDGED', exact: true });
    assert.equal(found.matches.length, 1, 'the answer comes from the live graph');
    const tree = path.join(dir, 'json-bridged');
    fs.cpSync('/usr/lib/python3.11/json', tree, { recursive: true });
    const done = await call(c, 'index_project', { project: 'bridged', path: tree }, { timeout: 120000 });
    assert.equal(done.outcome, 'done');
    // Progress through the relay, read on the raw protocol (the SDK's client drops the
    // progress that arrives in the same read as the result, as a short run's may): in
    // order, all for the call's token, the last one the run's end, then the result. A
    // re-run that changes nothing is the shortest there is.
    const raw = await rawStdio([
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {} } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call',
        params: { name: 'index_project', arguments: { project: 'bridged', path: tree }, _meta: { progressToken: 'run-2' } } }]);
    const notes = raw.filter((m) => m.method === 'notifications/progress').map((m) => m.params);
    assert.ok(notes.length >= 1, 'progress comes through the relay');
    assert.ok(notes.every((n) => n.progressToken === 'run-2'), JSON.stringify(notes));
    assert.equal(notes.at(-1).progress, notes.at(-1).total, JSON.stringify(notes));
    assert.equal(notes.at(-1).message, 'done', JSON.stringify(notes));
    const result = raw.findIndex((m) => m.id === 2);
    assert.ok(result > raw.findLastIndex((m) => m.method === 'notifications/progress'), 'the result comes last');
    assert.equal(raw[result].result.structuredContent.outcome, 'done');
    const local = await rawStdio([
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {} } },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' }], ['--local']);
    assert.ok(!local[1].result.tools.some((t) => t.name === 'index_project'), '--local reads the store here');
  } finally {
    await c.close();
  }
});

// The raw protocol over stdio: one JSON-RPC message per line.
async function rawStdio(lines, extra = []) {
  const p = spawn(BIN, ['--data-dir', dataDir, 'mcp', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { err += d; });
  for (const l of lines) p.stdin.write(typeof l === 'string' ? `${l}\n` : `${JSON.stringify(l)}\n`);
  p.stdin.end();
  const code = await new Promise((r) => p.on('exit', r));
  assert.equal(code, 0, `codegraph mcp: ${err}`);
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

test('version negotiation, batches and malformed input on the raw protocol', async () => {
  for (const v of ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '1999-01-01']) {
    const [init, call1] = await rawStdio([
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: v, capabilities: {}, clientInfo: { name: 'r', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_projects', arguments: {} } }]);
    const expect = v === '1999-01-01' ? '2025-11-25' : v;
    assert.equal(init.result.protocolVersion, expect, v);
    assert.equal('structuredContent' in call1.result, expect >= '2025-06-18', `${v}: structured content`);
  }
  const out = await rawStdio(['{not json',
    { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    { jsonrpc: '2.0', id: 2, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {} } },
    [{ jsonrpc: '2.0', id: 3, method: 'ping' }, { jsonrpc: '2.0', id: 4, method: 'nope' }],
    { jsonrpc: '2.0', id: 5, method: 'logging/setLevel', params: { level: 'loud' } }]);
  assert.equal(out[0].error.code, -32700);
  assert.equal(out[1].error.code, -32600, 'not initialized yet');
  assert.equal(out[2].result.protocolVersion, '2025-03-26');
  assert.deepEqual(out[3].map((m) => m.error?.code ?? 'ok'), ['ok', -32601]);
  assert.equal(out[4].error.code, -32602);
});

test('the MCP Inspector (CLI mode) lists and calls the tools', () => {
  const inspector = path.join(SOURCE_DIR, 'node_modules/.bin/mcp-inspector');
  const run = (...args) => JSON.parse(execFileSync(inspector, ['--cli', BIN, '--data-dir', dataDir, 'mcp', ...args],
    { encoding: 'utf8', timeout: 60000 }));
  const tools = run('--method', 'tools/list');
  assert.ok(tools.tools.some((t) => t.name === 'callers'));
  const r = run('--method', 'tools/call', '--tool-name', 'find_symbol', '--tool-arg', 'name=checkout', '--tool-arg', 'project=fx', '--tool-arg', 'exact=true');
  assert.equal(r.structuredContent.matches[0].name, 'shop.store.checkout');
});
