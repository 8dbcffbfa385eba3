// Results you can trust: run identity (resume, merge, readers), isolation of a runaway trial,
// one writer per directory, the parameter schema, and replay commands that replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, appendFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sweep } from '../src/cli/sweep.js';
import { WorkerLanes } from '../src/sweep/pool.js';
import { merge } from '../src/cli/merge.js';
import { pickRuns } from '../src/analysis/records.js';
import { acquireLock } from '../src/sweep/lock.js';
import { runTrial } from '../src/trial/run.js';
import { PARAM_SCHEMA, DEFAULT_PARAMS, checkParam } from '../src/params.js';
import { validateExperiment } from '../src/sweep/experiment.js';

const bin = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'shadowbench-integrity-'));
const records = (dir: string) => readFileSync(join(dir, 'records.jsonl'), 'utf8');
const lines = (dir: string) => records(dir).split('\n').filter(Boolean).map((l) => JSON.parse(l));
const cli = (...args: string[]) => spawnSync(process.execPath, ['--single-threaded', bin, ...args], { encoding: 'utf8' });
const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

/** A small experiment of the user's own: e1000 file transfer, shadow, transient faults. */
function ownExperiment(dir: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, `exp-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({
    id: 'mine', description: 'a small experiment', workloads: [{ driver: 'e1000', app: 'file-transfer' }], strategies: ['shadow'],
    fault: { type: 'random', persistence: ['deterministic'] }, trialsPerCell: { default: 3, paper: 3 }, ...extra,
  }));
  return file;
}

test('resume refuses a run of another definition and names what changed: experiment, parameter, code', async () => {
  const base = tmp();
  const exp = ownExperiment(base);
  const dir = await sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, out: join(base, 'r'), resume: false, quiet: true });
  const before = records(dir);
  // The same id, another definition (a copy under a new name with seedBase 100).
  const changed = ownExperiment(base, { seedBase: 100 });
  await assert.rejects(sweep({ experiment: changed, scale: 'default', workers: 0, batch: 4, out: dir, resume: true, quiet: true }), /different definition: experiment seedBase \(0 -> 100\)/);
  // A parameter of data/params.json and the code, as a run made before the edit records them.
  const m = readJson(join(dir, 'manifest.json'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, identity: { ...m.identity, hash: 'x', params: { ...m.identity.params, moduleLoadUs: 1 } } }));
  await assert.rejects(sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, out: dir, resume: true, quiet: true }), /parameter moduleLoadUs \(1 -> 2000\)/);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, identity: { ...m.identity, hash: 'x', code: { commit: 'abc', tree: 'def' } } }));
  await assert.rejects(sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, out: dir, resume: true, quiet: true }), /code under src\/ or data\/ \(tree def/);
  assert.equal(records(dir), before, 'refusals change nothing');
  // With the original manifest back, resume continues (nothing left to run).
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  await sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, out: dir, resume: true, quiet: true });
  assert.equal(records(dir), before);
});

test('reproduce-style reuse: a changed definition runs afresh beside the old run, and the readers pick the new one', async () => {
  const base = tmp();
  const root = join(base, 'results');
  const exp = join(base, 'mine.json');
  writeFileSync(exp, readFileSync(ownExperiment(base)));
  const old = await sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, root, resume: true, quiet: true, onOtherIdentity: 'new-dir' });
  // Same definition: reused as it is.
  assert.equal(await sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, root, resume: true, quiet: true, onOtherIdentity: 'new-dir' }), old);
  writeFileSync(exp, readFileSync(ownExperiment(base, { paramSets: [{ name: 'default', params: { moduleLoadUs: 50_000 } }] })));
  const fresh = await sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, root, resume: true, quiet: true, onOtherIdentity: 'new-dir' });
  assert.notEqual(fresh, old);
  const recoveredOld = lines(old).filter((r) => r.recoveries.succeeded > 0), recoveredNew = lines(fresh).filter((r) => r.recoveries.succeeded > 0);
  assert.ok(recoveredOld.length > 0 && recoveredNew.length > 0, 'some faults were recovered');
  assert.ok(recoveredNew[0].recoveryUs > recoveredOld[0].recoveryUs + 40_000, 'the new module load time shows in the new records');
  // The user's own file is not in experiments/: both runs compare with themselves; the larger/newer wins.
  const picked = pickRuns(root, { warn: () => {} }).get('mine')!;
  assert.equal(picked.dir, fresh);
});

test('merge refuses a missing, a foreign or a conflicting record, names it, and leaves no --out', async () => {
  const base = tmp();
  const exp = ownExperiment(base);
  const s1 = await sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, shard: '1/2', out: join(base, 's1'), resume: false, quiet: true });
  const s2 = await sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, shard: '2/2', out: join(base, 's2'), resume: false, quiet: true });
  const out = join(base, 'merged');
  const damaged = (name: string, edit: (ls: string[]) => string[]) => {
    const d = join(base, name);
    cpSync(s2, d, { recursive: true });
    writeFileSync(join(d, 'records.jsonl'), `${edit(records(s2).split('\n').filter(Boolean)).join('\n')}\n`);
    return d;
  };
  const missing = damaged('missing', (ls) => ls.slice(1));
  assert.throws(() => merge([s1, missing], out), /1 planned record is missing \(mine\/e1000\/file-transfer\/default\/deterministic\/00000\d\/shadow\)/);
  const foreign = damaged('foreign', (ls) => [...ls, ls[0].replace('"key":"mine/', '"key":"zzz/')]);
  assert.throws(() => merge([s1, foreign], out), /1 foreign record not in the sweep's plan \(zzz\/e1000/);
  const other = damaged('other', (ls) => [...ls, records(s1).split('\n')[0]]);
  assert.throws(() => merge([s1, other], out), /record of another shard/);
  // A shard of another definition (seedBase 500) has another identity.
  const far = await sweep({ experiment: ownExperiment(base, { seedBase: 500 }), scale: 'default', workers: 0, batch: 4, shard: '2/2', out: join(base, 'far'), resume: false, quiet: true });
  assert.throws(() => merge([s1, far], out), /different definition/);
  assert.equal(existsSync(out), false, 'a failed merge leaves no --out');
  assert.equal(merge([s1, s2], out), 3);
});

test('a runaway trial costs only itself: 15 ordinary records and 1 harness-error, the same bytes for --batch 1 and --batch 16 on 1 or 2 workers', async () => {
  const base = tmp();
  // Sixteen parameter sets of one trial each; one asks for a 256 MiB transfer with an event
  // budget and deadline to match: a legal but huge workload that overruns the task timeout.
  // The runaway sits in the middle of the batch: trials after it must not time out with it.
  const sets = Array.from({ length: 15 }, (_, i) => ({ name: `p${String(i).padStart(2, '0')}`, params: { linkPropagationUs: 5 + i } }));
  sets.splice(7, 0, { name: 'runaway', params: { fileTransferBytes: PARAM_SCHEMA.fileTransferBytes.max, fileTransferPaceBytesPerSec: 0, maxEventsPerTrial: PARAM_SCHEMA.maxEventsPerTrial.max, trialDeadlineUs: PARAM_SCHEMA.trialDeadlineUs.max } } as never);
  const exp = ownExperiment(base, { strategies: ['native'], fault: null, paramSets: sets, trialsPerCell: { default: 1, paper: 1 } });
  const run = (name: string, batch: number, workers: number) => sweep({ experiment: exp, scale: 'default', workers, batch, out: join(base, name), resume: false, quiet: true, taskTimeoutMs: 3000 });
  const one = await run('b1', 1, 2), sixteen = await run('b16', 16, 1), twoWorkers = await run('b16w2', 16, 2);
  // Which guard stops the runaway, the task timeout or the worker's heap limit, is a race of
  // speeds; every other record must be the same bytes whatever the batch and worker count.
  const healthy = (dir: string) => records(dir).split('\n').filter((l) => !l.includes('"outcome":"harness-error"')).join('\n');
  assert.equal(healthy(one), healthy(sixteen));
  assert.equal(healthy(twoWorkers), healthy(one));
  const rs = lines(one);
  assert.equal(rs.length, 16);
  const bad = rs.filter((r) => r.outcome === 'harness-error');
  assert.equal(bad.length, 1);
  assert.match(bad[0].key, /\/runaway\//);
  for (const dir of [one, sixteen, twoWorkers]) {
    const [r] = lines(dir).filter((x) => x.outcome === 'harness-error');
    assert.match(r.key, /\/runaway\//);
    assert.match(r.reason, /(exceeded the task timeout of 3 s|exhausted its heap).*; replay: npx shadowbench trial .*--param fileTransferBytes=268435456/);
  }
  assert.ok(rs.filter((r) => r.outcome !== 'harness-error').every((r) => r.outcome === 'correct'));
  // On workers shared with the next sweep (reproduce): the runaway's worker is replaced, its
  // records are the same, and the next sweep on those workers gives the records of fresh ones.
  const lanes = new WorkerLanes(2);
  try {
    const shared = await sweep({ experiment: exp, scale: 'default', workers: 2, batch: 16, out: join(base, 'shared'), resume: false, quiet: true, taskTimeoutMs: 3000, lanes });
    assert.equal(healthy(shared), healthy(one));
    const next = (name: string, workers: number, l?: WorkerLanes) => sweep({ experiment: 'table4', scale: 'default', trials: 1, workers, batch: 4, out: join(base, name), resume: false, quiet: true, lanes: l });
    assert.equal(records(await next('after', 2, lanes)), records(await next('fresh', 0)));
  } finally { await lanes.destroy(); }
});

test('readers skip damaged and incomplete runs with one warning each and use the complete one', async () => {
  const base = tmp();
  const root = join(base, 'results');
  const exp = ownExperiment(base);
  const good = await sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, out: join(root, 'mine', 'good'), resume: false, quiet: true });
  const copy = (name: string) => { const d = join(root, 'mine', name); cpSync(good, d, { recursive: true }); return d; };
  appendFileSync(join(copy('torn'), 'records.jsonl'), '{"key":"mine/e1');
  writeFileSync(join(copy('corrupt'), 'manifest.json'), '{"format": "shadowbench-res');
  appendFileSync(join(copy('foreign'), 'records.jsonl'), '["not","an","object"]\n');
  const m = readJson(join(good, 'manifest.json'));
  writeFileSync(join(copy('running'), 'manifest.json'), JSON.stringify({ ...m, status: 'running' }));
  // A newer complete run with a single trial must not beat the complete one.
  const small = await sweep({ experiment: exp, scale: 'default', trials: 1, workers: 0, batch: 4, out: join(root, 'mine', 'tiny'), resume: false, quiet: true });
  mkdirSync(join(root, 'empty-experiment'));
  writeFileSync(join(root, 'REPORT.md'), 'not a run');
  const warnings: string[] = [];
  const picked = pickRuns(root, { warn: (l) => warnings.push(l) });
  assert.equal(picked.get('mine')!.dir, good);
  assert.equal(warnings.length, 4, warnings.join('\n'));
  for (const name of ['torn', 'corrupt', 'foreign', 'running']) assert.ok(warnings.some((w) => w.includes(join('mine', name))), name);
  assert.equal(pickRuns(root, { runs: [small], warn: () => {} }).get('mine')!.dir, small, '--run DIR wins');
  // The CLI: the report over this root exits 0 and names the skipped runs on stderr.
  const r = cli('report', root);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('warning: skipping')).length, 4, r.stderr);
});

test('resume drops lines that are not records of the run and never counts below zero', async () => {
  const base = tmp();
  const exp = ownExperiment(base);
  const full = await sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, out: join(base, 'full'), resume: false, quiet: true });
  const dir = join(base, 'damaged');
  cpSync(full, dir, { recursive: true });
  const m = readJson(join(dir, 'manifest.json'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, status: 'running' }));
  const first = records(full).split('\n')[0];
  writeFileSync(join(dir, 'records.jsonl'), [first, '{"key":"zzz-foreign"}', '["not","an","object"]', 'null', '123', '{}', first, ''].join('\n'));
  const r = cli('sweep', exp, '--workers', '0', '--out', dir, '--resume');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /dropped 6 lines that are not a record of this run/);
  assert.match(r.stderr, /3 trials \(2 to run\)/);
  assert.equal(records(dir), records(full));
});

test('one writer per results directory: a second sweep names the holder; a dead holder\'s lock is taken over', async () => {
  const base = tmp();
  const exp = ownExperiment(base);
  const dir = join(base, 'r');
  mkdirSync(dir);
  const release = acquireLock(dir);
  const r = cli('sweep', exp, '--workers', '0', '--out', dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`'${dir}' is in use by pid ${process.pid}`));
  assert.equal(existsSync(join(dir, 'manifest.json')), false, 'the refused sweep wrote nothing');
  release();
  // A lock left by a process that is gone.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: Number(dead.stdout), host: (await import('node:os')).hostname(), command: 'old', since: 'then' }));
  assert.equal(cli('sweep', exp, '--workers', '0', '--out', dir).status, 0);
  assert.equal(existsSync(join(dir, '.lock')), false, 'the lock is released');
});

test('SIGINT during a sweep stops the workers, leaves a resumable run and says how to resume', async () => {
  const base = tmp();
  const dir = join(base, 'r');
  const args = ['sweep', ownExperiment(base, { trialsPerCell: { default: 30, paper: 30 } }), '--workers', '1', '--batch', '2'];
  const child = spawn(process.execPath, ['--single-threaded', bin, ...args, '--out', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const t0 = Date.now();
  while (!(existsSync(join(dir, 'records.jsonl')) && readFileSync(join(dir, 'records.jsonl'), 'utf8').split('\n').length > 10) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGINT');
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted \(SIGINT\): .* is kept and resumable; continue with: npx shadowbench sweep .*exp-.*\.json .*--out .* --resume/);
  assert.equal(existsSync(join(dir, '.lock')), false);
  assert.equal(readJson(join(dir, 'manifest.json')).status, 'running');
  assert.equal(cli(...args, '--out', dir, '--resume').status, 0);
  assert.equal(cli(...args, '--out', join(base, 'full')).status, 0);
  assert.equal(records(dir), records(join(base, 'full')));
});

test('the parameter schema: every entry has unit, range and source; overrides are checked everywhere (own keys only)', () => {
  for (const [k, s] of Object.entries(PARAM_SCHEMA)) {
    assert.ok(s.unit && s.source && s.min <= s.value && s.value <= s.max, k);
    assert.equal(DEFAULT_PARAMS[k as keyof typeof DEFAULT_PARAMS], s.value);
  }
  const spec = { driver: 'e1000', app: 'file-transfer', strategy: 'native', seed: 1, fault: null };
  for (const [params, msg] of [
    [{ constructor: 1 }, /unknown parameter 'constructor'/], [{ toString: 1 }, /unknown parameter 'toString'/],
    [{ streamSegmentBytes: 0 }, /streamSegmentBytes must be in \[64, 65536\] bytes, got 0/], [{ qdiscFrames: 0.5 }, /qdiscFrames must be an integer/],
    [{ transientShare: 5 }, /transientShare must be in \[0, 1\]/], [{ linkMbps: 0 }, /linkMbps must be in/], [{ maxEventsPerTrial: 0 }, /maxEventsPerTrial must be in/],
    [{ fileTransferBytes: -5 }, /fileTransferBytes must be in/], [{ linkMbps: '100' }, /must be a number/],
  ] as const) assert.throws(() => runTrial({ ...spec, params: params as never }), msg);
  const ok = { id: 'x', description: 'd', workloads: 'paper', strategies: ['shadow'], fault: null, trialsPerCell: { default: 1, paper: 2 } };
  assert.throws(() => validateExperiment({ ...ok, paramSets: [{ name: 'a', params: { toString: 1 } }] }, 'x.json'), /paramSets\[0\].params.toString' unknown parameter/);
  assert.throws(() => validateExperiment({ ...ok, paramSets: [{ name: 'a', params: { linkMbps: 0 } }] }, 'x.json'), /linkMbps must be in/);
  assert.equal(checkParam('linkMbps', 10), 10);
  // A range that moves moves the verdict: the boundary values pass, one step outside fails.
  const s = PARAM_SCHEMA.streamSegmentBytes;
  assert.doesNotThrow(() => checkParam('streamSegmentBytes', s.min));
  assert.doesNotThrow(() => checkParam('streamSegmentBytes', s.max));
  assert.throws(() => checkParam('streamSegmentBytes', s.max + 1));
});

test('every replay command re-parses to the same record (faults, bits, parameters, small decimals)', async () => {
  const base = tmp();
  const exp = ownExperiment(base, {
    workloads: [{ driver: 'e1000', app: 'file-transfer' }, { driver: 'ide-disk', app: 'compiler' }], strategies: ['native', 'shadow'],
    fault: { type: 'random', persistence: ['transient', 'deterministic'] }, trialsPerCell: { default: 1, paper: 1 },
    paramSets: [{ name: 'odd', params: { copyNsPerByte: 0.0000001, linkPropagationUs: 123456.789, diskSectors: 1073741824 } }],
  });
  const dir = await sweep({ experiment: exp, scale: 'default', workers: 0, batch: 4, out: join(base, 'r'), resume: false, quiet: true });
  const rs = lines(dir);
  assert.equal(rs.length, 8);
  for (const r of rs) {
    assert.doesNotMatch(r.replay, /\de\+/, 'no 1e+21-style number (the CLI rejects it)');
    const argv = r.replay.replace(/^npx shadowbench /, '').split(' ');
    const again = cli(...argv, '--json');
    assert.equal(again.status, 0, `${r.replay}: ${again.stderr}`);
    const { key: _key, ...rec } = r;
    assert.deepEqual(JSON.parse(again.stdout), rec, r.replay);
  }
});

test('the code identity covers what makes records, not what presents them', async () => {
  const { makesRecords } = await import('../src/sweep/identity.js');
  for (const f of ['src/kernel/kernel.ts', 'src/drivers/net/e1000.ts', 'src/sweep/run-one.ts', 'src/analysis/paper.ts', 'data/paper.json']) assert.equal(makesRecords(f), true, f);
  for (const f of ['src/analysis/report.ts', 'src/analysis/figures.ts', 'src/cli/report.ts', 'data/params.json']) assert.equal(makesRecords(f), false, f);
});
