// Execute the notebooks headlessly with Debian's Jupyter (nbclient) and the project's own tslab
// kernelspec, found through JUPYTER_PATH (no global install). Parameters follow papermill's
// convention: the first code cell is tagged `parameters`, and `--param k=v` replaces the value of
// `const k = ...;` in that cell before execution. (papermill adds a second cell instead; a
// TypeScript const cannot be declared twice, so the values are rewritten in place and the cell is
// also tagged `injected-parameters`.) A cell error, or anything a cell wrote to stderr, fails the
// run: nbconvert alone reports tslab errors with an empty message.
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, readFileSync, existsSync, statSync, openSync, closeSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../paths.js';
import { SpecError } from '../trial/spec.js';
import { startRenderService, RENDERER_ENV } from './render-service.js';

export const JUPYTER = ['/usr/bin/python3', '-m', 'jupyter'];
export const NOTEBOOKS_DIR = fileURLToPath(new URL('notebooks/', REPO_ROOT));
export const REFERENCE_DIR = join(NOTEBOOKS_DIR, 'reference');
/** An executed notebook must stay below this (plotly.js is never embedded; figures carry a small PNG). */
export const MAX_NOTEBOOK_BYTES = 1_000_000;

export function jupyterAvailable(): boolean {
  return spawnSync(JUPYTER[0], [...JUPYTER.slice(1), 'nbconvert', '--version'], { encoding: 'utf8' }).status === 0;
}

/** The project's tslab kernelspec: the local tslab binary by absolute path, Debian's python for nothing. */
export function kernelSpec(): object {
  const tslab = fileURLToPath(new URL('node_modules/.bin/tslab', REPO_ROOT));
  return { argv: [tslab, 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript (tslab)', language: 'typescript' };
}

/** Write the kernelspec under `dir/kernels/tslab/` (dir goes on JUPYTER_PATH); returns dir. */
export function writeKernelSpec(dir: string = mkdtempSync(join(tmpdir(), 'shadowbench-jupyter-'))): string {
  mkdirSync(join(dir, 'kernels', 'tslab'), { recursive: true });
  writeFileSync(join(dir, 'kernels', 'tslab', 'kernel.json'), JSON.stringify(kernelSpec(), null, 1) + '\n');
  return dir;
}

interface Cell { cell_type: string; source: string | string[]; metadata?: { tags?: string[] }; outputs?: Array<{ output_type: string; name?: string; text?: string | string[]; ename?: string; evalue?: string }> }
interface Notebook { cells: Cell[]; metadata: object }
const sourceOf = (c: Cell) => [c.source].flat().join('');

/** Notebook names (without .ipynb), sorted. */
export const notebookNames = (): string[] => readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith('.ipynb')).map((f) => f.replace(/\.ipynb$/, '')).sort();

/** The cell tagged `parameters` and the names it declares. */
export function parametersOf(nb: Notebook): { cell: Cell; names: string[] } | null {
  const cell = nb.cells.find((c) => c.cell_type === 'code' && c.metadata?.tags?.includes('parameters'));
  return cell ? { cell, names: [...sourceOf(cell).matchAll(/^(?:const|let) (\w+)\s*=/gm)].map((m) => m[1]) } : null;
}

/** A parameter value as a TypeScript literal: numbers and booleans as they are, anything else a string. */
export const literal = (v: string): string => (/^-?\d+(\.\d+)?$/.test(v) || v === 'true' || v === 'false' ? v : JSON.stringify(v));

/** Rewrite the parameters cell with the given values (papermill's injected-parameters, in place). */
export function injectParameters(nb: Notebook, params: Record<string, string>): Notebook {
  const p = parametersOf(nb);
  if (!p) throw new SpecError('notebook has no cell tagged "parameters"');
  const copy = JSON.parse(JSON.stringify(nb)) as Notebook;
  const cell = copy.cells[nb.cells.indexOf(p.cell)];
  let src = sourceOf(cell);
  const given = Object.entries(params).filter(([k]) => p.names.includes(k));
  for (const [k, v] of given) src = src.replace(new RegExp(`^((?:const|let) ${k}\\s*=\\s*)[^;]*;`, 'm'), `$1${literal(v)};`);
  if (given.length) src = `// Injected by \`shadowbench notebooks\`: ${given.map(([k, v]) => `${k}=${v}`).join(' ')}\n${src}`;
  cell.source = src;
  cell.metadata = { ...cell.metadata, tags: [...new Set([...(cell.metadata?.tags ?? []), ...(given.length ? ['injected-parameters'] : [])])] };
  return copy;
}

/** Parse `k=v` strings; every key must be a parameter some notebook declares. */
export function parseParams(kv: readonly string[]): Record<string, string> {
  const valid = new Set(notebookNames().flatMap((n) => parametersOf(JSON.parse(readFileSync(join(NOTEBOOKS_DIR, `${n}.ipynb`), 'utf8')))?.names ?? []));
  const out: Record<string, string> = {};
  for (const s of kv) {
    const m = /^(\w+)=(.*)$/.exec(s);
    if (!m) throw new SpecError(`--param '${s}' is not k=v`);
    if (!valid.has(m[1])) throw new SpecError(`unknown notebook parameter '${m[1]}'; valid: ${[...valid].sort().join(', ')}`);
    out[m[1]] = m[2];
  }
  return out;
}

export interface NotebookRun { notebook: string; executed: string; html: string; bytes: number; problems: string[] }

/** Problems in an executed notebook: error outputs and stderr streams, cell by cell. */
export function notebookProblems(file: string): string[] {
  const nb = JSON.parse(readFileSync(file, 'utf8')) as Notebook;
  const problems: string[] = [];
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== 'code') return;
    for (const o of c.outputs ?? []) {
      if (o.output_type === 'error') problems.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
      if (o.output_type === 'stream' && o.name === 'stderr') problems.push(`cell ${i}: stderr: ${[o.text].flat().join('').slice(0, 300)}`);
    }
  });
  return problems;
}

