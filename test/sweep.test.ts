// Sweeps: determinism across worker counts and shards, crash safety, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sweep } from '../src/cli/sweep.js';
import { merge } from '../src/cli/merge.js';
import { validateExperiment, planTrials, loadExperiment } from '../src/sweep/experiment.js';
import { runPlanned } from '../src/sweep/run-one.js';
import { WorkerLanes } from '../src/sweep/pool.js';
import { groupOf } from '../src/sweep/affinity.js';

const bin = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'shadowbench-test-'));
const records = (dir: string) => readFileSync(join(dir, 'records.jsonl'), 'utf8');
const cli = (...args: string[]) => spawnSync(process.execPath, ['--single-threaded', bin, ...args], { encoding: 'utf8' });

test('the same records from 1 worker, 2 workers, in-process, and 3 merged shards', async () => {
  const base = tmp();
  const run = (name: string, workers: number, shard?: string) =>
    sweep({ experiment: 'table4', scale: 'default', trials: 2, workers, batch: 4, shard, out: join(base, name), resume: false, quiet: true });
  const one = await run('one', 1), two = await run('two', 2), zero = await run('zero', 0);
  const shards = [await run('s1', 1, '1/3'), await run('s2', 2, '2/3'), await run('s3', 0, '3/3')];
  merge(shards, join(base, 'merged'));
  const ref = records(one);
  assert.equal(ref.split('\n').filter(Boolean).length, 60);
  for (const d of [two, zero, join(base, 'merged')]) assert.equal(records(d), ref, d);
  const manifest = JSON.parse(readFileSync(join(one, 'manifest.json'), 'utf8'));
  assert.equal(manifest.status, 'complete');
  assert.ok('commit' in manifest.provenance && 'dirty' in manifest.provenance && manifest.provenance.versions.node);
});

test('sweeps one after another on the same workers (reproduce): the records of fresh workers, run by those workers, owners kept', async () => {
  const base = tmp();
  const lanes = new WorkerLanes(2);
  const threads = () => lanes.pools.map((p) => p.threads.map((t) => t.threadId).join());
  const tasks = () => lanes.pools.reduce((n, p) => n + p.completed, 0);
  const run = (experiment: string, name: string, workers: number, shared?: WorkerLanes) =>
    sweep({ experiment, scale: 'default', trials: 2, workers, batch: 4, out: join(base, name), resume: false, quiet: true, lanes: shared });
  try {
    const before = threads();
    const firstShared = await run('overhead-classes', 'a-shared', 2, lanes);
    const afterFirst = tasks();
    const ownersAfterFirst = new Map(lanes.affinity.owners);
    const secondShared = await run('fault-injection', 'b-shared', 2, lanes);
    // Both sweeps ran on these very workers: their tasks, the same threads throughout.
    assert.ok(afterFirst > 0 && tasks() > afterFirst, `tasks on the shared workers: ${afterFirst}, then ${tasks()}`);
    assert.deepEqual(threads(), before);
    assert.equal(records(firstShared), records(await run('overhead-classes', 'a-zero', 0)));
    assert.equal(records(secondShared), records(await run('fault-injection', 'b-zero', 0)));
    // The second sweep's dealer found the first one's owners (sound, block) and added network.
    assert.deepEqual(new Set(ownersAfterFirst.keys()), new Set(planTrials(loadExperiment('overhead-classes'), 1).map(groupOf)));
    for (const [w, lane] of ownersAfterFirst) assert.equal(lanes.affinity.owners.get(w), lane, `${w} kept its worker`);
    assert.ok(lanes.affinity.owners.size > ownersAfterFirst.size);
    await assert.rejects(run('table4', 'c', 1, lanes), /1 workers asked for, 2 given/);
  } finally { await lanes.destroy(); }
});

