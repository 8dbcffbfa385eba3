// Notebook parameters (papermill's convention) and the notebook helpers, without a kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { injectParameters, parametersOf, parseParams, notebookNames, NOTEBOOKS_DIR, REFERENCE_DIR, jupyterAvailable } from '../src/analysis/notebooks.js';
import { markdownTablesToHtml, tableHtml } from '../src/analysis/notebook-kit.js';

const BIN = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));
const load = (n: string) => JSON.parse(readFileSync(join(NOTEBOOKS_DIR, `${n}.ipynb`), 'utf8'));

test('every notebook opens with a markdown narrative and a first code cell tagged parameters', () => {
  for (const n of notebookNames()) {
    const nb = load(n);
    assert.equal(nb.cells[0].cell_type, 'markdown');
    assert.match([nb.cells[0].source].flat().join(''), /\*\*Question\.\*\*[\s\S]*\*\*Method\.\*\*/, n);
    const first = nb.cells.find((c: { cell_type: string }) => c.cell_type === 'code');
    assert.ok(first.metadata.tags.includes('parameters'), n);
    assert.deepEqual(parametersOf(nb)!.names, ['resultsRoot', 'experiment', 'trials', 'workers', 'seed'], n);
    assert.doesNotMatch(JSON.stringify(nb), /PAPER\.md/, n);
  }
});

test('--param values replace the parameters cell\'s values (numbers as numbers, strings quoted)', () => {
  const nb = load('table4');
  const out = injectParameters(nb, { trials: '5', resultsRoot: '/tmp/my results' });
  const cell = parametersOf(out)!.cell;
  const src = [cell.source].flat().join('');
  assert.match(src, /^const trials = 5;/m);
  assert.match(src, /^const resultsRoot = "\/tmp\/my results";/m);
  assert.match(src, /^const workers = 1;/m, 'untouched values stay');
  assert.ok(cell.metadata!.tags!.includes('injected-parameters'));
  assert.equal([parametersOf(nb)!.cell.source].flat().join('').includes('const trials = 0;'), true, 'the original is not modified');
  assert.throws(() => parseParams(['nosuch=1']), /unknown notebook parameter 'nosuch'; valid: experiment, resultsRoot, seed, trials, workers/);
  assert.throws(() => parseParams(['trials']), /not k=v/);
});

test('notebooks --only with an unknown name fails with exit 2 naming the valid ones', () => {
  const r = spawnSync(process.execPath, [BIN, 'notebooks', '--only', 'nosuch'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown notebook 'nosuch'; valid: approaches, fault-injection/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  const p = spawnSync(process.execPath, [BIN, 'notebooks', '--param', 'colour=red'], { encoding: 'utf8' });
  assert.equal(p.status, 2);
});

test('one table helper: markdown tables, row objects and frames all become HTML tables', () => {
  const html = markdownTablesToHtml(['**transient** faults', '', '| a | b |', '|---|---|', '| x | 1% |']);
  assert.match(html, /<p><b>transient<\/b> faults<\/p>/);
  assert.match(html, /<th>a<\/th><th>b<\/th>[\s\S]*<td style="text-align:left">x<\/td><td style="text-align:right">1%<\/td>/);
  assert.match(tableHtml([{ k: 1.23456 }]), /<td style="text-align:right">1\.235<\/td>/);
  assert.match(tableHtml({ columns: ['c'], values: [['v']] }), /<th>c<\/th>[\s\S]*>v</);
});

/** Pids of processes whose command line matches `pattern` (pgrep -f). */
const pids = (pattern: string): number[] => (spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).map(Number);
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('Ctrl-C while the notebooks execute: their kernels and runner are gone, one line, exit 130, no half-run notebook written',
  { skip: jupyterAvailable() || process.env.CI ? undefined : 'Jupyter is not installed (scripts/install.sh installs it)' }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'nb-int-'));
    // Its own process group, so the SIGINT goes to the group as a terminal's Ctrl-C does.
    const child = spawn(process.execPath, [BIN, 'notebooks', '--results', REFERENCE_DIR, '--out', out], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const seen = new Set<number>();
    const t0 = Date.now();
    // Interrupt while the first notebooks' kernels run (after their first cell), noting the kernels.
    while (!/cell 1\/\d+ done/.test(stderr) && Date.now() - t0 < 120_000) {
      for (const pid of pids('tslab kernel')) seen.add(pid);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const pid of pids('tslab kernel')) seen.add(pid);
    const runner = pids(out).filter((p) => p !== child.pid);
    assert.ok(seen.size > 0 && runner.length > 0, `kernels ${[...seen]} and the runner ${runner} seen running`);
    process.kill(-child.pid!, 'SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 130);
    const lines = stderr.split('\n').filter((l) => l.startsWith('shadowbench:'));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^shadowbench: interrupted \(SIGINT\): the notebooks' kernels are shut down/);
    assert.doesNotMatch(stderr, /Traceback|at .*\.js:\d+/);
    // Kernels are shut down before the runner exits; a killed process may take a moment to go.
    for (let i = 0; i < 50 && [...seen, ...runner].some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([...seen, ...runner].filter(alive), [], 'no kernel or runner left');
    // The run was cut short, and a notebook is written only when it ran to its end.
    const written = notebookNames().filter((n) => existsSync(join(out, `${n}.ipynb`)));
    assert.ok(written.length < notebookNames().length, `stopped before the end (written: ${written.join(', ') || 'none'})`);
    for (const n of written) assert.ok(!/stopped|CancelledError/.test(readFileSync(join(out, `${n}.ipynb`), 'utf8')), n);
  });
