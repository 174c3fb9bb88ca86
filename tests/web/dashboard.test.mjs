// The dashboard in a real Chromium (Debian's), against a server started here on a free
// port with a real project (the standard library's json package and the Python
// fixture) in watch mode and with auth on. Every view loads with no console errors and
// is screenshotted (CODEGRAPH_ARTIFACTS, default build/release/artifacts/dashboard);
// sign-in takes the key and shows a refused one; a function appended to a watched file
// shows in the activity feed within a second; search streams its first batch; the
// symbol page lists the callers REST lists and draws its graph; review and versions
// render; the page reconnects by itself after the server restarts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, call, cli, tempDir, waitFor, jsonRepo, SOURCE_DIR } from '../server/harness.mjs';
import { launchBrowser } from '../server/browser.mjs';

const ART = process.env.CODEGRAPH_ARTIFACTS || path.join(SOURCE_DIR, 'build/release/artifacts/dashboard');
let dir, dataDir, tree, srv, browser, page, key;
const shot = (name) => page.screenshot(path.join(ART, `${name}.png`));

before(async () => {
  dir = tempDir('cg-dashboard-');
  dataDir = path.join(dir, 'data');
  tree = path.join(dir, 'tree');
  fs.mkdirSync(dataDir);
  fs.cpSync('/usr/lib/python3.11/json', path.join(tree, 'json'), { recursive: true });
  fs.cpSync(path.join(SOURCE_DIR, 'tests/fixtures/python/shop'), path.join(tree, 'shop'), { recursive: true });
  fs.rmSync(path.join(tree, 'json', '__pycache__'), { recursive: true, force: true });
  // A version to review against, then the server on the same store.
  cli(dataDir, ['index', tree, '--project', 'demo', '-q']);
  // A second version: a function added.
  fs.appendFileSync(path.join(tree, 'shop', 'models.py'), '\n\ndef discount(amount):\n    return apply_tax(amount) * 0.9\n');
  cli(dataDir, ['index', tree, '--project', 'demo', '-q']);
  // A repository indexed from git, and a linked worktree of it laid over it as a layer.
  const repo = jsonRepo(path.join(dir, 'lib'));
  execFileSync('git', ['-C', repo, 'worktree', 'add', '-q', '-b', 'feature', path.join(dir, 'lib-wt')]);
  cli(dataDir, ['index', '--git', 'HEAD', repo, '--project', 'lib', '-q']);
  cli(dataDir, ['index', path.join(dir, 'lib-wt'), '--over', 'lib', '--project', 'lib-wt', '-q']);
  key = JSON.parse(cli(dataDir, ['--json', 'token', 'create', '--role', 'writer', '--name', 'browser'])).token;
  srv = await startServer({
    dataDir, args: ['--project-root', `demo=${tree}`],
    env: { CODEGRAPH_SERVER_WATCH: 'true', CODEGRAPH_SERVER_ALLOWED_ROOTS: dir },
  });
  await waitFor(async () => {
    const r = await call(srv, 'GET', '/api/v1/tasks', { token: key });
    return r.status === 200 && r.json.tasks.length > 0 && r.json.tasks.every((t) => t.state !== 'running');
  }, { what: 'the start-up index run' });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.viewport(1280, 800);
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const text = () => page.eval('document.body.innerText');
const noErrors = (what) => assert.deepEqual(page.errors.filter((e) => !/WebSocket|ERR_CONNECTION/.test(e)), [], what);
// Types into an input as a person would (Preact listens to input events).
const type = (selector, value) => page.eval(`(() => { const el = document.querySelector(${JSON.stringify(selector)});
  el.focus(); el.value = ${JSON.stringify(value)}; el.dispatchEvent(new Event('input', { bubbles: true })); return true; })()`);
const click = (selector) => page.eval(`(() => { document.querySelector(${JSON.stringify(selector)}).click(); return true; })()`);
const linkTo = (href) => page.eval(`(() => { const a = [...document.querySelectorAll('a')].find((x) => x.getAttribute('href') === ${JSON.stringify(href)});
  a.click(); return true; })()`);

test('the page and its files are served: / and deep links, gzip, a strict content policy', async () => {
  for (const p of ['/', '/activity', '/p/demo/search', '/p/demo/node/0123456789abcdef']) {
    const r = await call(srv, 'GET', p);
    assert.equal(r.status, 200, p);
    assert.match(r.body, /<div id="app"/);
    assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  }
  const js = await fetch(`${srv.url}/app/app.js`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-encoding'), 'gzip');
  const gz = Number(js.headers.get('content-length'));
  assert.ok(gz > 10000 && gz <= 250 * 1024, `the initial JS is ${gz} bytes gzipped (budget 250 KB)`);
  assert.equal((await call(srv, 'GET', '/app/nope.js')).status, 404);
  // The source route reads within the project's root only.
  const ok = await call(srv, 'GET', '/api/v1/projects/demo/source?path=shop/models.py&start=43&end=44', { token: key });
  assert.equal(ok.status, 200, ok.body);
  assert.match(ok.json.lines[0], /def apply_tax/);
  for (const bad of ['../data/server.json', '/etc/passwd', 'shop/../../data/server.json'])
    assert.equal((await call(srv, 'GET', `/api/v1/projects/demo/source?path=${encodeURIComponent(bad)}`, { token: key })).status, 400, bad);
  assert.equal((await call(srv, 'GET', '/api/v1/projects/demo/source?path=shop/none.py', { token: key })).status, 404);
  assert.equal((await call(srv, 'GET', '/api/v1/projects/demo/source?path=shop/models.py')).status, 401);
});

test('sign-in: a refused key says so, the right one opens the projects overview', async () => {
  const t0 = Date.now();
  await page.goto(srv.url + '/');
  await page.waitFor(`document.querySelector('#key') !== null`, { what: 'the sign-in form' });
  const firstRender = Date.now() - t0;
  await shot('signin');
  await type('#key', 'cg_not_a_key');
  await click('.signin button[type=submit]');
  await page.waitFor(`document.querySelector('#signin-error')?.innerText.includes('refused')`, { what: 'the refusal' });
  await type('#key', key);
  await click('.signin button[type=submit]');
  await page.waitFor(`document.querySelector('.project h2')?.innerText === 'demo'`, { what: 'the project card' });
  await page.waitFor(`document.querySelector('.facts')`, { what: 'the statistics' });
  const t = await text();
  assert.match(t, /definitions/i);
  assert.match(t, /python/);
  assert.match(t, /watching/, 'watch mode is on for the project');
  // The worktree's card says what it lies over and links to that project's versions.
  await page.waitFor(`[...document.querySelectorAll('.project')].some((c) => c.innerText.includes('layer over lib v1'))`,
    { what: 'the layer chip' });
  assert.ok(await page.eval(`[...document.querySelectorAll('a')].some((a) => a.getAttribute('href') === '/p/lib/versions'
    && a.innerText === 'Versions of lib')`), 'the layer links to the versions of the project under it');
  await page.waitFor(`document.querySelector('.status')?.dataset.state === 'live'`, { what: 'the live connection' });
  await shot('projects');
  noErrors('projects');
  console.log(`first render of the sign-in: ${firstRender} ms`);
});

test('activity: a function appended to a watched file shows within a second', async () => {
  await linkTo('/activity');
  await page.waitFor(`document.querySelector('#activity-title')`, { what: 'the feed' });
  await new Promise((r) => setTimeout(r, 300));  // the subscriptions start
  const file = path.join(tree, 'shop', 'store.py');
  const t0 = Date.now();
  fs.writeFileSync(`${file}.saving`, fs.readFileSync(file, 'utf8') + '\n\ndef dashboard_probe(x):\n    return checkout(x, [])\n');
  fs.renameSync(`${file}.saving`, file);
  await page.waitFor(`document.querySelector('.feed')?.innerText.includes('dashboard_probe')`, { timeout: 5000, what: 'the new function in the feed' });
  const ms = Date.now() - t0;
  assert.ok(ms < 1000, `the feed showed the save after ${ms} ms`);
  console.log(`save to feed: ${ms} ms`);
  await shot('activity');
  // The file glob filters the groups.
  await type('.filters input[placeholder^="e.g."]', 'json/**');
  await page.waitFor(`!document.querySelector('.feed')?.innerText.includes('dashboard_probe')`, { what: 'the filter hiding it' });
  await type('.filters input[placeholder^="e.g."]', 'shop/*.py');
  await page.waitFor(`document.querySelector('.feed')?.innerText.includes('dashboard_probe')`, { what: 'the filter showing it' });
  noErrors('activity');
});

test('search streams its results; the symbol page lists the callers REST lists and draws the graph', async () => {
  await page.goto(`${srv.url}/p/demo/search`);
  await page.waitFor(`document.querySelector('#q')`, { what: 'the search box' });
  const t0 = Date.now();
  await type('#q', 'apply tax to an amount');
  await page.waitFor(`document.querySelectorAll('.hit').length > 0`, { what: 'the first batch' });
  console.log(`typing to first batch: ${Date.now() - t0} ms (120 ms of it the debounce)`);
  await page.waitFor(`document.querySelector('[data-testid=search-status]').innerText.includes('results in')`, { what: 'the last batch' });
  assert.match(await text(), /apply_tax/);
  await shot('search');
  noErrors('search');

  const nodes = await call(srv, 'GET', '/api/v1/projects/demo/nodes?name=apply_tax', { token: key });
  const id = nodes.json.nodes.find((n) => n.name === 'apply_tax').id;
  const rest = await call(srv, 'GET', `/api/v1/projects/demo/nodes/${id}/callers`, { token: key });
  const expected = [...new Set(rest.json.results.filter((r) => r.node).map((r) => r.node.qualified_name))].sort();
  assert.ok(expected.length >= 2, rest.body);
  await page.eval(`document.querySelector('#hit-${id} a').click(), true`);
  await page.waitFor(`document.querySelector('#sym-title')?.innerText.includes('apply_tax')`, { what: 'the symbol page' });
  const listed = await page.eval(`[...document.querySelectorAll('#callers-title ~ ul li a, section:has(#callers-title) ul li a')].map((a) => a.innerText)`);
  assert.deepEqual([...new Set(listed)].sort(), expected);
  await page.waitFor(`Number(document.querySelector('[data-testid=graph]')?.dataset.nodes) >= ${expected.length + 1}`, { what: 'the graph' });
  await page.waitFor(`document.querySelector('.source .hl')?.innerText.includes('def apply_tax')`, { what: 'the source excerpt' });
  assert.equal(new URL(await page.eval('location.href')).pathname, `/p/demo/node/${id}`);
  await shot('symbol');
  noErrors('symbol');
});

test('review and versions render; the review follows a save', async () => {
  await page.goto(`${srv.url}/p/demo/review`);
  await page.waitFor(`document.querySelector('[data-testid=risk]')`, { what: 'the review' });
  // The save in the activity test is in the working tree: the review shows it.
  await page.waitFor(`document.body.innerText.includes('dashboard_probe')`, { what: 'the saved function in the review' });
  const file = path.join(tree, 'shop', 'models.py');
  fs.writeFileSync(`${file}.saving`, fs.readFileSync(file, 'utf8').replace('def apply_tax(amount):', 'def apply_tax(amount, rate=0.2):'));
  fs.renameSync(`${file}.saving`, file);
  await page.waitFor(`[...document.querySelectorAll('.nodes li')].some((li) => li.innerText.includes('apply_tax') && li.innerText.includes('signature'))`,
    { what: 'the live update of the review' });
  await page.waitFor(`Number(document.querySelector('[data-testid=graph]')?.dataset.nodes) > 0`, { what: 'the radius graph' });
  await shot('review');
  noErrors('review');
  await linkTo('/p/demo/versions');
  await page.waitFor(`document.querySelectorAll('.timeline li').length === 2`, { what: 'the timeline' });
  await page.eval(`[...document.querySelectorAll('.timeline input')].forEach((c) => c.click()), true`);
  await page.waitFor(`document.querySelector('#diff-title')?.innerText === 'Version 1 → 2'`, { what: 'the diff of two versions' });
  await page.waitFor(`document.body.innerText.includes('shop.models.discount')`, { what: 'the added function in the diff' });
  await shot('versions');
  noErrors('versions');
  // Narrow window and the dark theme.
  await page.viewport(420, 800);
  await click('header button.ghost');
  await page.waitFor(`document.documentElement.dataset.theme === 'dark' || document.documentElement.dataset.theme === 'light'`);
  await shot('versions-narrow-theme');
  await page.viewport(1280, 800);
});

test('a 401 shows the sign-in; the page reconnects by itself after a restart', async () => {
  await page.goto(`${srv.url}/activity`);
  await page.waitFor(`document.querySelector('.status')?.dataset.state === 'live'`, { what: 'live' });
  const port = srv.port;
  await srv.stop();
  await page.waitFor(`document.querySelector('.status')?.dataset.state !== 'live'`, { what: 'the page noticing' });
  await shot('offline');
  srv = await startServer({
    dataDir, listen: `127.0.0.1:${port}`, args: ['--project-root', `demo=${tree}`],
    env: { CODEGRAPH_SERVER_WATCH: 'true', CODEGRAPH_SERVER_ALLOWED_ROOTS: dir },
  });
  await page.waitFor(`document.querySelector('.status')?.dataset.state === 'live'`, { timeout: 30000, what: 'the reconnection' });
  // A key that no longer works (revoked or from another server) sends the page to sign in.
  await page.eval(`sessionStorage.setItem('codegraph.token', 'cg_revoked'), true`);
  await page.goto(`${srv.url}/`);
  await page.waitFor(`document.querySelector('#key') !== null`, { what: 'the sign-in after a 401' });
  noErrors('reconnect');
});
