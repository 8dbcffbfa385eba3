// `shadowbench jupyter` as the README has a user type it: the server starts with the project's
// tslab kernelspec, lists the kernel over the REST API, and a cell runs in that kernel through the
// server's websocket (the same path the browser uses). Bounded in time; the server is stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { notebookServerAvailable, PROJECT_JUPYTER_DIR } from '../src/cli/jupyter.js';

const BIN = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));
const needs = (ok: boolean, what: string) => (ok ? undefined : process.env.CI ? undefined : `${what} is not installed (scripts/install.sh installs it)`);
const freePort = () => new Promise<number>((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Jupyter's websocket protocol from Debian's python3 (tornado comes with the notebook package):
// send one execute_request, collect the iopub outputs until the kernel is idle again.
const RUN_CELL = `
import json, sys, uuid
from tornado import ioloop, websocket
url, code = sys.argv[1], sys.argv[2]
async def main():
    ws = await websocket.websocket_connect(url)
    mid = uuid.uuid4().hex
    ws.write_message(json.dumps({'header': {'msg_id': mid, 'username': 't', 'session': uuid.uuid4().hex, 'msg_type': 'execute_request', 'version': '5.3'},
        'parent_header': {}, 'metadata': {}, 'channel': 'shell',
        'content': {'code': code, 'silent': False, 'store_history': False, 'user_expressions': {}, 'allow_stdin': False}}))
    out = []
    while True:
        m = json.loads(await ws.read_message())
        if m.get('parent_header', {}).get('msg_id') != mid: continue
        t = m['msg_type']
        if t in ('stream', 'execute_result', 'error', 'display_data'): out.append({'type': t, 'content': m['content']})
        if t == 'status' and m['content']['execution_state'] == 'idle': break
    print(json.dumps(out))
ioloop.IOLoop.current().run_sync(main, timeout=60)
`;

test('shadowbench jupyter: the tslab kernel is listed and runs a cell through the server', { skip: needs(notebookServerAvailable(), 'Jupyter Notebook'), timeout: 180_000 }, async () => {
  const port = await freePort();
  const token = `t${process.pid}x${port}`;
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, JUPYTER_TOKEN: token, JUPYTER_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'sb-jrt-')), JUPYTER_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'sb-jcfg-')) };
  const server = spawn(process.execPath, [BIN, 'jupyter', '--port', String(port), '--no-browser'], { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.on('data', (d) => { log += d; });
  let gone = false;
  const exited = new Promise<number | null>((r) => server.on('exit', (c) => { gone = true; r(c); }));
  const api = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(`${base}${path}`, { ...init, headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' } });
    assert.ok(r.ok, `${init.method ?? 'GET'} ${path}: ${r.status}`);
    return r.status === 204 ? null : r.json();
  };
  try {
    // Wait for the server (at most 60 s).
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${base}/api`)).ok) break; } catch { /* not up yet */ }
      assert.ok(i < 120 && !gone, `server did not start:\n${log.slice(-1500)}`);
      await sleep(500);
    }
    const specs = await api('/api/kernelspecs') as { default: string; kernelspecs: Record<string, { resources: object; spec: { argv: string[]; display_name: string } }> };
    assert.equal(specs.default, 'tslab');
    const tslab = specs.kernelspecs.tslab.spec;
    assert.equal(tslab.display_name, 'TypeScript (tslab)');
    assert.match(tslab.argv[0], /^\/.*node_modules\/\.bin\/tslab$/, 'absolute path to the project\'s own tslab');
    assert.equal(JSON.parse(readFileSync(join(PROJECT_JUPYTER_DIR, 'kernels', 'tslab', 'kernel.json'), 'utf8')).argv[0], tslab.argv[0], 'the spec comes from the project, not the home directory');
    const kernel = await api('/api/kernels', { method: 'POST', body: JSON.stringify({ name: 'tslab' }) }) as { id: string };
    try {
      // The cell imports compiled project code relative to notebooks/, as the notebooks do.
      const code = "import { bytesLabel } from '../dist/src/analysis/figure-style.js';\nconst n: number = 6 * 7;\nconsole.log(`answer ${n}`);\nbytesLabel(3 * 1024)";
      const r = spawnSync('/usr/bin/python3', ['-c', RUN_CELL, `ws://127.0.0.1:${port}/api/kernels/${kernel.id}/channels?token=${token}`, code], { encoding: 'utf8', timeout: 90_000 });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Array<{ type: string; content: { name?: string; text?: string; data?: Record<string, string>; evalue?: string } }>;
      assert.deepEqual(out.filter((o) => o.type === 'error').map((o) => o.content.evalue), []);
      // tslab prints console output and the cell's value on stdout.
      const stdout = out.filter((o) => o.type === 'stream' && o.content.name === 'stdout').map((o) => o.content.text).join('');
      assert.equal(stdout, 'answer 42\n3 KiB\n');
      // plotly.js for the classic notebook's interactive figures is served from node_modules.
      const js = await fetch(`${base}/static/plotly.min.js`);
      assert.ok(js.ok && Number(js.headers.get('content-length') ?? (await js.arrayBuffer()).byteLength) > 1_000_000, 'plotly.js under /static/');
    } finally { await api(`/api/kernels/${kernel.id}`, { method: 'DELETE' }); }
  } finally {
    server.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout')]);
    if (code === 'timeout') { try { process.kill(-server.pid!, 'SIGKILL'); } catch { /* gone */ } }
  }
});