test('a sweep killed with SIGKILL resumes without losing or duplicating a trial', async () => {
  const base = tmp();
  const args = ['sweep', 'fault-injection', '--trials', '3', '--workers', '1', '--batch', '4'];
  const child = spawn(process.execPath, ['--single-threaded', bin, ...args, '--out', join(base, 'killed')], { stdio: 'ignore' });
  const file = join(base, 'killed', 'records.jsonl');
  const t0 = Date.now();
  while (!(existsSync(file) && statSync(file).size > 20_000) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const partial = records(join(base, 'killed')).split('\n').filter(Boolean).length;
  assert.ok(partial > 0 && partial < 234, `killed mid-run (${partial} records)`);
  assert.equal(cli(...args, '--out', join(base, 'killed'), '--resume').status, 0);
  assert.equal(cli(...args, '--out', join(base, 'full')).status, 0);
  assert.equal(records(join(base, 'killed')), records(join(base, 'full')));
});

test('bad input: a clear error, exit code 2, and nothing overwritten', async () => {
  const base = tmp();
  const dir = await sweep({ experiment: 'table4', scale: 'default', trials: 1, workers: 0, batch: 4, out: join(base, 't4'), resume: false, quiet: true });
  const before = records(dir);
  const cases: Array<[string[], RegExp]> = [
    [['sweep', 'nope'], /unknown experiment 'nope'; valid: .*table4/],
    [['sweep', 'table4', '--shard', '3/2'], /--shard 3\/2: K must be between 1 and N/],
    [['sweep', 'table4', '--trials', '1', '--out', '/dev/null/x'], /cannot write results to '\/dev\/null\/x': ENOTDIR/],
    [['sweep', 'fault-injection', '--trials', '1', '--out', dir, '--resume'], /holds table4 .* not fault-injection/],
    [['sweep', 'table4', '--trials', '1', '--out', dir], /already holds results; add --resume/],
    [['merge', dir, dir, '--out', join(base, 'm')], /shards do not cover 1..1 exactly once/],
  ];
  for (const [args, msg] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
  assert.equal(records(dir), before);
});

test('experiment files are validated on load; errors name the field', () => {
  const ok = { id: 'x', description: 'd', workloads: 'paper', strategies: ['shadow'], fault: null, trialsPerCell: { default: 1, paper: 2 } };
  assert.doesNotThrow(() => validateExperiment(ok, 'x.json'));
  assert.throws(() => validateExperiment({ ...ok, strategies: ['magic'] }, 'x.json'), /x.json: field 'strategies\[0\]' is 'magic'; valid: native/);
  assert.throws(() => validateExperiment({ ...ok, workloads: [{ driver: 'audigy', app: 'compiler' }] }, 'x.json'), /field 'workloads\[0\]' pairs compiler \(block\) with audigy \(sound\)/);
  assert.throws(() => validateExperiment({ ...ok, trialsPerCell: { default: 0, paper: 1 } }, 'x.json'), /field 'trialsPerCell.default'/);
  assert.throws(() => validateExperiment({ ...ok, colour: 'red' }, 'x.json'), /field 'colour' is not a known field/);
  assert.throws(() => validateExperiment({ ...ok, paramSets: [{ name: 'a', params: { warp: 9 } }] }, 'x.json'), /paramSets\[0\].params.warp/);
  // Every strategy now models every class (issue 15): the paper's workloads take replication too.
  assert.doesNotThrow(() => validateExperiment({ ...ok, strategies: ['shadow', 'replication', 'checkpoint'] }, 'x.json'));
});

test('a trial that throws becomes a harness-error record with the command that replays it', () => {
  const [t] = planTrials(loadExperiment('table4'), 1);
  const line = JSON.parse(runPlanned({ ...t, spec: { ...t.spec, app: 'no-such-app' } }));
  assert.equal(line.outcome, 'harness-error');
  assert.match(line.reason, /unknown app 'no-such-app'.*replay: npx shadowbench trial --driver audigy --app no-such-app/);
});

test('sorting a records file: by key, first of twins kept, torn last line dropped, a line longer than the read chunk intact', async () => {
  const { sortRecordsFile } = await import('../src/sweep/results.js');
  const { writeFileSync } = await import('node:fs');
  // Keys out of order, a twin (a harness-error record written after the real one), a line longer
  // than the 1 MiB read chunk, multi-byte text, and a last line cut short by a kill.
  const line = (key: string, body: string) => `{"key":"${key}","x":${JSON.stringify(body)}}`;
  const lines = [line('e/3', 'três'), line('e/1', 'a'), line('e/2', 'x'.repeat(1_500_000)), line('e/1', 'twin'), line('e/0', 'zero')];
  const dir = tmp();
  writeFileSync(join(dir, 'records.jsonl'), `${lines.join('\n')}\n{"key":"e/9","x":"cut sh`);
  assert.equal(sortRecordsFile(dir), 4);
  assert.equal(records(dir), [lines[4], lines[1], lines[2], lines[0]].join('\n') + '\n');
});