// nbclient with the notebooks folder as the kernel's working directory (so `../dist/...` imports
// resolve) while the notebook itself comes from a temporary file; progress per cell on stderr.
// Every notebook in one Python process, `parallel` at a time (each in its own kernel), and the
// HTML export in the same process: a Python start and an nbconvert import per notebook cost
// more than most notebooks' cells. Writes a JSON list to the file named last: the error of each
// job, or null.
// Stopping: the runner stops when its stdin closes (the caller asked, or the caller is gone:
// the pipe closes whatever ended it). Signals are no way to reach it: nbclient takes SIGINT and
// SIGTERM for the last kernel it started, and the kernels run in sessions of their own. Every
// kernel is shut down, one cancelled while it was starting too (nbclient leaves that one
// running), a notebook stopped midway is not written (the one on disk stays), and it exits 130.
const EXECUTE = `
import sys, json, asyncio, atexit, nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
jobs, cwd, timeout, parallel, result = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
stopping = False
async def shut(client):
    atexit.unregister(client._cleanup_kernel)  # nbclient's own exit hook, for a setup cut short
    try:
        if client.km is not None and client.km.has_kernel:
            r = client.km.shutdown_kernel(now=True)
            if asyncio.iscoroutine(r): await r
    except Exception:
        pass
async def run(job, gate):
    async with gate:
        if stopping: raise asyncio.CancelledError()
        nb = nbformat.read(job['src'], as_version=4)
        code = [c for c in nb.cells if c.cell_type == 'code']
        name = job['dst'].rsplit('/', 1)[-1]
        print(f'notebook {name[:-6]}: executing', file=sys.stderr, flush=True)
        def done(cell, cell_index, **kw):
            k = code.index(cell) + 1 if cell in code else 0
            if k: print(f'  {name}: cell {k}/{len(code)} done', file=sys.stderr, flush=True)
        error = None
        client = NotebookClient(nb, timeout=timeout, kernel_name='tslab', resources={'metadata': {'path': cwd}}, on_cell_executed=done, shutdown_kernel='immediate')
        try:
            await client.async_execute()
        except BaseException as e:
            if stopping:
                await shut(client)
                raise asyncio.CancelledError()
            if not isinstance(e, Exception): raise
            error = f'nbclient: {e!r}'[-800:]
        nbformat.write(nb, job['dst'])
        try:
            html, _ = HTMLExporter().from_notebook_node(nb)
            with open(job['html'], 'w', encoding='utf-8') as f: f.write(html)
        except Exception as e:
            error = error or f'html export failed: {e!r}'[-400:]
        return error
class StdinWatch(asyncio.Protocol):
    def __init__(self, stop): self.stop = stop
    def connection_lost(self, exc): self.stop()
async def main():
    gate = asyncio.Semaphore(parallel)
    me, loop = asyncio.current_task(), asyncio.get_running_loop()
    def stop():
        global stopping
        if stopping: return  # once: a second cancel would cut the kernels' shutdown short
        stopping = True
        me.cancel()
    await loop.connect_read_pipe(lambda: StdinWatch(stop), sys.stdin)
    try:
        errors = await asyncio.gather(*(run(j, gate) for j in jobs))
    except BaseException:
        if not stopping: raise
        print('notebooks: stopped; their kernels are shut down', file=sys.stderr, flush=True)
        sys.exit(130)
    with open(result, 'w') as f: json.dump(errors, f)
asyncio.run(main())
`;

export interface RunOptions {
  resultsRoot?: string | null; only?: string[]; params?: Record<string, string>; timeoutS?: number; quiet?: boolean;
  /** Notebooks executing at once (default: one per core; one when they run their own sweeps). */
  parallel?: number;
  /** Stop: the runner shuts its kernels down and ends; notebooks not finished are not written. */
  signal?: AbortSignal;
}

/** `rootOrOptions`: a results root (or null for the notebooks' own default), or the options.
 *  Asynchronous, so the caller's own work (reproduce: figures and report) goes on meanwhile. */
