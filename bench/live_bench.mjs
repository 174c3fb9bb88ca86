// Live GraphQL benchmark (issue 5), against a running server on the CPython stdlib:
//   1. watch: write a file, wait for its nodeUpdated event; p50/p99 of write -> event.
//   2. query: a node + relationships query over WebSocket at 50 concurrent clients.
// Usage: node bench/live_bench.mjs URL TOKEN PROJECT_ROOT SERVER_PID
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';

const [url, token, root, serverPid] = process.argv.slice(2);
const wsUrl = url.replace(/^http/, 'ws') + '/graphql';
const SECONDS = Number(process.env.DURATION || 10);
const WATCH_ROUNDS = Number(process.env.WATCH_ROUNDS || 300);

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };
const f1 = (x) => x.toFixed(1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function gql(query, variables) {
  const r = await fetch(url + '/graphql', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const j = await r.json();
  if (j.errors) throw new Error(JSON.stringify(j.errors));
  return j.data;
}

// A minimal graphql-transport-ws client (the reference client costs more CPU per
// connection than the server does; this one only acks and parses).
function connect(onNext) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    ws.on('message', (m) => {
      const s = m.toString();
      if (s.startsWith('{"type":"connection_ack"')) return resolve(ws);
      onNext(s);
    });
    ws.on('error', reject);
  });
}

// idle: each save waits until the previous save's index task has ended (a person
// saving); back-to-back: 20 ms after the previous event (the task may still be
// resolving, and the next save queues behind it).
async function watchPhase(idle) {
  const file = path.join(root, 'json/decoder.py');
  const original = fs.readFileSync(file, 'utf8');
  const lat = [];
  let waiting = null;
  let taskDone = null;
  const ws = await connect((s) => {
    if (waiting && s.includes('"nodeUpdated"')) { const w = waiting; waiting = null; w(); }
    if (taskDone && s.includes('"parseProgress"') && s.includes('"phase":"done"')) { const d = taskDone; taskDone = null; d(); }
  });
  ws.send(JSON.stringify({ id: 'w', type: 'subscribe', payload: { query: 'subscription { nodeUpdated(project: "python", filePath: "json/decoder.py", nodeType: [FUNCTION]) { node { id } } }' } }));
  ws.send(JSON.stringify({ id: 'p', type: 'subscribe', payload: { query: 'subscription { parseProgress(project: "python") { phase } }' } }));
  await sleep(300);
  for (let i = 0; i < WATCH_ROUNDS; i++) {
    const ended = idle ? new Promise((r) => { taskDone = r; }) : null;
    // py_scanstring's body changes (its content hash), nothing else does.
    const text = original.replace('def py_scanstring(s, end, strict=True,', `def py_scanstring(s, end, strict=True, _round=${i},`);
    const got = new Promise((r) => { waiting = r; });
    const t0 = performance.now();
    fs.writeFileSync(file, text);
    const timeout = sleep(5000).then(() => 'timeout');
    if (await Promise.race([got, timeout]) === 'timeout') { console.log(`watch: round ${i} timed out`); waiting = null; continue; }
    lat.push(performance.now() - t0);
    if (idle) await Promise.race([ended, sleep(5000)]);
    await sleep(20);
  }
  fs.writeFileSync(file, original);
  ws.close();
  await sleep(500);
  console.log(`watch (${idle ? 'each save after the last task ended' : 'back-to-back saves'}): ${lat.length} saves, write -> subscribed client: p50 ${f1(pct(lat, 0.5))} ms, p99 ${f1(pct(lat, 0.99))} ms, max ${f1(Math.max(...lat))} ms (target p99 <= 20 ms)`);
}

async function queryPhase() {
  const ids = (await gql('{ nodes(project: "python", filter: {nodeType: [FUNCTION]}, pagination: {first: 500}) { nodes { id } } }')).nodes.nodes.map((n) => n.id);
  const CLIENTS = 50;
  const lat = [];
  let done = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    let pending = null;
    const ws = await connect((s) => { if (pending && (s.includes('"type":"next"') || s.includes('"type":"error"'))) { const p = pending; pending = null; p(); } });
    let i = c;
    while (performance.now() < until) {
      const id = ids[i++ % ids.length];
      const t = performance.now();
      await new Promise((r) => {
        pending = r;
        ws.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: `{ node(project: "python", id: "${id}") { id name qualifiedName filePath lineNumber relationships { type targetName target { id name filePath } } callers { id name } } }` } }));
      });
      lat.push(performance.now() - t);
      done++;
    }
    ws.close();
  }));
  console.log(`query (node + relationships + callers over WebSocket, ${CLIENTS} clients): ${Math.round(done / SECONDS)} queries/s, p50 ${f1(pct(lat, 0.5))} ms, p99 ${f1(pct(lat, 0.99))} ms`);
}

const phases = (process.env.PHASES || 'watch,query').split(',');
if (phases.includes('watch')) { await watchPhase(true); await watchPhase(false); }
if (phases.includes('query')) await queryPhase();
process.exit(0);
