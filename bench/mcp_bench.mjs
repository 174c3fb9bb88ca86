// MCP tool calls on the CPython standard library (Debian's /usr/lib/python3.11,
// copied and indexed): latency p50/p99 of search_code and callers over stdio
// (`codegraph mcp`) and Streamable HTTP (/mcp on `codegraph serve`), both driven by the
// official SDK client; then the bytes of each answer (structured content, and its text
// rendering) against the CLI's --json for the same question (aim: MCP <= 0.5 of it).
// Usage: node bench/mcp_bench.mjs [ROUNDS]   (after a release build)
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { BIN, startServer, cli, tempDir } from '../tests/server/harness.mjs';

const ROUNDS = Number(process.argv[2] || 20);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const dir = tempDir('cg-mcp-bench-');
const root = path.join(dir, 'lib');
const dataDir = path.join(dir, 'data');
fs.mkdirSync(dataDir);
fs.cpSync('/usr/lib/python3.11', root, {
  recursive: true, filter: (p) => !p.includes('__pycache__') && !p.includes('site-packages') && !p.includes('dist-packages'),
});
let t = Date.now();
cli(dataDir, ['index', root, '--project', 'std', '-q']);
console.log(`CPython stdlib indexed in ${((Date.now() - t) / 1000).toFixed(1)} s (vectors on)`);
const token = JSON.parse(cli(dataDir, ['--json', 'token', 'create', '--role', 'reader', '--name', 'bench'])).token;

const queries = ['parse command line arguments', 'json decode error', 'http request headers', 'read zip archive',
  'thread pool executor', 'temporary directory', 'regular expression compile', 'email message parser',
  'socket timeout', 'base64 encode'];
const symbols = ['json.loads', 'json.dumps', 'posixpath.join', 'subprocess.Popen', 'shutil.copyfile',
  'tempfile.mkdtemp', 're.compile', 'logging.getLogger', 'collections.namedtuple', 'functools.wraps'];

const stdio = new Client({ name: 'bench', version: '1' });
await stdio.connect(new StdioClientTransport({ command: BIN, args: ['--data-dir', dataDir, 'mcp'], stderr: 'ignore' }));
const srv = await startServer({ dataDir, env: { CODEGRAPH_SERVER_WATCH: 'false' } });
const http = new Client({ name: 'bench', version: '1' });
await http.connect(new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`),
  { requestInit: { headers: { authorization: `Bearer ${token}` } } }));

const calls = {
  search_code: (q) => ({ name: 'search_code', arguments: { query: q, limit: 10 } }),
  callers: (s) => ({ name: 'callers', arguments: { symbol: s, limit: 200 } }),
};
try {
  for (const [label, c] of [['stdio', stdio], ['http', http]]) {
    for (const [tool, make] of Object.entries(calls)) {
      const inputs = tool === 'search_code' ? queries : symbols;
      for (const x of inputs) await c.callTool(make(x));  // warm
      const ms = [];
      for (let r = 0; r < ROUNDS; ++r)
        for (const x of inputs) {
          const t0 = performance.now();
          const res = await c.callTool(make(x));
          ms.push(performance.now() - t0);
          if (res.isError) throw new Error(`${tool} ${x}: ${res.content[0].text}`);
        }
      console.log(`${label.padEnd(5)} ${tool.padEnd(11)} p50 ${pct(ms, 0.5).toFixed(2)} ms  p99 ${pct(ms, 0.99).toFixed(2)} ms  (${ms.length} calls)`);
    }
  }
  let mcpBytes = 0, textBytes = 0, cliBytes = 0;
  const rows = [];
  for (const q of queries) {
    const r = await stdio.callTool(calls.search_code(q));
    const cliOut = cli(dataDir, ['--json', 'search', q, '-k', '10']);
    rows.push(['search', q, JSON.stringify(r.structuredContent).length, r.content[0].text.length, cliOut.length]);
  }
  for (const s of symbols) {
    const r = await stdio.callTool(calls.callers(s));
    const cliOut = cli(dataDir, ['--json', 'callers', s]);
    rows.push(['callers', s, JSON.stringify(r.structuredContent).length, r.content[0].text.length, cliOut.length]);
  }
  for (const [, , m, tx, c] of rows) { mcpBytes += m; textBytes += tx; cliBytes += c; }
  for (const [k, x, m, tx, c] of rows)
    console.log(`  ${k.padEnd(7)} ${x.padEnd(30)} structured ${String(m).padStart(7)} B  text ${String(tx).padStart(7)} B  CLI ${String(c).padStart(8)} B`);
  console.log(`bytes per answer: structured ${(mcpBytes / cliBytes).toFixed(2)} of the CLI JSON, text ${(textBytes / cliBytes).toFixed(2)} (aim <= 0.5)`);
} finally {
  await stdio.close();
  await http.close();
  await srv.stop();
}
