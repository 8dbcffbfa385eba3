// Worker lanes end only workers that have loaded: Node 20 aborts the whole process (a native
// "FATAL ERROR: v8::Module::IsGraphAsync ..." and no exit code) when a worker is terminated while
// it still loads its ES modules. CI met it on bad input: a sweep starts its workers first, then
// refuses the input and ends them at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { WorkerLanes } from '../src/sweep/pool.js';

test('lanes ended at once are ended only after each worker has loaded (it answered its probe)', async () => {
  const lanes = new WorkerLanes(2);
  await lanes.destroy();
  assert.deepEqual(lanes.pools.map((p) => p.completed), [1, 1]);
});

test('lanes ended while their workers load, again and again: the process survives', () => {
  const pool = new URL('../src/sweep/pool.js', import.meta.url).href;
  // Ends come at 30% to 110% of the time a worker takes to load (measured first), 40 times: before
  // the fix about two runs in five aborted.
  const script = `
    import { WorkerLanes } from '${pool}';
    const t0 = performance.now(); const one = new WorkerLanes(1); await one.destroy(); const load = performance.now() - t0;
    for (let i = 0; i < 40; i++) { const l = new WorkerLanes(2); await new Promise((r) => setTimeout(r, load * (0.3 + i * 0.02))); await l.destroy(); }
    console.log('survived');`;
  const r = spawnSync(process.execPath, ['--single-threaded', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr.slice(0, 400));
  assert.equal(r.stdout.trim(), 'survived');
});
