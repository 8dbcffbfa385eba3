// examples/slurm-array.sh outside SLURM, with the variables an array task gets: which shard it
// runs, re-submits with N given, bad task numbers. (A real cluster runs it in CI:
// scripts/slurm-check.sh.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../examples/slurm-array.sh', import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The example as an array task with `env`, none of the caller's own SLURM variables. */
function task(env: Record<string, string>, ...args: string[]) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLURM_') && k !== 'SHADOWBENCH_OUT' && k !== 'SHADOWBENCH_DIR'));
  return spawnSync('bash', [script, ...args], { cwd: tmpdir(), encoding: 'utf8', env: { ...base, SLURM_SUBMIT_DIR: repo, ...env } });
}

test('an array task runs its shard K/N into the results root, from the submit directory; run again it resumes', () => {
  const out = mkdtempSync(join(tmpdir(), 'shadowbench-slurm-'));
  try {
    // Task 2 re-submitted alone: SLURM counts 1 task, N comes from the third argument.
    const env = { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '1', SLURM_CPUS_PER_TASK: '1', SHADOWBENCH_OUT: out };
    const r = task(env, 'log-growth', 'default', '3');
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(readFileSync(join(out, 'log-growth', 'shards', '2', 'manifest.json'), 'utf8'));
    assert.deepEqual(m.shard, { k: 2, n: 3 });
    assert.equal(m.status, 'complete');
    assert.equal(m.workers, 1);
    const again = task(env, 'log-growth', 'default', '3');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /\(0 to run\)/);
  } finally { rmSync(out, { recursive: true, force: true }); }
});

test('a task outside 1..N, no array, or no repository: one line and exit 2', () => {
  const bad = task({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '3' }, 'log-growth');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /task 0 is not in 1\.\.3/);
  const over = task({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '1' }, 'log-growth');
  assert.equal(over.status, 2);
  assert.match(over.stderr, /give N as the third argument/);
  const none = task({}, 'log-growth');
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /run as an array job/);
  const elsewhere = task({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '1', SLURM_SUBMIT_DIR: tmpdir() }, 'log-growth');
  assert.equal(elsewhere.status, 2);
  assert.match(elsewhere.stderr, /submit from the repository or set SHADOWBENCH_DIR/);
});
