// The measuring helpers of `bench` respond to their inputs (speed itself is never asserted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilationsIn, machineLoop, median, phasesIn, poolPass, project, sampleStep, spreadSample, trialsAtScale, withGc } from '../src/cli/bench-measure.js';
import { countTrials, loadExperiment, planTrials } from '../src/sweep/experiment.js';
import { WorkerLanes } from '../src/sweep/pool.js';

test('the projection grows with trials and CPU per trial, shrinks with workers and efficiency, grows with pool overhead', () => {
  const base = project([{ trials: 1000, cpuMsPerTrial: 2 }], 2, 0.9, 0.05);
  assert.ok(Math.abs(base.cpuSeconds - 2) < 1e-9);
  assert.ok(project([{ trials: 2000, cpuMsPerTrial: 2 }], 2, 0.9, 0.05).wallSeconds > base.wallSeconds);
  assert.ok(project([{ trials: 1000, cpuMsPerTrial: 3 }], 2, 0.9, 0.05).wallSeconds > base.wallSeconds);
  assert.ok(project([{ trials: 1000, cpuMsPerTrial: 2 }], 4, 0.9, 0.05).wallSeconds < base.wallSeconds);
  assert.ok(project([{ trials: 1000, cpuMsPerTrial: 2 }], 2, 1.0, 0.05).wallSeconds < base.wallSeconds);
  assert.ok(project([{ trials: 1000, cpuMsPerTrial: 2 }], 2, 0.9, 0.2).wallSeconds > base.wallSeconds);
});

test('paper scale counts more trials than the default, from the experiment files', () => {
  const paper = trialsAtScale('paper'), dflt = trialsAtScale('default');
  const fi = loadExperiment('fault-injection');
  assert.equal(paper.find((x) => x.id === 'fault-injection')!.trials, countTrials(fi, fi.trialsPerCell.paper));
  assert.ok(paper.reduce((s, x) => s + x.trials, 0) > dflt.reduce((s, x) => s + x.trials, 0));
});

test('a spread sample visits every strategy, persistence and workload, and its size follows the request', () => {
  for (const step of [1, 2, 3, 6, 30, 210, 1000]) {
    const s = sampleStep(1e6, 1e6 / step);
    for (const p of [2, 3, 5, 7]) assert.ok(s === 1 || s % p !== 0, `step ${s} shares ${p} with a loop length`);
  }
  const e = loadExperiment('fault-injection');
  const sample = spreadSample(e, 'paper', 200);
  assert.ok(sample.length >= 150 && sample.length <= 250, String(sample.length));
  assert.ok(spreadSample(e, 'paper', 50).length < sample.length);
  assert.deepEqual(new Set(sample.map((t) => t.spec.strategy)), new Set(e.strategies));
  assert.deepEqual(new Set(sample.map((t) => t.spec.fault?.persistence)), new Set(e.fault!.persistence));
  assert.equal(new Set(sample.map((t) => `${t.spec.driver}/${t.spec.app}`)).size, e.workloads.length);
});

test('withGc sees collections when the work allocates', async () => {
  const m = await withGc(() => { let keep = 0; for (let i = 0; i < 200; i++) keep += new Array(20000).fill(i).length; return keep; });
  assert.equal(m.value, 200 * 20000);
  assert.ok(m.gcMs > 0 && m.cpuMs > 0 && m.wallMs > 0);
  assert.ok(m.gcShare > 0 && m.gcShare <= 1, String(m.gcShare));
});