export async function runNotebooks(out: string, rootOrOptions: string | null | RunOptions = {}, only?: string[]): Promise<NotebookRun[]> {
  const o: RunOptions = typeof rootOrOptions === 'object' && rootOrOptions !== null ? rootOrOptions : { resultsRoot: rootOrOptions, only };
  const outDir = resolve(out);
  const all = notebookNames();
  const unknown = (o.only ?? []).filter((n) => !all.includes(n.replace(/\.ipynb$/, '')));
  if (unknown.length) throw new SpecError(`unknown notebook${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; valid: ${all.join(', ')}`);
  if (!jupyterAvailable()) throw new Error('Jupyter is not installed: apt-get install jupyter-nbconvert python3-nbclient python3-jupyter-client');
  mkdirSync(outDir, { recursive: true });
  const params: Record<string, string> = { ...(o.params ?? {}) };
  // The kernel runs in notebooks/: a results root given here is made absolute. A fresh sweep
  // (trials > 0) with no root named goes to ./results, never into the committed reference.
  if (o.resultsRoot) params.resultsRoot = resolve(o.resultsRoot);
  else if (params.resultsRoot) params.resultsRoot = resolve(params.resultsRoot);
  else if (Number(params.trials) > 0) params.resultsRoot = resolve('results');
  const work = mkdtempSync(join(tmpdir(), 'shadowbench-nb-'));
  const names = all.filter((n) => !o.only || o.only.map((x) => x.replace(/\.ipynb$/, '')).includes(n));
  const jobs = names.map((name) => {
    const nb = JSON.parse(readFileSync(join(NOTEBOOKS_DIR, `${name}.ipynb`), 'utf8')) as Notebook;
    const src = join(work, `${name}.ipynb`);
    writeFileSync(src, JSON.stringify(injectParameters(nb, params), null, 1));
    const dst = join(outDir, `${name}.ipynb`);
    return { name, src, dst, html: dst.replace(/\.ipynb$/, '.html') };
  });
  // Notebooks that run their own sweep (trials > 0) use every core themselves: one at a time then.
  const parallel = o.parallel ?? (Number(params.trials) > 0 ? 1 : Math.max(1, cpus().length));
  // One browser draws every kernel's figures (analysis/render-service.ts).
  const renderer = await startRenderService();
  let r: PythonRun;
  try {
    const env = { ...process.env, JUPYTER_PATH: writeKernelSpec(), [RENDERER_ENV]: renderer.url };
    r = await python(['-c', EXECUTE, JSON.stringify(jobs.map(({ src, dst, html }) => ({ src, dst, html }))), NOTEBOOKS_DIR, String(o.timeoutS ?? 900), String(parallel)],
      { env, cwd: NOTEBOOKS_DIR, work, quiet: o.quiet ?? false, signal: o.signal });
  } finally { await renderer.close(); }
  const errors = r.errors ?? [];
  return jobs.map(({ name, dst, html }, i) => {
    const problems = existsSync(dst) ? notebookProblems(dst) : [];
    const error = errors[i] ?? (r.status !== 0 ? `nbclient exited ${r.status}${r.stderr ? `: ${r.stderr.slice(-800)}` : ''}` : null);
    if (error && problems.length === 0) problems.push(error);
    const bytes = existsSync(dst) ? statSync(dst).size : 0;
    if (bytes > MAX_NOTEBOOK_BYTES) problems.push(`executed notebook is ${bytes} bytes (limit ${MAX_NOTEBOOK_BYTES})`);
    return { notebook: `${name}.ipynb`, executed: dst, html, bytes, problems };
  });
}

interface PythonRun { status: number | null; errors: Array<string | null> | null; stderr: string }

/** Run Debian's python with the notebook runner's `args` (and a result file in `work`); its stderr
 *  passed through, or kept in a file when quiet. Its stdin is a pipe it watches: closed on the
 *  signal, and by the system when this process ends however it ends, so no notebook goes on
 *  executing after the command is gone. Waits for the runner itself to exit, not for its output
 *  streams (a kernel would hold them). */
function python(args: string[], o: { env: NodeJS.ProcessEnv; cwd: string; work: string; quiet: boolean; signal?: AbortSignal }): Promise<PythonRun> {
  const result = join(o.work, 'result.json'), errFile = join(o.work, 'stderr.txt');
  const err = o.quiet ? openSync(errFile, 'w') : 'inherit';
  return new Promise((done, failed) => {
    // Its own process group: a Ctrl-C at the terminal reaches this process, which decides.
    const child = spawn(JUPYTER[0], [...args, result], { env: o.env, cwd: o.cwd, stdio: ['pipe', 'ignore', err], detached: true });
    if (typeof err === 'number') closeSync(err);
    const stop = () => { child.stdin!.end(); };
    o.signal?.addEventListener('abort', stop, { once: true });
    if (o.signal?.aborted) stop();
    child.stdin!.on('error', () => undefined); // the runner gone first: nothing to tell it
    child.on('error', failed);
    child.on('exit', (status) => {
      o.signal?.removeEventListener('abort', stop);
      let errors: Array<string | null> | null = null;
      try { errors = JSON.parse(readFileSync(result, 'utf8')) as Array<string | null>; } catch { /* it stopped or died before: below */ }
      done({ status, errors, stderr: o.quiet && existsSync(errFile) ? readFileSync(errFile, 'utf8') : '' });
    });
  });
}
