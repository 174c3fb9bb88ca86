// A real headless Chromium (Debian's `chromium`), driven over the Chrome DevTools
// Protocol with the `ws` client: launch, open a page, evaluate in it, wait for it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-chromium-'));
  const proc = spawn(CHROMIUM, ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
    '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${err}`)), 30000);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`chromium exited ${code}: ${err}`)); });
  });
  const ws = new WebSocket(endpoint, { perMessageDeflate: false });
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  let next = 1;
  const pending = new Map();
  const listeners = [];
  ws.on('message', (m) => {
    const msg = JSON.parse(m.toString());
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${msg.error.message} ${msg.error.data || ''}`));
      else resolve(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  });
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
  });

  async function newPage() {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    const errors = [];
    listeners.push((msg) => {
      if (msg.sessionId !== sessionId) return;
      if (msg.method === 'Runtime.exceptionThrown') errors.push(msg.params.exceptionDetails.exception?.description || msg.params.exceptionDetails.text);
      if (msg.method === 'Runtime.consoleAPICalled' && msg.params.type === 'error')
        errors.push(msg.params.args.map((a) => a.value ?? a.description).join(' '));
    });
    await send('Page.enable', {}, sessionId);
    await send('Runtime.enable', {}, sessionId);
    const page = {
      errors,
      // Runs in every document this page loads, before its own scripts.
      async onNewDocument(source) {
        await send('Page.addScriptToEvaluateOnNewDocument', { source }, sessionId);
      },
      async goto(url) {
        const loaded = new Promise((resolve) => listeners.push((msg) => {
          if (msg.sessionId === sessionId && msg.method === 'Page.loadEventFired') resolve();
        }));
        await send('Page.navigate', { url }, sessionId);
        await loaded;
      },
      // Evaluates an expression (awaiting a promise) and returns its JSON value.
      async eval(expression) {
        const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
        if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description || r.exceptionDetails.text);
        return r.result.value;
      },
      // A PNG of the page as it is drawn now.
      async screenshot(file) {
        const r = await send('Page.captureScreenshot', { format: 'png' }, sessionId);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
      },
      // A full garbage collection, then the JS heap in use (bytes).
      async heapAfterGc() {
        await send('HeapProfiler.collectGarbage', {}, sessionId);
        const r = await send('Runtime.getHeapUsage', {}, sessionId);
        return r.usedSize;
      },
      async viewport(width, height) {
        await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
      },
      async waitFor(expression, { timeout = 20000, what = expression } = {}) {
        const deadline = Date.now() + timeout;
        for (;;) {
          const v = await page.eval(expression).catch(() => undefined);
          if (v) return v;
          if (Date.now() > deadline) throw new Error(`timed out waiting in the page for ${what}; page errors: ${errors.join(' | ')}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    };
    return page;
  }

  async function close() {
    try { await send('Browser.close'); } catch { /* gone already */ }
    ws.close();
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return { newPage, close };
}
