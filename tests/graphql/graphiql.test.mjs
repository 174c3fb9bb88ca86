// GraphiQL at /graphiql in a real Chromium: it loads from the pinned npm packages,
// introspects our schema (the documentation explorer lists our types), runs a query
// over HTTP and a subscription over graphql-transport-ws with the key the user typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, call, cli, tempDir, fixtureProject, waitTask, waitFor } from '../server/harness.mjs';
import { launchBrowser } from '../server/browser.mjs';

let dir, srv, browser, key;

before(async () => {
  dir = tempDir('cg-graphiql-');
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const proj = fixtureProject(dir);
  key = JSON.parse(cli(dataDir, ['--json', 'token', 'create', '--role', 'writer', '--name', 'browser'])).token;
  srv = await startServer({ dataDir, args: ['--project-root', `demo=${proj}`], env: { CODEGRAPH_SERVER_WATCH: 'false' } });
  await waitTask(srv, key, 1);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// The CodeMirror 5 editors GraphiQL 3 renders: set the query, read the result.
const setQuery = (q) => `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(${JSON.stringify(q)})`;
const result = `(document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue() || '')`;
const run = `document.querySelector('.graphiql-execute-button').click()`;
// GraphiQL re-reads the operation (its kind: query or subscription) from the editor
// after a short debounce, as a person types: give it that time before running.
const settle = () => new Promise((r) => setTimeout(r, 800));

test('GraphiQL: loads, introspects, queries over HTTP and subscribes over WebSocket with the typed key', async () => {
  const page = await browser.newPage();
  // Every WebSocket the page opens, and how each closed (for the failure message).
  await page.onNewDocument(`window.__ws = []; const W = window.WebSocket;
    window.WebSocket = function (...a) { const s = new W(...a); const e = { url: a[0], protocols: a[1] }; window.__ws.push(e);
      s.addEventListener('close', (c) => { e.code = c.code; e.reason = c.reason; }); return s; };
    Object.assign(window.WebSocket, W); window.WebSocket.prototype = W.prototype;`);
  await page.goto(`${srv.url}/graphiql`);
  // The key goes where a user types it (kept in localStorage), then the page reloads.
  await page.eval(`localStorage.setItem('codegraph.token', ${JSON.stringify(key)})`);
  await page.goto(`${srv.url}/graphiql`);
  await page.waitFor(`!!document.querySelector('.graphiql-query-editor .CodeMirror')`, { what: 'the editor' });
  assert.equal(await page.eval(`document.getElementById('token').value`), key);

  // Introspection worked: the documentation explorer shows our root types.
  await page.eval(`document.querySelector('[aria-label="Show Documentation Explorer"]').click()`);
  await page.waitFor(`document.querySelector('.graphiql-doc-explorer')?.innerText.includes('Subscription')`,
    { what: 'the documentation explorer listing our types' });
  const docs = await page.eval(`document.querySelector('.graphiql-doc-explorer').innerText`);
  for (const t of ['Query', 'Mutation', 'Subscription']) assert.ok(docs.includes(t), `${t} in the explorer: ${docs}`);

  // A query over HTTP.
  await page.eval(setQuery('{ projects { name } node(project: "demo", id: "0000000000000000") { id } }'));
  await settle();
  await page.eval(run);
  const text = await page.waitFor(`${result}.includes('"projects"') && ${result}`, { what: 'the query result' });
  const body = JSON.parse(text);
  assert.deepEqual(body.data.projects, [{ name: 'demo' }]);
  assert.equal(body.data.node, null);

  // A subscription over graphql-transport-ws: a node made through the API shows up.
  const started = async () => Number(/^codegraph_graphql_subscriptions_total (\S+)$/m.exec((await call(srv, 'GET', '/metrics', { token: key })).body)[1]);
  const before = await started();
  await page.eval(setQuery('subscription { nodeCreated(project: "demo") { name nodeType } }'));
  await settle();
  await page.eval(run);
  await waitFor(async () => (await started()) > before, { timeout: 15000, what: 'the browser\'s subscription at the server' })
    .catch(async (e) => { throw new Error(`${e.message}; pane: ${await page.eval(result)}; errors: ${page.errors}; sockets: ${JSON.stringify(await page.eval('window.__ws'))}; server: ${srv.stderr.split('\n').filter((l) => l.includes('/graphql')).slice(-5).join('\n')}`); });
  const made = await call(srv, 'POST', '/graphql', { token: key,
    body: { query: 'mutation { createNode(project: "demo", input: {nodeType: CLASS, name: "SeenInTheBrowser"}) { id } }' } });
  assert.equal(made.status, 200);
  await page.waitFor(`${result}.includes('SeenInTheBrowser')`, { what: 'the subscription event' }).catch(async (e) => {
    throw new Error(`${e.message}; the result pane: ${await page.eval(result)}`);
  });
  assert.deepEqual(JSON.parse(await page.eval(result)).data.nodeCreated, { name: 'SeenInTheBrowser', nodeType: 'CLASS' });
  assert.deepEqual(page.errors.filter((e) => !/favicon/.test(e)), []);
});
