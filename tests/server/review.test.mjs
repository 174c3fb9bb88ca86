// Review impact over REST and GraphQL on a running server: a git history of real code
// (the standard library's json package with scripted commits) indexed by the CLI; the
// REST report equals the CLI's, NDJSON carries the same entries, GraphQL the same
// answer; reports are cached until something changes, and a save in watch mode shows
// up in the next report of the working tree.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startServer, call, cli, tempDir, waitFor } from './harness.mjs';

let dir, dataDir, repo, srv;
const keys = {};

const git = (...args) => execFileSync('git', ['-C', repo, '-c', 'user.name=T', '-c', 'user.email=t@example.org', ...args],
  { encoding: 'utf8' }).trim();
const edit = (rel, from, to) => {
  const p = path.join(repo, rel);
  const text = fs.readFileSync(p, 'utf8');
  assert.ok(text.includes(from), `${rel} holds ${from}`);
  // As editors save: a new file renamed over the old one (a watcher never reads half a file).
  fs.writeFileSync(`${p}.saving`, text.replace(from, to));
  fs.renameSync(`${p}.saving`, p);
};

before(async () => {
  dir = tempDir('cg-review-');
  dataDir = path.join(dir, 'data');
  repo = path.join(dir, 'repo');
  fs.mkdirSync(dataDir);
  fs.cpSync('/usr/lib/python3.11/json', path.join(repo, 'json'), { recursive: true });
  fs.rmSync(path.join(repo, 'json', '__pycache__'), { recursive: true, force: true });
  fs.mkdirSync(path.join(repo, 'tests'));
  fs.writeFileSync(path.join(repo, 'tests', 'test_roundtrip.py'),
    'import json\n\n\ndef test_dumps():\n    assert json.dumps([1]) == "[1]"\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  // 2: py_scanstring's body changes (the decoder's string scanner).
  edit('json/decoder.py', 'chunks = []', 'chunks = list()');
  git('commit', '-q', '-am', 'scanner body');
  // 3: a public signature changes.
  edit('json/encoder.py', 'def encode(self, o):', 'def encode(self, o, strict=False):');
  git('commit', '-q', '-am', 'encode takes strict');
  const root = git('rev-list', '--max-parents=0', 'HEAD');
  cli(dataDir, ['index', '--git', root, repo, '--project', 'lib', '-q', '--no-vectors']);
  cli(dataDir, ['index', '--git', `${root}..main`, repo, '--project', 'lib', '-q', '--no-vectors']);
  for (const [name, role, scope] of [['reader', 'reader', ''], ['other', 'reader', 'elsewhere']]) {
    const args = ['--json', 'token', 'create', '--role', role, '--name', name];
    if (scope) args.push('--scope-project', scope);
    keys[name] = JSON.parse(cli(dataDir, args)).token;
  }
  srv = await startServer({
    dataDir,
    args: ['--project-root', `lib=${repo}`],
    env: { CODEGRAPH_SERVER_WATCH: 'true', CODEGRAPH_SERVER_ALLOWED_ROOTS: dir, CODEGRAPH_SEARCH_VECTORS: 'false' },
  });
  await waitFor(async () => {
    const r = await call(srv, 'GET', '/api/v1/tasks', { token: keys.reader });
    return r.status === 200 && r.json.tasks.length > 0 && r.json.tasks.every((t) => t.state !== 'running');
  }, { what: 'the start-up index run' });
});

after(async () => { if (srv) await srv.stop(); });

const review = (q, token = keys.reader, headers = {}) =>
  call(srv, 'GET', `/api/v1/projects/lib/review?${q}`, { token, headers });

test('the REST report equals the CLI report, and a second request is served from the cache', async () => {
  const r = await review('base=1&target=3&depth=3');
  assert.equal(r.status, 200, r.body);
  const local = JSON.parse(cli(dataDir, ['review', '1..3', '--project', 'lib', '--json']));
  assert.deepEqual(r.json.changed, local.changed);
  assert.deepEqual(r.json.radius, local.radius);
  assert.deepEqual(r.json.risk, local.risk);
  assert.deepEqual(r.json.unowned, local.unowned);
  assert.equal(r.json.trust.linesChecked, true, 'both sides are indexed git commits of the project\'s repository');
  const names = r.json.changed.map((c) => `${c.change} ${c.qualifiedName}`);
  assert.ok(names.includes('modified json.decoder.py_scanstring'), names.join(', '));
  assert.ok(names.includes('modified json.encoder.JSONEncoder.encode'), names.join(', '));
  const encode = r.json.changed.find((c) => c.qualifiedName === 'json.encoder.JSONEncoder.encode');
  assert.equal(encode.signatureChanged, true);
  assert.match(encode.signatureAfter, /strict/);
  assert.ok(r.json.api.some((a) => a.qualifiedName === 'json.encoder.JSONEncoder.encode' && a.change === 'signature'));
  // Everything in the radius is reached from a change by a path that ends at it.
  const changedIds = new Set(r.json.changed.map((c) => c.id));
  assert.ok(r.json.radius.length > 0);
  for (const s of r.json.radius) {
    assert.equal(s.path.length, s.distance, JSON.stringify(s));
    assert.equal(s.path[0].from, s.id);
    assert.ok(changedIds.has(s.path.at(-1).to), JSON.stringify(s));
    assert.ok(s.distance >= 1 && s.distance <= 3);
  }
  // The test reaches the encoder through json.dumps, two hops away.
  const t = r.json.tests.reaching.find((x) => x.qualifiedName === 'tests.test_roundtrip.test_dumps');
  assert.ok(t, JSON.stringify(r.json.tests));
  assert.equal(t.distance, 2);
  assert.equal(t.path.at(-1).to, encode.id);
  assert.ok(encode.tests.includes(t.id));
  assert.ok(!r.json.tests.untested.includes(encode.id));
  assert.equal(r.headers.get('x-review-cache'), 'miss');
  const again = await review('base=1&target=3&depth=3');
  assert.equal(again.headers.get('x-review-cache'), 'hit');
  assert.deepEqual(again.json, r.json);
  // Another depth is another report.
  const shallow = await review('base=1&target=3&depth=1');
  assert.equal(shallow.headers.get('x-review-cache'), 'miss');
  assert.ok(shallow.json.radius.every((s) => s.distance === 1));
  assert.ok(shallow.json.radius.length < r.json.radius.length);
});

test('NDJSON carries the same entries, one per line', async () => {
  const whole = await review('base=1&target=3');
  const r = await review('base=1&target=3', keys.reader, { accept: 'application/x-ndjson' });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /ndjson/);
  const lines = r.body.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines[0].type, 'review');
  assert.deepEqual(lines[0].risk, whole.json.risk);
  assert.equal(lines.at(-1).type, 'end');
  const of = (t) => lines.filter((l) => l.type === t).map(({ type, ...rest }) => rest);
  assert.deepEqual(of('changed'), whole.json.changed);
  assert.deepEqual(of('impacted'), whole.json.radius);
  assert.deepEqual(of('test'), whole.json.tests.reaching);
  assert.deepEqual(of('api'), whole.json.api);
});

