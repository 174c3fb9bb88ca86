// Follow mode end to end on a real git repository (the Python standard library's json
// package, committed): `serve --follow` indexes each new commit of the branch as a
// version with its commit's metadata, keeps the branch ref on the head, and lays the
// uncommitted work tree over it (watch mode keeps it there); `index --follow` does the
// same from the CLI until SIGTERM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { startServer, call, cli, tempDir, waitFor, jsonRepo, BIN } from './harness.mjs';

let dir;
const servers = [];
const git = (repo, ...args) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

const makeRepo = (name) => jsonRepo(path.join(dir, name));

before(() => { dir = tempDir('cg-follow-'); });
after(async () => { for (const s of servers) await s.stop(); });

test('serve --follow: each commit a version, the work tree over the head', async () => {
  const repo = makeRepo('repo');
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const token = JSON.parse(cli(dataDir, ['--json', 'token', 'create', '--role', 'reader', '--name', 'r'])).token;
  const srv = await startServer({ dataDir, args: ['--follow', `lib=${repo}`] });
  servers.push(srv);
  const base = '/api/v1/projects/lib';
  const versions = async () => {
    const r = await call(srv, 'GET', `${base}/versions`, { token });
    return r.status === 200 ? r.json.versions : [];
  };
  const named = async (name, at) => (await call(srv, 'GET', `${base}/nodes?name=${name}${at ? `&at=${at}` : ''}`, { token })).json.nodes;
  await waitFor(async () => (await versions()).length === 1, { what: 'the first commit indexed' });
  const first = (await versions())[0];
  assert.equal(first.source, 'git');
  assert.equal(first.commit, git(repo, 'rev-parse', 'HEAD'));
  assert.equal(first.message.trim(), 'the json package');

  // An uncommitted change: in the newest state (watch mode), not in the head version.
  fs.appendFileSync(path.join(repo, 'json/tool.py'), '\n\ndef follow_probe(x):\n    return main()\n');
  await waitFor(async () => (await named('follow_probe')).length === 1, { what: 'the work tree overlay' });
  assert.equal((await named('follow_probe', 'head')).length, 0);

  // Committed: a new version with that commit, the branch ref on it, nothing left over.
  git(repo, 'commit', '-q', '-am', 'a probe in tool.py');
  await waitFor(async () => (await versions()).length === 2, { what: 'the second commit indexed' });
  const second = (await versions())[1];
  assert.equal(second.commit, git(repo, 'rev-parse', 'HEAD'));
  assert.equal(second.parent, first.id);
  assert.equal((await named('follow_probe', 'head')).length, 1);
  const refs = (await call(srv, 'GET', `${base}/refs`, { token })).json.refs;
  await waitFor(async () => (await call(srv, 'GET', `${base}/refs`, { token })).json.refs
    .some((r) => r.kind === 'branch' && r.name === 'main' && r.version === second.id), { what: 'branch/main on the head' });
  assert.ok(Array.isArray(refs));
  const diff = await call(srv, 'GET', `${base}/versions/head/diff/working`, { token });
  assert.equal(diff.json.nodes.length, 0, JSON.stringify(diff.json.nodes.slice(0, 3)));

  // A commit that removes a file, made elsewhere and fetched onto the branch.
  git(repo, 'rm', '-q', 'json/scanner.py');
  git(repo, 'commit', '-q', '-m', 'drop the scanner');
  await waitFor(async () => (await versions()).length === 3, { what: 'the third commit indexed' });
  const third = (await versions())[2];
  assert.equal((await named('py_make_scanner', 'head')).length, 0);
  assert.equal((await named('py_make_scanner', String(second.id))).length, 1);
  // Each commit ran as a task of the project.
  const tasks = (await call(srv, 'GET', '/api/v1/tasks', { token })).json.tasks;
  assert.ok(tasks.filter((t) => t.project === 'lib').length >= 4, JSON.stringify(tasks.map((t) => t.project)));

  // A branch from the first commit, checked out and committed to: followed from there,
  // and indexed from its nearest indexed ancestor (the graph goes back to the first
  // commit's version first): it has the scanner and not main's probe.
  git(repo, 'checkout', '-q', '-b', 'side', first.commit);
  fs.appendFileSync(path.join(repo, 'json/encoder.py'), '\n\ndef side_only(x):\n    return x\n');
  git(repo, 'commit', '-q', '-am', 'side work');
  await waitFor(async () => (await versions()).length === 4, { what: 'the side commit indexed' });
  const side = (await versions())[3];
  assert.equal(side.commit, git(repo, 'rev-parse', 'HEAD'));
  assert.deepEqual(side.gitParents, [first.id]);
  assert.equal((await named('side_only', 'head')).length, 1);
  assert.equal((await named('py_make_scanner', 'head')).length, 1);
  assert.equal((await named('follow_probe', 'head')).length, 0);
  const ran = (await call(srv, 'GET', '/api/v1/tasks', { token })).json.tasks
    .filter((t) => t.summary?.version === side.id);
  assert.equal(ran.length, 1);
  assert.equal(ran[0].summary.based_on?.version, first.id, JSON.stringify(ran[0].summary));
  assert.equal(ran[0].summary.files.changed, 1, JSON.stringify(ran[0].summary.files));  // encoder.py alone
  // The newest state (the side's clean work tree over its head) is a fresh index of it.
  await waitFor(async () => (await call(srv, 'GET', `${base}/versions/head/diff/working`, { token })).json.nodes.length === 0,
    { what: 'the work tree settled' });
  const fresh = path.join(dir, 'data-side-fresh');
  cli(fresh, ['index', repo, '--project', 'lib', '--no-vectors', '-q']);
  const lines = (d) => cli(d, ['export', '--project', 'lib']).split('\n').filter(Boolean).sort();
  const now = lines(dataDir), expected = lines(fresh);
  assert.equal(now.length, expected.length);
  assert.deepEqual(now.filter((l, i) => l !== expected[i]).slice(0, 3), []);

  // Back to main, whose tip is indexed already: no commit to index; the work tree's run
  // puts the graph back as main's version had it and parses nothing, and no version is
  // committed. Then to side again: the same, the other way.
  const tasksNow = async () => (await call(srv, 'GET', '/api/v1/tasks', { token })).json.tasks;
  const checkout = async (branch, version) => {
    const before = (await tasksNow()).length;
    git(repo, 'checkout', '-q', branch);
    const run = await waitFor(async () => (await tasksNow()).find((t, i, all) => all.length > before &&
      t.state !== 'running' && t.summary?.based_on?.version === version), { what: `the work tree of ${branch}` });
    assert.equal(run.summary.files.added + run.summary.files.changed + run.summary.files.removed, 0,
      JSON.stringify(run.summary.files));
    assert.ok(run.summary.based_on.keys > 0);
  };
  await checkout('main', third.id);
  assert.equal((await named('side_only')).length, 0);
  assert.equal((await named('follow_probe')).length, 1);
  assert.equal((await named('py_make_scanner')).length, 0);  // main dropped the scanner
  await checkout('side', side.id);
  assert.equal((await named('side_only')).length, 1);
  assert.equal((await versions()).length, 4);
  const back = lines(dataDir);
  assert.deepEqual(back.filter((l, i) => l !== expected[i]).slice(0, 3), []);
});

