// examples/k8s-indexed-job.yaml, validated as far as a machine without a cluster allows: the
// manifest against the batch/v1 Job schema (kubernetes-models, generated from the Kubernetes
// OpenAPI spec), the Job rules the API server adds, and its container command run by a real shell
// for every completion index, its arguments then given to the real CLI. Not checked: that a
// cluster schedules it, the image, the volume claim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';

const file = fileURLToPath(new URL('../../examples/k8s-indexed-job.yaml', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;
const manifest = (): Manifest => parse(readFileSync(file, 'utf8'));

/** Schema errors plus the rules the API server checks for Jobs beyond the schema. */
function problems(m: Manifest): string[] {
  try { new Job(m).validate(); } catch (e) { return [(e as Error).message]; }
  const out: string[] = [];
  const s = m.spec, pod = s.template.spec;
  if (m.apiVersion !== 'batch/v1' || m.kind !== 'Job') out.push(`not a batch/v1 Job: ${m.apiVersion} ${m.kind}`);
  if (!['OnFailure', 'Never'].includes(pod.restartPolicy)) out.push(`restartPolicy ${pod.restartPolicy}: a Job needs OnFailure or Never`);
  if (s.completionMode === 'Indexed' && !Number.isInteger(s.completions)) out.push('an Indexed Job needs completions');
  if (s.parallelism > s.completions) out.push('parallelism above completions');
  if (pod.containers.length !== 1) out.push('one container expected');
  return out;
}

test('the Kubernetes example is a valid batch/v1 Indexed Job', () => {
  assert.deepEqual(problems(manifest()), []);
});

test('the Job check rejects what the schema or the API server would (it can fail)', () => {
  const mutate = (f: (m: Manifest) => void) => { const m = manifest(); f(m); return problems(m); };
  assert.match(mutate((m) => { m.spec.parallelism = 'eight'; }).join(), /parallelism must be integer/);
  assert.match(mutate((m) => { m.spec.completionMode = 'Shuffled'; }).join(), /allowed values/);
  assert.match(mutate((m) => { m.spec.template.spec.containers[0].volumeMounts[0].mountPath = 7; }).join(), /mountPath must be string/);
  assert.match(mutate((m) => { m.spec.template.spec.restartPolicy = 'Always'; }).join(), /OnFailure or Never/);
  assert.match(mutate((m) => { delete m.spec.completions; }).join(), /needs completions/);
});

test('every pod runs its own shard of N = completions, resumable, with workers = CPUs requested; the real CLI accepts the command', () => {
  const m = manifest();
  const c = m.spec.template.spec.containers[0];
  const n: number = m.spec.completions;
  const dir = mkdtempSync(join(tmpdir(), 'shadowbench-k8s-'));
  try {
    // The container's command, by a real shell, in a stand-in for /app whose entry point records
    // its arguments.
    mkdirSync(join(dir, 'bin'));
    const stub = join(dir, 'bin', 'shadowbench.js');
    writeFileSync(stub, '#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\n');
    chmodSync(stub, 0o755);
    const argsOf = (index: number): string[] => {
      const argsFile = join(dir, `args-${index}`);
      const r = spawnSync(c.command[0], [...c.command.slice(1), ...c.args], { cwd: dir, encoding: 'utf8', env: { ...process.env, JOB_COMPLETION_INDEX: String(index), ARGS_FILE: argsFile } });
      assert.equal(r.status, 0, r.stderr);
      return readFileSync(argsFile, 'utf8').trimEnd().split('\n');
    };
    const opt = (args: string[], name: string) => args[args.indexOf(name) + 1];
    const outs = new Set<string>();
    for (let i = 0; i < n; i++) {
      const args = argsOf(i);
      assert.equal(opt(args, '--shard'), `${i + 1}/${n}`);
      assert.ok(args.includes('--resume'), 'a restarted pod must resume its shard');
      assert.equal(Number(opt(args, '--workers')), Number(c.resources.requests.cpu));
      assert.ok(opt(args, '--out').startsWith(c.volumeMounts[0].mountPath + '/'), 'shards go to the shared volume');
      outs.add(opt(args, '--out'));
    }
    assert.equal(outs.size, n, 'every pod writes its own directory');
    // Pod 1's arguments to the real CLI, small (--trials 1, in-process) and into a temporary
    // directory: it runs its shard, and run again (a restarted pod) resumes with nothing to do.
    const real = argsOf(0).map((a) => a.replace(c.volumeMounts[0].mountPath, join(dir, 'results')));
    real[real.indexOf('--workers') + 1] = '0';
    const run = () => spawnSync(process.execPath, [bin, ...real, '--trials', '1'], { encoding: 'utf8' });
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    const out = opt(real, '--out');
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).shard, { k: 1, n });
    const again = run();
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /\(0 to run\)/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