test('GraphQL answers the same report', async () => {
  const query = `query($b: String!, $t: String) { review(project: "lib", base: $b, target: $t, depth: 2) {
    project depth base { version commit } target { version }
    changed { id qualifiedName change signatureChanged signatureAfter viaMembers }
    radius { id distance exact path { from to kind resolution } }
    byDepth tests { reaching { qualifiedName } untested }
    api { qualifiedName change users { id } }
    risk { score level reasons { points reason } } trust { truncated parseErrors } totals { changed radius } } }`;
  const r = await call(srv, 'POST', '/graphql', { token: keys.reader, body: { query, variables: { b: '1', t: '3' } } });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.errors, undefined, r.body);
  const g = r.json.data.review;
  const rest = (await review('base=1&target=3&depth=2')).json;
  assert.equal(g.depth, 2);
  assert.equal(g.base.version, 1);
  assert.equal(g.target.version, 3);
  assert.equal(g.base.commit, rest.base.commit);
  assert.deepEqual(g.changed.map((c) => c.id), rest.changed.map((c) => c.id));
  assert.deepEqual(g.radius.map((s) => [s.id, s.distance]), rest.radius.map((s) => [s.id, s.distance]));
  assert.deepEqual(g.risk, rest.risk);
  assert.deepEqual(g.byDepth, rest.byDepth);
  assert.equal(g.totals.radius, rest.radius.length);
  const bad = await call(srv, 'POST', '/graphql', {
    token: keys.reader, body: { query: '{ review(project: "lib", base: "1", depth: 40) { depth } }' },
  });
  assert.ok(bad.json.errors && /depth/.test(bad.json.errors[0].message), bad.body);
});

test('bad requests get clear errors; other projects\' tokens are refused', async () => {
  const missing = await review('target=3');
  assert.equal(missing.status, 400);
  assert.match(missing.json.error.message, /base is required/);
  assert.equal((await review('base=1&depth=0')).status, 400);
  assert.equal((await review('base=1&depth=x')).status, 400);
  assert.equal((await review('base=99')).status, 404);
  assert.equal((await review('base=nosuchtag')).status, 400);  // names no version
  const none = await call(srv, 'GET', '/api/v1/projects/nope/review?base=1', { token: keys.reader });
  assert.equal(none.status, 404);
  assert.equal((await review('base=1', keys.other)).status, 403);
  assert.equal((await call(srv, 'GET', '/api/v1/projects/lib/review?base=1')).status, 401);
});

