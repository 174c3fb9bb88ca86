// createNode under load (issue 24): `codegraph serve --no-auth` on a small project,
// CONCURRENCY keep-alive clients creating manual nodes over REST as fast as the
// server answers, until TOTAL manual nodes exist. Prints, per window of WINDOW
// creations, the rate and the p50/p99 latency, so a cost that grows with the number
// of manual nodes shows as a falling rate; then the whole run against the target
// (>= 2,000 createNode/s, p99 <= 20 ms, flat to 100K), and one JSON line.
// Usage: node bench/write_bench.mjs   (CODEGRAPH_BIN=path TOTAL=100000 WINDOW=10000 CONCURRENCY=8 API=rest|graphql)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';

const BIN = process.env.CODEGRAPH_BIN || path.resolve('build/release/cli/codegraph');
const TOTAL = Number(process.env.TOTAL || 100000);
const WINDOW = Number(process.env.WINDOW || 10000);
const CONCURRENCY = Number(process.env.CONCURRENCY || 8);
const API = process.env.API || 'rest';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'codegraph-write-bench-'));
const src = path.join(work, 'src');
fs.mkdirSync(src);
for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(src, `m${i}.py`), `def f${i}(x):\n    return g${i}(x) + ${i}\n`);
const portFile = path.join(work, 'port');
const server = spawn(BIN, ['--data-dir', path.join(work, 'data'), '--log-level', 'warn', 'serve', '--no-auth',
  '--listen', '127.0.0.1:0', '--port-file', portFile, '--project-root', `small=${src}`], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, CODEGRAPH_SERVER_RATE_PER_KEY: '0', CODEGRAPH_SERVER_RATE_PER_IP: '0', CODEGRAPH_SERVER_WATCH: 'false' },
});
const exited = new Promise((r) => server.on('exit', r));
async function finish(code) {
  server.kill();
  await exited;
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(code);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
while (!fs.existsSync(portFile)) await sleep(20);
const port = Number(fs.readFileSync(portFile, 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(p, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}
async function get(p) {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  return res.json();
}
for (;;) {
  const t = await get('/api/v1/tasks/1').catch(() => ({}));
  if (t.state === 'done') break;
  await sleep(100);
}

function create(i) {
  if (API === 'graphql')
    return post('/graphql', { query: `mutation { createNode(project: "small", input: {nodeType: FUNCTION, name: "n${i}", signature: "def n${i}()"}) { id } }` });
  return post('/api/v1/projects/small/nodes', { name: `n${i}`, nodeType: 'function', signature: `def n${i}()` });
}

const pct = (v, p) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
const windows = [];
const all = [];
let next = 0, failed = 0;
const t0 = performance.now();
for (let from = 0; from < TOTAL; from += WINDOW) {
  const end = Math.min(TOTAL, from + WINDOW);
  const lat = [];
  const w0 = performance.now();
  next = from;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < end) {
      const i = next++;
      const s = performance.now();
      const r = await create(i);
      lat.push(performance.now() - s);
      if ((r.status !== 201 && r.status !== 200) || r.text.includes('"errors"')) {
        if (++failed <= 3) console.error(`createNode ${i}: ${r.status} ${r.text.slice(0, 200)}`);
      }
    }
  }));
  const secs = (performance.now() - w0) / 1000;
  lat.sort((a, b) => a - b);
  all.push(...lat);
  const w = { manual_nodes: end, rate: (end - from) / secs, p50_ms: pct(lat, 0.5), p99_ms: pct(lat, 0.99) };
  windows.push(w);
  console.log(`createNode (${API}) nodes ${String(from).padStart(6)}-${String(end).padEnd(6)}: ${w.rate.toFixed(0)}/s, p50 ${w.p50_ms.toFixed(2)} ms, p99 ${w.p99_ms.toFixed(2)} ms`);
}
const secs = (performance.now() - t0) / 1000;
all.sort((a, b) => a - b);
const rate = TOTAL / secs;
const first = windows[0], last = windows[windows.length - 1];
const stats = await get('/api/v1/projects/small/stats');
console.log(`createNode (${API}): ${TOTAL} in ${secs.toFixed(1)} s = ${rate.toFixed(0)}/s (target >= 2000/s), ` +
  `p50 ${pct(all, 0.5).toFixed(2)} ms, p99 ${pct(all, 0.99).toFixed(2)} ms (target <= 20 ms), ` +
  `last window / first window rate ${(last.rate / first.rate).toFixed(2)} (flat: ~1), ${failed} failed, ` +
  `${CONCURRENCY} clients; store holds ${stats.nodes?.total} nodes`);
console.log(JSON.stringify({ api: API, total: TOTAL, rate, p50_ms: pct(all, 0.5), p99_ms: pct(all, 0.99), failed,
  flatness: last.rate / first.rate, windows }));
agent.destroy();
await finish(failed ? 1 : 0);
