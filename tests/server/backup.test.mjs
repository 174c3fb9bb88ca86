// Backups of a running server over REST (admin): taken while the server indexes,
// restored into a new data directory that a second server opens; the restored store
// reads exactly as the source did at the backed-up version, and its search index
// (restored, not rebuilt) answers as the source's did.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, call, cli, tempDir, waitTask } from './harness.mjs';

const LIB = '/usr/lib/python3.11';
let dir, dataDir, tree, srv;
const keys = {};
const servers = [];

// Real code: a few packages of the Python standard library, copied so that the test
// can add to the tree.
function copyPackages(into, names) {
  for (const n of names) fs.cpSync(path.join(LIB, n), path.join(into, n), { recursive: true });
}

before(async () => {
  dir = tempDir('cg-backup-');
  dataDir = path.join(dir, 'data');
  tree = path.join(dir, 'tree');
  fs.mkdirSync(dataDir);
  copyPackages(tree, ['json', 'email', 'logging']);
  for (const [name, role, scope] of [['admin', 'admin', ''], ['writer', 'writer', ''], ['reader', 'reader', ''],
    ['scoped', 'admin', 'lib']]) {
    const args = ['--json', 'token', 'create', '--role', role, '--name', name];
    if (scope) args.push('--scope-project', scope);
    keys[name] = JSON.parse(cli(dataDir, args)).token;
  }
  srv = await startServer({
    dataDir,
    args: ['--project-root', `lib=${tree}`],
    env: { CODEGRAPH_SERVER_WATCH: 'false', CODEGRAPH_SERVER_ALLOWED_ROOTS: dir },
  });
  servers.push(srv);
  assert.equal((await waitTask(srv, keys.reader, 1)).state, 'done');
});

after(async () => { for (const s of servers) await s.stop(); });

const backups = '/api/v1/admin/backups';
let exports = 0;
// The whole graph at a version, as the CLI exports it (NDJSON, to a file: megabytes).
const exportAt = (data, at) => {
  const out = path.join(dir, `export-${exports++}.ndjson`);
  cli(data, ['export', '--project', 'lib', '--at', String(at), '-o', out]);
  const text = fs.readFileSync(out, 'utf8');
  assert.ok(text.length > 1000);
  return text;
};
const searchHits = async (server, q) => {
  const r = await call(server, 'GET', `/api/v1/projects/lib/search?q=${encodeURIComponent(q)}&k=10`, { token: keys.reader });
  assert.equal(r.status, 200, r.body);
  return r.json.hits.map((h) => [h.id, h.name, h.score]);
};

test('only unscoped admins reach backups; bad ids and names are clear errors', async () => {
  for (const who of ['reader', 'writer']) {
    assert.equal((await call(srv, 'GET', backups, { token: keys[who] })).status, 403);
    assert.equal((await call(srv, 'POST', backups, { token: keys[who], body: {} })).status, 403);
  }
  const scoped = await call(srv, 'POST', backups, { token: keys.scoped, body: {} });
  assert.equal(scoped.status, 403);
  assert.match(scoped.json.error.message, /every project/);
  assert.equal((await call(srv, 'GET', backups)).status, 401);
  const empty = await call(srv, 'GET', backups, { token: keys.admin });
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.json.backups, []);
  assert.equal((await call(srv, 'POST', `${backups}/abc/verify`, { token: keys.admin })).status, 400);
  assert.equal((await call(srv, 'POST', backups, { token: keys.admin, body: { note: 7 } })).status, 400);
});

test('a backup taken while the server indexes restores to what the source held', async () => {
  const head = (await call(srv, 'GET', '/api/v1/projects/lib/versions/head', { token: keys.reader })).json.id;
  copyPackages(tree, ['asyncio', 'unittest']);
  const started = await call(srv, 'POST', '/api/v1/projects/lib/index', { token: keys.writer });
  assert.equal(started.status, 202);
  const made = await call(srv, 'POST', backups, { token: keys.admin, body: { note: 'while indexing' } });
  assert.equal(made.status, 201, made.body);
  const during = (await call(srv, 'GET', `/api/v1/tasks/${started.json.task}`, { token: keys.reader })).json.state;
  console.log('# task state when the backup answered:', during);
  assert.equal(made.json.note, 'while indexing');
  assert.ok(made.json.heads.lib >= head, JSON.stringify(made.json));
  assert.equal(made.json.search.projects, 1);
  assert.equal((await waitTask(srv, keys.reader, started.json.task)).state, 'done');

  const verified = await call(srv, 'POST', `${backups}/${made.json.id}/verify`, { token: keys.admin });
  assert.deepEqual(verified.json, { id: made.json.id, ok: true, error: '' });
  assert.equal((await call(srv, 'POST', `${backups}/99/verify`, { token: keys.admin })).status, 404);

  const restored = await call(srv, 'POST', `${backups}/${made.json.id}/restore`, { token: keys.admin, body: { name: 'during' } });
  assert.equal(restored.status, 201, restored.body);
  assert.equal(restored.json.search, 'restored');
  const target = restored.json.data_dir;
  assert.equal(target, path.join(dataDir, 'backups', 'restored', 'during'));
  // Never over an earlier restore, never outside the backup directory.
  assert.equal((await call(srv, 'POST', `${backups}/${made.json.id}/restore`, { token: keys.admin, body: { name: 'during' } })).status, 409);
  for (const name of ['../evil', '/tmp/x', '.hidden', '']) {
    const bad = await call(srv, 'POST', `${backups}/${made.json.id}/restore`, { token: keys.admin, body: { name } });
    assert.equal(bad.status, 400, name);
  }
  // The version the backup began at reads the same from the restored store (the CLI
  // reads the source beside its server).
  const at = made.json.heads.lib;
  assert.equal(exportAt(target, at), exportAt(dataDir, at), `export at version ${at} (task was ${during})`);
  const listed = JSON.parse(cli(dataDir, ['--json', 'backup', 'list', path.join(dataDir, 'backups')]));
  assert.deepEqual(listed.backups.map((b) => b.id), [made.json.id]);
});

test('a quiet backup restores a server whose search answers as the source does', async () => {
  const q = 'parse an email header address';
  const before = await searchHits(srv, q);
  assert.ok(before.length > 0);
  const made = await call(srv, 'POST', backups, { token: keys.admin, body: { note: 'quiet' } });
  assert.equal(made.status, 201, made.body);
  const restored = await call(srv, 'POST', `${backups}/${made.json.id}/restore`, { token: keys.admin, body: { name: 'quiet' } });
  assert.equal(restored.status, 201, restored.body);
  const target = restored.json.data_dir;
  assert.ok(fs.existsSync(path.join(target, 'vectors', 'lib', 'manifest.json')));
  const head = (await call(srv, 'GET', '/api/v1/projects/lib/versions/head', { token: keys.reader })).json.id;
  assert.equal(exportAt(target, head), exportAt(dataDir, head));
  // The restored data directory has no keys of its own: the source's key file comes along.
  fs.copyFileSync(path.join(dataDir, 'api_keys.json'), path.join(target, 'api_keys.json'));
  const second = await startServer({ dataDir: target, env: { CODEGRAPH_SERVER_WATCH: 'false' } });
  servers.push(second);
  assert.deepEqual(await searchHits(second, q), before);
  const versions = await call(second, 'GET', '/api/v1/projects/lib/versions', { token: keys.reader });
  assert.equal(versions.json.versions.at(-1).id, head);
  const all = await call(srv, 'GET', backups, { token: keys.admin });
  assert.deepEqual(all.json.backups.map((b) => b.note), ['while indexing', 'quiet']);
});
