// Execute the notebooks headlessly with Debian's Jupyter (nbconvert) and the project's own tslab
// kernelspec, written to a temporary JUPYTER_PATH (no global install). A cell error, or anything
// a cell wrote to stderr, fails the run: nbconvert alone reports tslab errors with an empty message.
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../paths.js';

export const JUPYTER = ['/usr/bin/python3', '-m', 'jupyter'];
export const NOTEBOOKS_DIR = fileURLToPath(new URL('notebooks/', REPO_ROOT));

export function jupyterAvailable(): boolean {
  return spawnSync(JUPYTER[0], [...JUPYTER.slice(1), 'nbconvert', '--version'], { encoding: 'utf8' }).status === 0;
}

function kernelspecDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shadowbench-jupyter-'));
  const tslab = fileURLToPath(new URL('node_modules/.bin/tslab', REPO_ROOT));
  mkdirSync(join(dir, 'kernels', 'tslab'), { recursive: true });
  writeFileSync(join(dir, 'kernels', 'tslab', 'kernel.json'), JSON.stringify({
    argv: [tslab, 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript (tslab)', language: 'typescript',
  }, null, 1));
  return dir;
}

export interface NotebookRun { notebook: string; executed: string; html: string; problems: string[] }

/** Problems in an executed notebook: error outputs and stderr streams, cell by cell. */
export function notebookProblems(file: string): string[] {
  const nb = JSON.parse(readFileSync(file, 'utf8')) as { cells: Array<{ cell_type: string; outputs?: Array<{ output_type: string; name?: string; text?: string | string[]; ename?: string; evalue?: string }> }> };
  const problems: string[] = [];
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== 'code') return;
    if (!c.outputs || c.outputs.length === 0 && i === -1) return;
    for (const o of c.outputs ?? []) {
      if (o.output_type === 'error') problems.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
      if (o.output_type === 'stream' && o.name === 'stderr') problems.push(`cell ${i}: stderr: ${[o.text].flat().join('').slice(0, 300)}`);
    }
  });
  return problems;
}

export function runNotebooks(out: string, resultsRoot: string | null, only?: string[]): NotebookRun[] {
  const outDir = resolve(out); // nbconvert runs in the notebooks folder
  if (!jupyterAvailable()) throw new Error('Jupyter is not installed: apt-get install jupyter-nbconvert python3-nbclient python3-jupyter-client python3-ipython');
  mkdirSync(outDir, { recursive: true });
  const env = { ...process.env, JUPYTER_PATH: kernelspecDir(), ...(resultsRoot ? { SHADOWBENCH_RESULTS: resolve(resultsRoot) } : {}) };
  const names = readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith('.ipynb') && (!only || only.includes(f.replace(/\.ipynb$/, '')))).sort();
  return names.map((name) => {
    const input = join(NOTEBOOKS_DIR, name);
    const r = spawnSync(JUPYTER[0], [...JUPYTER.slice(1), 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=tslab',
      '--ExecutePreprocessor.timeout=900', '--output-dir', outDir, input], { encoding: 'utf8', env, cwd: NOTEBOOKS_DIR });
    const executed = join(outDir, name);
    const problems = r.status === 0 && existsSync(executed) ? notebookProblems(executed) : [`nbconvert exited ${r.status}: ${r.stderr.slice(-800)}`];
    const h = spawnSync(JUPYTER[0], [...JUPYTER.slice(1), 'nbconvert', '--to', 'html', '--output-dir', outDir, executed], { encoding: 'utf8', env });
    if (h.status !== 0 && problems.length === 0) problems.push(`html export failed: ${h.stderr.slice(-400)}`);
    return { notebook: name, executed, html: executed.replace(/\.ipynb$/, '.html'), problems };
  });
}
