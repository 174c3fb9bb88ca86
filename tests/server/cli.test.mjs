// The CLI beside a running server (issue 18): reads open the store read-only and work
// while the server owns it; `codegraph index` hands its run to the server (found by
// <data_dir>/server.json, with the local token written there) and reports it as a
// local run would. Real binary, real server on 127.0.0.1, real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  BIN, startServer, call, cli, tempDir, fixtureProject, waitFor,
} from './harness.mjs';

function run(dataDir, args) {
  const r = spawnSync(BIN, ['--data-dir', dataDir, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function adminToken(dataDir) {
  return JSON.parse(cli(dataDir, ['--json', 'token', 'create', '--role', 'admin'])).token;
}

test('reads work and index hands its run to the server that owns the store', async () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const proj = fixtureProject(dir);
  assert.equal(run(data, ['index', proj, '--json']).code, 0);
  const admin = adminToken(data);
  const srv = await startServer({ dataDir: data });
  try {
    // server.json: the local URL and token, readable by its owner only.
    const file = path.join(data, 'server.json');
    const info = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(info.pid, srv.proc.pid);
    assert.equal(info.url, srv.url);
    assert.match(info.token, /^cgl_[0-9a-f]{48}$/);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    // Every read command while the server runs (search used to fail: store in use).
    const search = run(data, ['--json', 'search', 'apply tax to an amount']);
    assert.equal(search.code, 0, search.err);
    assert.ok(JSON.parse(search.out).hits.some((h) => h.name === 'apply_tax'), search.out);
    const vectors = run(data, ['--json', 'vectors', 'stats']);
    assert.equal(vectors.code, 0, vectors.err);
    assert.ok(JSON.parse(vectors.out).documents > 0);
    const similar = run(data, ['--json', 'similar', 'checkout']);
    assert.equal(similar.code, 0, similar.err);
    for (const args of [['stats'], ['projects'], ['symbol', 'Order'], ['callers', 'apply_tax'], ['outline', 'python/shop/models.py']]) {
      const r = run(data, ['--json', ...args]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    }
    // A rebuild writes: refused, naming the server that owns the store.
    const rebuild = run(data, ['vectors', 'rebuild']);
    assert.equal(rebuild.code, 2);
    assert.match(rebuild.err, new RegExp(`owned by a running codegraph server \\(pid ${srv.proc.pid}`));

    // index: handed to the server, followed to its end, reported as a local run.
    fs.writeFileSync(path.join(proj, 'python/shop/fresh.py'), 'def brand_new_function(x):\n    return x\n');
    const idx = run(data, ['--json', 'index', proj]);
    assert.equal(idx.code, 0, idx.err);
    const summary = JSON.parse(idx.out);
    assert.equal(summary.server, srv.url);
    assert.equal(summary.outcome, 'done');
    assert.equal(summary.files.added, 1);
    assert.ok(summary.files.unchanged > 10);
    assert.equal(summary.project_totals_error, undefined, summary.project_totals_error);
    assert.ok(summary.project_totals.nodes.total > 0);
    // The server wrote it: its own API and a fresh CLI read both see it.
    const found = await call(srv, 'GET', `/api/v1/projects/${path.basename(proj)}/search?q=brand_new_function`, { token: admin });
    assert.equal(found.status, 200);
    assert.ok(found.json.hits.some((h) => h.name === 'brand_new_function'), found.body);
    const sym = run(data, ['--json', 'symbol', 'brand_new_function']);
    assert.equal(sym.code, 0, sym.err);

    // The CLI's walk settings travel with the run: only Go files this time.
    const goOnly = run(data, ['--json', 'index', proj, '--project', 'go-only', '--lang', 'go']);
    assert.equal(goOnly.code, 0, goOnly.err);
    const g = JSON.parse(goOnly.out);
    assert.deepEqual(g.parsed.by_language.map((l) => l.language), ['go']);

    // The local token is the server's own; a made-up one is refused, and walk
    // settings are for the local CLI only.
    const fake = await call(srv, 'GET', '/api/v1/projects', { token: `cgl_${'0'.repeat(48)}` });
    assert.equal(fake.status, 401);
    assert.match(fake.json.error.message, /local token/);
    const local = await call(srv, 'GET', '/api/v1/projects', { token: info.token });
    assert.equal(local.status, 200);
    const walk = await call(srv, 'POST', '/api/v1/projects', {
      token: admin, body: { name: 'w', root: proj, walk: { follow_symlinks: true } },
    });
    assert.equal(walk.status, 403);
  } finally {
    await srv.stop();
  }
  // Stopped: the file is gone and the CLI indexes by itself again.
  assert.equal(fs.existsSync(path.join(data, 'server.json')), false);
  const alone = run(data, ['--json', 'index', proj]);
  assert.equal(alone.code, 0, alone.err);
  assert.equal(JSON.parse(alone.out).server, undefined);
});

test('a killed server leaves a stale server.json that nothing trusts', async () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const proj = fixtureProject(dir);
  const srv = await startServer({ dataDir: data, args: ['--no-auth'] });
  assert.ok(fs.existsSync(path.join(data, 'server.json')));
  await srv.stop('SIGKILL');
  assert.ok(fs.existsSync(path.join(data, 'server.json')));  // nobody removed it
  const r = run(data, ['--json', 'index', proj]);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).server, undefined);  // ran locally: the pid is gone
});