test('a save in watch mode shows up in the next report of the working tree', async () => {
  const before = await review('base=3');
  assert.equal(before.status, 200, before.body);
  const names = (j) => j.changed.map((c) => c.qualifiedName);
  assert.ok(!names(before.json).includes('json.scanner.py_make_scanner'), names(before.json).join(', '));
  edit('json/scanner.py', 'def py_make_scanner(context):', 'def py_make_scanner(context, fast=True):');
  const after = await waitFor(async () => {
    const r = await review('base=3');
    return names(r.json).includes('json.scanner.py_make_scanner') ? r : null;
  }, { what: 'the saved change in the review' });
  const c = after.json.changed.find((x) => x.qualifiedName === 'json.scanner.py_make_scanner');
  assert.equal(c.signatureChanged, true);
  assert.equal(after.json.target.version, null);
  // Reverting the save empties the report again.
  edit('json/scanner.py', 'def py_make_scanner(context, fast=True):', 'def py_make_scanner(context):');
  await waitFor(async () => {
    const r = await review('base=3');
    return r.json.changed.length === 0 ? r : null;
  }, { what: 'the reverted change leaving the review' });
});

test('reviewImpact over graphql-ws: the full report, then a save\'s update, then the revert empties it', async () => {
  const c = createClient({
    url: `${srv.wsUrl}/graphql`, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${keys.reader}` },
  });
  // The report as a subscriber keeps it: the full one, then each update applied.
  const changed = new Map(), radius = new Map();
  let messages = 0, full = null, error = null, last = null;
  const stop = c.subscribe({
    query: `subscription { reviewImpact(project: "lib", base: "3", depth: 2) {
      kind report { changed { id qualifiedName change signatureChanged } radius { id distance path { kind } } }
      changedEntered { id qualifiedName change signatureChanged } changedLeft
      radiusEntered { id distance path { kind } } radiusLeft risk { score level } totals { changed radius }
      sequence elapsedMs } }`,
  }, {
    next: (v) => {
      if (v.errors) { error = v.errors; return; }
      const m = v.data.reviewImpact;
      messages++;
      last = m;
      if (m.kind === 'full') {
        full = m;
        for (const x of m.report.changed) changed.set(x.id, x);
        for (const x of m.report.radius) radius.set(x.id, x);
      }
      for (const x of m.changedEntered) changed.set(x.id, x);
      for (const id of m.changedLeft) changed.delete(id);
      for (const x of m.radiusEntered) radius.set(x.id, x);
      for (const id of m.radiusLeft) radius.delete(id);
    },
    error: (e) => { error = e; },
    complete: () => {},
  });
  const until = (what, pred) => waitFor(() => { assert.equal(error, null, JSON.stringify(error)); return pred(); }, { what });
  try {
    await until('the full report', () => full);
    assert.equal(full.report.changed.length, 0, 'the tree is at the base');
    assert.equal(full.totals.changed, 0);
    // A save: the encoder's loop changes; its callers enter the radius.
    const t0 = Date.now();
    const line = 'if _indent is not None and not isinstance(_indent, str):';
    edit('json/encoder.py', line, line.replace(':', ' and True:'));
    const entry = await until('the change', () => [...changed.values()].find((x) => x.qualifiedName === 'json.encoder._make_iterencode'));
    const seen = Date.now() - t0;
    assert.equal(entry.change, 'modified');
    assert.equal(entry.signatureChanged, false);
    await until('JSONEncoder.iterencode, its caller, in the radius', () => [...radius.values()].some((x) => x.distance === 1));
    for (const x of radius.values()) {
      assert.ok(x.distance >= 1 && x.distance <= 2);
      assert.equal(x.path.length, x.distance);
    }
    assert.equal(last.totals.changed, changed.size);
    assert.equal(last.totals.radius, radius.size);
    console.log(`save to update: ${seen} ms (computing the report: ${last.elapsedMs.toFixed(1)} ms; ${messages} messages)`);
    // The revert empties it: what entered leaves.
    edit('json/encoder.py', line.replace(':', ' and True:'), line);
    await until('the revert', () => changed.size === 0 && radius.size === 0);
    assert.equal(last.totals.changed, 0);
    assert.equal(last.totals.radius, 0);
  } finally {
    stop();
    await c.dispose();
  }
});

test('reviewImpact refuses what it cannot serve', async () => {
  const c = createClient({
    url: `${srv.wsUrl}/graphql`, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${keys.reader}` },
  });
  const errorOf = (query) => new Promise((resolve) => {
    c.subscribe({ query }, { next: (v) => resolve(v.errors || v), error: (e) => resolve(e), complete: () => resolve('complete') });
  });
  try {
    const bad = await errorOf('subscription { reviewImpact(project: "lib", base: "99") { kind } }');
    assert.match(JSON.stringify(bad), /99|version/i);
    const deep = await errorOf('subscription { reviewImpact(project: "lib", base: "1", depth: 11) { kind } }');
    assert.match(JSON.stringify(deep), /depth/);
  } finally {
    await c.dispose();
  }
});