test('bench rejects a bad count with one line and exit 2', () => {
  const bin = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, 'bench', '--repeat', '0'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--repeat must be an integer from 1 to 100, got '0'/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('bench refuses a short sweep that is not the smaller one, with one line and exit 2', () => {
  const bin = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, 'bench', '--cells', '10', '--short-cells', '30'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--short-cells \(30\) must be below --cells \(10\)/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('the median is the middle value, and the mean of the two middle ones for an even count', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([1, 2]), 1.5, "not the upper of the two");
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('the paper-scale projection runs each distinct trial once: recovery-time repeats fault-injection trials', () => {
  const paper = trialsAtScale('paper');
  const byId = new Map(paper.map((x) => [x.id, x]));
  // Every recovery-time trial (transient, restart/shadow, six workloads, seeds 0..399) is a fault-injection trial.
  assert.equal(byId.get('recovery-time')!.toRun, 0);
  assert.equal(byId.get('approaches')!.toRun, byId.get('approaches')!.trials, 'the first experiment runs all of its trials');
  assert.ok(byId.get('fault-injection')!.toRun < byId.get('fault-injection')!.trials);
  assert.equal(byId.get('poison-requests')!.toRun, byId.get('poison-requests')!.trials, 'request-triggered faults are planned nowhere else');
});

test('compilations are counted from what this V8 prints with --trace-opt, and none without its optimiser', () => {
  const hot = 'function f(x) { return x * 2 + 1 } let s = 0; for (let i = 0; i < 1e6; i++) s += f(i); console.log(s)';
  const run = (...flags: string[]) => compilationsIn(spawnSync(process.execPath, [...flags, '--trace-opt', '-e', hot], { encoding: 'utf8' }).stdout);
  const on = run();
  assert.ok(on.compilations >= 1 && on.compileMs > 0, JSON.stringify(on));
  assert.deepEqual(run('--no-opt'), { compilations: 0, compileMs: 0 });
});

test('the machine loop takes longer for more work, and runs on two threads', () => {
  const small = machineLoop(1, 1), large = machineLoop(1, 16);
  assert.ok(large > small, `16 rounds ${large} s, 1 round ${small} s`);
  assert.ok(Number.isFinite(machineLoop(2, 1)) && machineLoop(2, 1) > 0);
});

test('a sweep process reports its phases: the trials phase grows with the trials, start and end fit in the wall time', () => {
  const bin = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));
  const sweepOf = (trials: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'shadowbench-phases-'));
    try {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [bin, 'sweep', 'table4', '--trials', String(trials), '--workers', '1', '--out', join(dir, 'r')],
        { encoding: 'utf8', env: { ...process.env, SHADOWBENCH_REPORT_RSS: '1' } });
      const wall = (performance.now() - t0) / 1000;
      assert.equal(r.status, 0, r.stderr);
      const p = phasesIn(r.stdout, wall);
      assert.ok(p.startS > 0 && p.trialsS > 0 && p.endS >= 0 && p.startS + p.trialsS + p.endS <= wall + 1e-9, JSON.stringify({ p, wall }));
      return p;
    } finally { rmSync(dir, { recursive: true, force: true }); }
  };
  const few = sweepOf(1), many = sweepOf(12);
  assert.ok(many.trialsS > few.trialsS, `12 per cell ${many.trialsS} s, 1 per cell ${few.trialsS} s`);
  assert.throws(() => phasesIn('maxRssKb=1', 1), /phases/);
});

test('a pass on warm workers runs every trial on those same workers, and takes longer for more trials', async () => {
  const trials = planTrials(loadExperiment('fault-injection'), 1);
  const dir = mkdtempSync(join(tmpdir(), 'shadowbench-pass-'));
  const lanes = new WorkerLanes(2);
  try {
    await poolPass(lanes, trials, join(dir, 'warm.jsonl'));
    const threads = () => lanes.pools.map((p) => p.threads.map((t) => t.threadId).join());
    const before = threads(), done = lanes.pools.map((p) => p.completed);
    const few = await poolPass(lanes, trials.slice(0, 12), join(dir, 'few.jsonl'));
    const all = await poolPass(lanes, trials, join(dir, 'all.jsonl'));
    // The same worker threads ran the later passes (warm: not replaced, not bypassed).
    assert.deepEqual(threads(), before);
    lanes.pools.forEach((p, i) => assert.ok(p.completed > done[i], `lane ${i} ran no task of the later passes`));
    const lines = readFileSync(join(dir, 'all.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, trials.length);
    assert.deepEqual(new Set(lines.map((l) => JSON.parse(l).key)), new Set(trials.map((t) => t.key)));
    assert.ok(few > 0 && all > few, `${trials.length} trials took ${all} s, 12 took ${few} s`);
  } finally { await lanes.destroy(); rmSync(dir, { recursive: true, force: true }); }
});
