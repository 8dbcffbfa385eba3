// The bad-input table: every row is a command, its exit code, a fragment of its one-line message,
// and a check that nothing under the working directory was written or changed. Rows cover the
// classes of issue 14's review (1-10) and the CLI conventions; add a row with every new option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync, cpSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sweep } from '../src/cli/sweep.js';

const bin = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));

/** Every file under `dir` with a hash of its bytes: equal snapshots mean nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) { out[`${p}/`] = 'dir'; walk(p); } else out[p] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function run(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--single-threaded', bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    c.stdout.on('data', (d) => { stdout += d; });
    c.stderr.on('data', (d) => { stderr += d; });
    c.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const T = ['trial', '--driver', 'e1000', '--app', 'file-transfer', '--strategy', 'native', '--seed', '1'];

test('bad input: one line, exit 2, nothing written (the table)', async () => {
  const base = mkdtempSync(join(tmpdir(), 'shadowbench-bad-'));
  // Fixtures: a small experiment of the user's own, a complete run of it and two shards, damaged copies.
  const exp = { id: 'mine', description: 'd', workloads: [{ driver: 'e1000', app: 'file-transfer' }], strategies: ['shadow'], fault: { type: 'random', persistence: ['deterministic'] }, trialsPerCell: { default: 2, paper: 2 } };
  writeFileSync(join(base, 'mine.json'), JSON.stringify(exp));
  writeFileSync(join(base, 'seed100.json'), JSON.stringify({ ...exp, seedBase: 100 }));
  writeFileSync(join(base, 'broken.json'), '{"id": "mine", "descr');
  writeFileSync(join(base, 'ctor.json'), JSON.stringify({ ...exp, paramSets: [{ name: 'a', params: { constructor: 1 } }] }));
  writeFileSync(join(base, 'a-file'), 'not a directory');
  const mine = join(base, 'mine.json');
  const good = await sweep({ experiment: mine, scale: 'default', workers: 0, batch: 4, out: join(base, 'results', 'mine', 'good'), resume: false, quiet: true });
  const s1 = await sweep({ experiment: mine, scale: 'default', workers: 0, batch: 4, shard: '1/2', out: join(base, 's1'), resume: false, quiet: true });
  const s2 = await sweep({ experiment: mine, scale: 'default', workers: 0, batch: 4, shard: '2/2', out: join(base, 's2'), resume: false, quiet: true });
  cpSync(s2, join(base, 's2-missing'), { recursive: true });
  writeFileSync(join(base, 's2-missing', 'records.jsonl'), '');
  cpSync(s2, join(base, 's2-foreign'), { recursive: true });
  const line = readFileSync(join(s2, 'records.jsonl'), 'utf8').split('\n')[0];
  writeFileSync(join(base, 's2-foreign', 'records.jsonl'), `${line}\n${line.replace('"key":"mine/', '"key":"zzz/')}\n`);
  cpSync(good, join(base, 'torn-manifest'), { recursive: true });
  writeFileSync(join(base, 'torn-manifest', 'manifest.json'), readFileSync(join(good, 'manifest.json'), 'utf8').slice(0, 40));
  mkdirSync(join(base, 'locked'));
  writeFileSync(join(base, 'locked', '.lock'), JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), command: 'the test', since: 'now' }));

  const rows: Array<[string[], number, RegExp]> = [
    // 1. another definition with the same id: resume and merge refuse
    [['sweep', 'seed100.json', '--out', good, '--resume'], 2, /different definition: experiment seedBase \(0 -> 100\)/],
    [['sweep', 'mine.json', '--trials', '1', '--out', good, '--resume'], 2, /different definition: .*trials per cell \(2 -> 1\)/],
    [['sweep', 'mine.json', '--out', good], 2, /already holds results; add --resume/],
    // 3. readers: a root that is a file, an unwritable --out
    [['report', 'a-file'], 2, /results root 'a-file' is not a directory/],
    [['figures', 'a-file'], 2, /results root 'a-file' is not a directory/],
    [['report', 'results', '--out', '/proc/no/such/report.md'], 2, /cannot use '\/proc\/no\/such': ENOENT/],
    [['report', 'nowhere'], 2, /no results at 'nowhere'/],
    [['report', '--run', 'torn-manifest'], 2, /manifest.json is damaged/],
    // 4. merge: counts and keys, one identity, and no --out left behind
    [['merge', 's1', 's2-missing', '--out', 'merged'], 2, /s2-missing: 1 planned record is missing/],
    [['merge', 's1', 's2-foreign', '--out', 'merged'], 2, /s2-foreign: 1 foreign record not in the sweep's plan \(zzz\//],
    [['merge', good, good, '--out', 'merged'], 2, /shards do not cover 1..1 exactly once/],
    [['merge', 's1', 'torn-manifest', '--out', 'merged'], 2, /torn-manifest\/manifest.json is damaged/],
    // 6. one writer per directory
    [['sweep', 'mine.json', '--out', 'locked'], 2, new RegExp(`'locked' is in use by pid ${process.pid} .*the test`)],
    // 7. parameter ranges and names (own keys only)
    [[...T, '--param', 'fileTransferBytes=-5'], 2, /--param fileTransferBytes must be in \[1, 268435456\] bytes, got -5/],
    [[...T, '--param', 'streamSegmentBytes=0'], 2, /streamSegmentBytes must be in \[64, 65536\]/],
    [[...T, '--param', 'linkMbps=0'], 2, /linkMbps must be in/],
    [[...T, '--param', 'transientShare=5'], 2, /transientShare must be in \[0, 1\] share/],
    [[...T, '--param', 'qdiscFrames=0.5'], 2, /qdiscFrames must be an integer/],
    [[...T, '--param', 'maxEventsPerTrial=0'], 2, /maxEventsPerTrial must be in/],
    [[...T, '--param', 'constructor=1'], 2, /unknown --param 'constructor'/],
    [[...T, '--param', 'toString=1'], 2, /unknown --param 'toString'/],
    [[...T, '--param', 'linkMbps='], 2, /--param takes name=value/],
    [[...T, '--param', 'linkMbps=fast'], 2, /linkMbps must be a number/],
    [['sweep', 'mine.json', '--param', 'toString=1', '--out', 'x'], 2, /unknown --param 'toString'/],
    [['sweep', 'mine.json', '--param', 'linkMbps=10,10', '--out', 'x'], 2, /lists a value twice/],
    [['sweep', 'ctor.json', '--out', 'x'], 2, /paramSets\[0\].params.constructor' unknown parameter 'constructor'/],
    [['overhead', '--bytes', '-1'], 2, /--bytes must be an integer from 1048576/],
    [['overhead', '--bytes', '0'], 2, /--bytes must be an integer from 1048576/],
    // 8. --bit within the site's width; numbers that would print as 1e+23
    [[...T, '--fault', 'value-corrupt-src', '--bit', '32'], 2, /bit must be an integer in \[0, 31\]/],
    [[...T, '--fault', 'value-corrupt-src', '--bit', '100000000000000000000000'], 2, /--bit must be a non-negative integer below 2\^53/],
    [[...T, '--arm-at', '1e+23'], 2, /--arm-at must be a non-negative integer/],
    [[...T, '--seed', '1e3'], 2, /--seed must be a non-negative integer/],
    // 9. no stack traces: broken files, zero counts
    [['sweep', 'broken.json', '--out', 'x'], 2, /broken.json is not valid JSON/],
    [['sweep', 'no-such-file.json', '--out', 'x'], 2, /cannot read experiment file 'no-such-file.json': ENOENT/],
    [['sweep', 'mine.json', '--out', 'torn-manifest', '--resume'], 2, /torn-manifest\/manifest.json is damaged/],
    [['bench', '--trials', '0'], 2, /--trials must be an integer from 1/],
    [['sweep', 'mine.json', '--out', 'a-file/x'], 2, /cannot write results to 'a-file\/x': ENOTDIR/],
    // 10. nonsense that used to exit 0
    [['overhead', '--seeds', '0'], 2, /--seeds must be an integer from 1/],
    [['campaign', '--strategies', 'native,native'], 2, /--strategies lists 'native' twice/],
    [['campaign', '--strategies', 'native,magic'], 2, /--strategies: unknown 'magic'; valid: native/],
    [['notebooks', '--only', 'nosuch'], 2, /unknown notebook 'nosuch'; valid: approaches, .*table4/],
    [['sweep', 'mine.json', '--trials', '1e300', '--out', 'x'], 2, /--trials must be an integer from 1 to 1000000, got '1e\+300'/],
    [['sweep', 'mine.json', '--shard', '1/99999999999999999999', '--out', 'x'], 2, /--shard 1\/99999999999999999999: .*N at most 2\^53/],
    [['sweep', 'mine.json', '--shard', '1/5', '--out', 'x'], 2, /N is larger than the 2 trials/],
    [[...T, '--fault', 'none', '--arm-at', '5'], 2, /--arm-at needs a fault; --fault is none/],
    [[...T, '--fault', 'none', '--bit', '3', '--trigger', '4'], 2, /--bit, --trigger need a fault/],
    // CLI conventions: choices, integer options, one message per unknown flag
    [['sweep', 'mine.json', '--scale', 'huge', '--out', 'x'], 2, /Argument: scale, Given: "huge", Choices: "default", "paper"/],
    [['reproduce', '--scale', 'huge'], 2, /Argument: scale, Given: "huge"/],
    [[...T, '--persistence', 'sometimes'], 2, /Argument: persistence, Given: "sometimes", Choices: "transient", "deterministic"/],
    [[...T, '--fault', 'gremlin'], 2, /Argument: fault, Given: "gremlin", Choices: .*branch-invert.*"random", "none"/],
    [['trial', '--driver', 'e1000', '--app', 'file-transfer', '--strategy', 'magic', '--seed', '1'], 2, /Argument: strategy, Given: "magic"/],
    [['overhead', '--driver', 'audigy'], 2, /Argument: driver, Given: "audigy", Choices: "e1000", "pcnet32"$/m],
    [['sweep', 'mine.json', '--workers', '-1', '--out', 'x'], 2, /--workers must be an integer from 0/],
    [['sweep', 'mine.json', '--batch', '0', '--out', 'x'], 2, /--batch must be an integer from 1 to 10000/],
    [['sweep', 'mine.json', '--task-timeout', '0', '--out', 'x'], 2, /--task-timeout must be an integer from 1/],
    [['sweep', 'mine.json', '--bogus', '1', '--other', '2', '--out', 'x'], 2, /^shadowbench: Unknown arguments: bogus, other$/m],
    [['frobnicate'], 2, /Unknown argument: frobnicate/],
    [[], 2, /name a command/],
    [['sweep', 'nope'], 2, /unknown experiment 'nope'; valid: .*table4.*or the path of an experiment file/],
  ];
  const before = snapshot(base);
  const results = [];
  // Two at a time: the machine is shared.
  for (let i = 0; i < rows.length; i += 2) results.push(...await Promise.all(rows.slice(i, i + 2).map(([args]) => run(base, args))));
  const failures: string[] = [];
  for (const [i, [args, code, msg]] of rows.entries()) {
    const r = results[i];
    const where = `shadowbench ${args.join(' ')}`;
    if (r.code !== code) failures.push(`${where}: exit ${r.code}, expected ${code}: ${r.stderr}`);
    else if (!msg.test(r.stderr)) failures.push(`${where}: message ${JSON.stringify(r.stderr)} does not match ${msg}`);
    else if (r.stderr.trim().split('\n').length !== 1) failures.push(`${where}: ${r.stderr.trim().split('\n').length} lines on stderr: ${r.stderr}`);
    else if (/\n\s+at /.test(r.stderr)) failures.push(`${where}: a stack trace`);
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(snapshot(base), before, 'no command wrote or changed a file');
});

test('conventions that succeed: --version, completion, --json', async () => {
  const base = mkdtempSync(join(tmpdir(), 'shadowbench-conv-'));
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const v = await run(base, ['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), pkg.version);
  const c = await run(base, ['completion']);
  assert.equal(c.code, 0);
  assert.match(c.stdout, /shadowbench/);
  assert.match(c.stdout, /complete -o/);
  const o = await run(base, ['overhead', '--bytes', '1048576', '--seeds', '1', '--json']);
  assert.equal(o.code, 0, o.stderr);
  const rows = JSON.parse(o.stdout).rows;
  assert.ok(rows.some((r: { strategy: string; set: string }) => r.strategy === 'shadow' && r.set === 'send'));
  // sweep PATH.json with a parameter grid: one parameter set per value, named after it.
  writeFileSync(join(base, 'mine.json'), JSON.stringify({ id: 'mine', description: 'd', workloads: [{ driver: 'e1000', app: 'file-transfer' }], strategies: ['native'], fault: null, trialsPerCell: { default: 1, paper: 1 } }));
  const s = await run(base, ['sweep', 'mine.json', '--workers', '0', '--param', 'linkMbps=100,1000', '--json']);
  assert.equal(s.code, 0, s.stderr);
  const out = JSON.parse(s.stdout);
  assert.equal(out.records, 2);
  const keys = readFileSync(join(base, out.dir, 'records.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(keys.map((r) => r.key.split('/')[3]), ['default-linkmbps-100', 'default-linkmbps-1000']);
  assert.deepEqual(keys.map((r) => r.spec.params.linkMbps), [100, 1000]);
  // The parameter moves the result: a tenth of the link speed takes longer.
  assert.ok(keys[0].virtualUs > keys[1].virtualUs);
});
