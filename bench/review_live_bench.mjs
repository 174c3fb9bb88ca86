// Live review impact (issue 21) on the CPython standard library (Debian's
// /usr/lib/python3.11, copied): a server in watch mode, a reviewImpact subscription
// against the indexed base, a working tree with a 20-file change set, then saves one
// after another; prints save -> updated report p50/p99 (aim: p99 <= 50 ms) and the
// server's time to compute each report.
// Usage: node bench/review_live_bench.mjs [ROUNDS]   (after a release build)
//   REVIEW_DURING_BUILD=1: the saves start while the search index is still built
//   REVIEW_DEBUG=1: the server's log around the slowest saves
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startServer, cli, tempDir, call, waitFor } from '../tests/server/harness.mjs';

const ROUNDS = Number(process.argv[2] || 60);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const dir = tempDir('cg-review-live-');
const root = path.join(dir, 'lib');
const dataDir = path.join(dir, 'data');
fs.mkdirSync(dataDir);
fs.cpSync('/usr/lib/python3.11', root, {
  recursive: true, filter: (p) => !p.includes('__pycache__') && !p.includes('site-packages') && !p.includes('dist-packages'),
});
const files = [];
for (const e of fs.readdirSync(root, { recursive: true })) if (String(e).endsWith('.py')) files.push(String(e));
files.sort();
const loc = files.reduce((n, f) => n + fs.readFileSync(path.join(root, f), 'utf8').split('\n').length, 0);
let t = Date.now();
cli(dataDir, ['index', root, '--project', 'std', '-q', '--no-vectors']);
console.log(`CPython stdlib: ${files.length} files, ${loc.toLocaleString()} lines; indexed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
const token = JSON.parse(cli(dataDir, ['--json', 'token', 'create', '--role', 'reader', '--name', 'bench'])).token;
const srv = await startServer({
  dataDir, args: ['--project-root', `std=${root}`],
  env: { CODEGRAPH_SERVER_WATCH: 'true', CODEGRAPH_SERVER_ALLOWED_ROOTS: dir, CODEGRAPH_SEARCH_VECTORS: 'false',
    ...(process.env.REVIEW_DEBUG ? { CODEGRAPH_LOG_LEVEL: 'debug' } : {}) },
});
try {
  await waitFor(async () => {
    const r = await call(srv, 'GET', '/api/v1/tasks', { token });
    return r.status === 200 && r.json.tasks.length > 0 && r.json.tasks.every((x) => x.state !== 'running');
  }, { timeout: 300000, what: 'the start-up run' });
  // Steady state: the search index's background ANN build (FAISS HNSW, some seconds
  // after a start on a store indexed without it) done, as /health/ready reports it.
  // REVIEW_DURING_BUILD=1 measures the saves while it runs instead.
  t = Date.now();
  if (!process.env.REVIEW_DURING_BUILD) await waitFor(async () => {
    const r = await call(srv, 'GET', '/health/ready', { token });
    return r.status === 200 && (r.json.search || []).some((x) => x.project === 'std' && !x.index_building);
  }, { timeout: 300000, what: 'the search index build' });
  if (!process.env.REVIEW_DURING_BUILD)
    console.log(`search index built ${((Date.now() - t) / 1000).toFixed(1)} s after the start-up run`);
  // The change set: a statement added to the first function of 20 modules.
  const changed = [];
  for (const f of files) {
    if (changed.length === 20) break;
    const p = path.join(root, f);
    const text = fs.readFileSync(p, 'utf8');
    const m = /^def [A-Za-z_]\w*\([^)\n]*\):\n(    )(?=\S)/m.exec(text);
    if (!m || f.startsWith('test')) continue;
    const at = m.index + m[0].length;
    fs.writeFileSync(p, text.slice(0, at) + '_review_bench = 1\n    ' + text.slice(at));
    changed.push(f);
  }
  const c = createClient({ url: `${srv.wsUrl}/graphql`, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` } });
  let waiter = null;
  const msgs = [];
  c.subscribe({ query: `subscription { reviewImpact(project: "std", base: "head", depth: 3) {
      kind changedEntered { qualifiedName } changedLeft totals { changed changedFiles radius } elapsedMs } }` },
  { next: (v) => { msgs.push({ at: performance.now(), v: v.data?.reviewImpact ?? v }); if (waiter) waiter(); },
    error: (e) => { msgs.push({ at: performance.now(), v: { error: String(e?.reason || e?.message || e) } }); },
    complete: () => {} });
  const until = async (pred, what) => {
    const deadline = Date.now() + 30000;
    for (;;) {
      if (msgs.some((m) => m.v.error)) throw new Error(`subscription failed: ${JSON.stringify(msgs.at(-1))}`);
      const i = msgs.findIndex((m) => pred(m.v));
      if (i >= 0) return msgs.splice(0, i + 1).at(-1);
      if (Date.now() > deadline) throw new Error(`no ${what}: ${JSON.stringify(msgs.slice(-3))}`);
      await new Promise((r) => { waiter = r; setTimeout(r, 100); });
    }
  };
  await until((v) => v.kind === 'full', 'full report');
  const ready = await until((v) => v.totals.changedFiles >= 20, 'the 20-file change set');
  console.log(`change set: ${ready.v.totals.changed} changed definitions in ${ready.v.totals.changedFiles} files, ` +
    `radius ${ready.v.totals.radius}`);
  await new Promise((r) => setTimeout(r, 500));
  msgs.length = 0;
  // Saves: a function appears in one changed module, then goes again.
  const lat = [], compute = [], slowest = [];
  for (let i = 0; i < ROUNDS; i++) {
    const f = path.join(root, changed[Math.floor(i / 2) % changed.length]);
    const text = fs.readFileSync(f, 'utf8');
    const add = i % 2 === 0;
    const name = `review_bench_${Math.floor(i / 2)}`;
    const t0 = performance.now();
    const wall0 = Date.now();
    const save = (text2) => { fs.writeFileSync(`${f}.saving`, text2); fs.renameSync(`${f}.saving`, f); };
    save(add ? `${text}\n\ndef ${name}():\n    return 1\n` : text.replace(/\n\ndef review_bench_\d+\(\):\n    return 1\n$/, ''));
    const m = await until((v) => v.kind === 'update' && (add ? v.changedEntered.some((x) => x.qualifiedName.endsWith(name))
      : v.changedLeft.length > 0), `update ${i}`);
    lat.push(m.at - t0);
    compute.push(m.v.elapsedMs);
    slowest.push({ ms: m.at - t0, compute: m.v.elapsedMs, file: path.relative(root, f), lines: text.split('\n').length, wall0 });
    await new Promise((r) => setTimeout(r, 30));
  }
  const f1 = (x) => x.toFixed(1);
  console.log(`save -> updated report (${ROUNDS} saves): p50 ${f1(pct(lat, 0.5))} ms, p99 ${f1(pct(lat, 0.99))} ms ` +
    `(aim: p99 <= 50 ms) ${pct(lat, 0.99) <= 50 ? 'MET' : 'NOT MET'}`);
  console.log(`report computation in the server: p50 ${f1(pct(compute, 0.5))} ms, p99 ${f1(pct(compute, 0.99))} ms`);
  slowest.sort((a, b) => b.ms - a.ms);
  console.log(`slowest saves: ${slowest.slice(0, 5).map((x) => `${x.file} (${x.lines} lines) ${f1(x.ms)} ms, report ${f1(x.compute)} ms`).join('; ')}`);
  await c.dispose();
  if (process.env.REVIEW_DEBUG) {
    // The server's log around the slowest saves (its clock: UTC time of day).
    const tod = (l) => { const m = /^(\d\d):(\d\d):(\d\d\.\d+)/.exec(l); return m ? ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1000 : NaN; };
    const lines = srv.stderr.split('\n').filter((l) => /review \d|review live|watch|apply: \d|resolve: \d|index task \d+: (started|parsed|applied|resolved)/.test(l));
    for (const x of slowest.slice(0, 3)) {
      const d = new Date(x.wall0);
      const from = ((d.getUTCHours() * 60 + d.getUTCMinutes()) * 60 + d.getUTCSeconds()) * 1000 + d.getUTCMilliseconds();
      console.log(`-- ${x.file}: saved at ${d.toISOString()}, ${f1(x.ms)} ms`);
      console.log(lines.filter((l) => tod(l) >= from - 150 && tod(l) <= from + x.ms + 5).join('\n'));
    }
  }
} finally {
  await srv.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