test('serve --follow refuses what is not a repository or a branch', async () => {
  const dataDir = path.join(dir, 'data-bad');
  fs.mkdirSync(dataDir);
  for (const [arg, message] of [[`x=${dir}/nowhere`, /not a git repository/], ['nonsense', /NAME=REPO/],
    [`x=${dir}/repo#no-such-branch`, /no branch no-such-branch/]]) {
    let failed = null;
    try {
      execFileSync(BIN, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0', '--follow', arg],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15000 });
    } catch (e) { failed = e; }
    assert.ok(failed && failed.status !== 0, `serve --follow ${arg} did not fail`);
    assert.match(`${failed.stdout}${failed.stderr}`, message);
  }
});

test('index --follow: commits as they arrive, until SIGTERM', async () => {
  const repo = makeRepo('repo-cli');
  const dataDir = path.join(dir, 'data-cli');
  const proc = spawn(BIN, ['--data-dir', dataDir, '--json', 'index', '--follow', repo, '--project', 'lib', '--no-vectors'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const events = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  await waitFor(() => events().some((e) => e.event === 'following'), { what: `the first round: ${err}` });
  fs.writeFileSync(path.join(repo, 'json/extra.py'), 'def extra_helper():\n    return 1\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'extra');
  await waitFor(() => events().filter((e) => e.event === 'commit').length === 2, { what: `the second commit: ${out}` });
  const commits = events().filter((e) => e.event === 'commit');
  assert.deepEqual(commits.map((c) => c.version), [1, 2]);
  assert.equal(commits[1].commit.sha, git(repo, 'rev-parse', 'HEAD'));
  assert.equal(commits[1].files.added, 1);
  // The store answers beside it (read-only), at each version.
  const listed = JSON.parse(cli(dataDir, ['--json', 'versions', '--project', 'lib']));
  assert.deepEqual(listed.versions.map((v) => v.summary ?? v.message?.trim()), ['the json package', 'extra']);
  proc.kill('SIGTERM');
  assert.deepEqual(await exited, { code: 0, signal: null });
});