test('with --no-auth the local token still marks the CLI: only it may index a new root', async () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const proj = fixtureProject(dir);
  const other = path.join(dir, 'other');
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(other, 'm.py'), 'def only_here():\n    pass\n');
  const srv = await startServer({ dataDir: data, args: ['--no-auth', '--project-root', `fixtures=${proj}`] });
  try {
    // A web page (or anyone on the port) cannot register a root outside the registered ones.
    const anon = await call(srv, 'POST', '/api/v1/projects', { body: { name: 'other', root: other } });
    assert.equal(anon.status, 400);
    assert.match(anon.json.error.message, /registered project roots|allowed roots/);
    // The user's own CLI, holding the local token, may.
    const r = run(data, ['--json', 'index', other]);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.equal(s.server, srv.url);
    assert.equal(s.files.added, 1);
  } finally {
    await srv.stop();
  }
});

test('a CLI index leaves the co-occurrence model to the server, which learns it in the background', async () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const proj = fixtureProject(dir);
  assert.equal(run(data, ['index', proj, '-q']).code, 0);
  const before = JSON.parse(run(data, ['--json', 'vectors', 'stats']).out);
  assert.equal(before.model_pending, true);
  assert.equal(before.model_terms, 0);
  assert.match(run(data, ['vectors', 'stats']).out, /co-occurrence model pending/);
  // Searches answer meanwhile.
  const early = JSON.parse(run(data, ['--json', 'search', 'apply tax to an amount']).out);
  assert.ok(early.hits.some((h) => h.name === 'apply_tax'), JSON.stringify(early));
  const admin = adminToken(data);
  const srv = await startServer({ dataDir: data });
  try {
    await call(srv, 'POST', '/graphql', { token: admin, body: { query: '{ search(query: "checkout") { hits { node { name } } } }' } });
    // /health/ready shows the state until the server has learnt it (and rebuilt the index).
    const settled = await waitFor(async () => {
      const h = await call(srv, 'GET', '/health/ready', { token: admin });
      assert.equal(h.json.search.length, 1, h.body);
      const p = h.json.search[0];
      assert.equal(typeof p.model_pending, 'boolean', h.body);
      return p.state === 'current' && !p.model_pending && !p.index_building ? p : null;
    }, { what: 'the model learnt' });
    assert.ok(settled.documents > 0);
    const hits = await call(srv, 'POST', '/graphql', { token: admin, body: { query: '{ search(query: "apply tax to an amount") { hits { node { name } } } }' } });
    assert.ok(hits.json.data.search.hits.some((h) => h.node.name === 'apply_tax'), hits.body);
  } finally {
    await srv.stop();
  }
  // Saved by the server: the next process has it.
  const after = JSON.parse(run(data, ['--json', 'vectors', 'stats']).out);
  assert.equal(after.model_pending, false);
  assert.ok(after.model_terms > 0, JSON.stringify(after));
  assert.match(after.embedder, /\+cooc/);
  // `vectors rebuild` learns it at once too.
  const other = path.join(dir, 'data2');
  assert.equal(run(other, ['index', proj, '-q']).code, 0);
  assert.equal(run(other, ['vectors', 'rebuild', '-q']).code, 0);
  const rebuilt = JSON.parse(run(other, ['--json', 'vectors', 'stats']).out);
  assert.equal(rebuilt.model_pending, false);
  assert.equal(rebuilt.model_terms, after.model_terms);
});
