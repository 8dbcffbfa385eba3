import type { Argv } from 'yargs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { listExperiments, loadExperiment, withParamGrid, iterateTrials, countTrials, shardIter, shardSize, parseShard, SCALES, Scale, PlannedTrial, Experiment } from '../sweep/experiment.js';
import { runOnPool, WorkerLanes, SWEEP_BATCH } from '../sweep/pool.js';
import { provenance } from '../sweep/provenance.js';
import { FORMAT, Manifest, ensureWritable, hasResults, readManifest, recordedKeys, appendLines, writeManifest, sortRecordsFile, recordsPath } from '../sweep/results.js';
import { identityOf, identityDiff } from '../sweep/identity.js';
import { acquireLock } from '../sweep/lock.js';
import { reuseRecords } from '../sweep/reuse.js';
import { SpecError } from '../trial/spec.js';
import { Progress } from './progress.js';
import { fail, interrupted, onStopSignals } from './errors.js';
import { intArg } from './args.js';

export interface SweepArgs {
  /** An id from experiments/ or the path of an experiment file. */
  experiment: string; scale: string; trials?: number; workers: number; batch: number; shard?: string; out?: string; resume: boolean; quiet?: boolean;
  /** Results root for the default directory (results/). */
  root?: string;
  /** --param name=v or name=v1,v2 (a grid), applied to every parameter set. */
  params?: string[];
  /** Per pool task; a batch that overruns it is re-run trial by trial (default 10 min). */
  taskTimeoutMs?: number;
  /** When the directory holds a run of another identity: refuse (default; --resume) or use a new directory beside it (reproduce). */
  onOtherIdentity?: 'refuse' | 'new-dir';
  /** First seed instead of the experiment's seedBase (a notebook's `seed` parameter); the default directory says so. */
  seedBase?: number;
  /** Complete runs whose records of identical trials may be copied instead of run (reproduce passes the runs it made). */
  reuse?: readonly string[];
  /** Worker threads kept by the caller for several sweeps (reproduce); their count must be `workers`. */
  lanes?: WorkerLanes;
}

export const MAX_TRIALS_PER_CELL = 1_000_000;

/** Run (or resume) a sweep; returns the results directory. */
export async function sweep(a: SweepArgs): Promise<string> {
  const e: Experiment = withParamGrid({ ...loadExperiment(a.experiment), ...(a.seedBase !== undefined ? { seedBase: a.seedBase } : {}) }, a.params ?? []);
  if (!SCALES.includes(a.scale as Scale)) throw new SpecError(`unknown scale '${a.scale}'; valid: ${SCALES.join(', ')}`);
  const scale = a.scale as Scale;
  const perCell = a.trials ?? e.trialsPerCell[scale];
  if (!Number.isSafeInteger(perCell) || perCell < 1 || perCell > MAX_TRIALS_PER_CELL) throw new SpecError(`--trials must be an integer from 1 to ${MAX_TRIALS_PER_CELL}, got '${a.trials}'`);
  if (!Number.isInteger(a.workers) || a.workers < 0 || a.workers > 4 * cpus().length) throw new SpecError(`--workers must be an integer from 0 to ${4 * cpus().length}, got '${a.workers}'`);
  if (!Number.isInteger(a.batch) || a.batch < 1 || a.batch > 10_000) throw new SpecError(`--batch must be an integer from 1 to 10000, got '${a.batch}'`);
  const shard = parseShard(a.shard);
  // Start the worker threads now: loading the simulator into each (~0.13-0.18 s) then overlaps
  // the hashing, git queries and planning below, which every worker count pays alike.
  const own = a.workers > 0 && !a.lanes ? new WorkerLanes(a.workers) : null;
  try {
    return await prepareAndRun({ ...a, lanes: a.lanes ?? own ?? undefined, endOwnLanes: own ? () => own.destroy().catch(() => {}) : undefined }, e, scale, perCell, shard);
  } finally { await own?.destroy(); }
}

/** Arguments inside this module: `endOwnLanes` ends the workers this sweep started (once; later calls wait for the same end). */
type Inner = SweepArgs & { endOwnLanes?: () => Promise<void> };

async function prepareAndRun(a: Inner, e: Experiment, scale: Scale, perCell: number, shard: { k: number; n: number } | null): Promise<string> {
  const total = countTrials(e, perCell);
  if (shard && shard.n > total) throw new SpecError(`--shard ${a.shard}: N is larger than the ${total} trials of the sweep (shards would be empty)`);
  const identity = identityOf(e, scale, perCell);
  const base = a.out ?? join(a.root ?? 'results', e.id, `${scale}-${perCell}${a.seedBase !== undefined ? `-seed-${a.seedBase}` : ''}${shard ? `-shard-${shard.k}-of-${shard.n}` : ''}${a.params?.length ? `-p${identity.hash.slice(0, 8)}` : ''}`);
  let dir = base;
  let old: Manifest | null = null;
  // A directory holding a run of another definition is never continued: refuse, or (reproduce) go beside it.
  for (;;) {
    if (!hasResults(dir)) break;
    if (!a.resume) throw new SpecError(`'${dir}' already holds results; add --resume to continue them, or --out to write elsewhere`);
    old = readManifest(dir);
    if (old.experiment.id !== e.id) throw new SpecError(`--resume: '${dir}' holds ${old.experiment.id} (${old.scale}, ${old.trialsPerCell} per cell), not ${e.id}; choose another --out`);
    const diffs = identityDiff(old, { experiment: e, scale, trialsPerCell: perCell, identity });
    if (JSON.stringify(old.shard) !== JSON.stringify(shard)) diffs.push(`shard (${old.shard ? `${old.shard.k}/${old.shard.n}` : 'none'} -> ${shard ? `${shard.k}/${shard.n}` : 'none'})`);
    if (old.identity?.hash === identity.hash && diffs.length === 0) break;
    if (a.onOtherIdentity === 'new-dir' && a.out === undefined && dir === base) {
      if (!a.quiet) console.error(`${dir} holds a run of another definition (${diffs.join('; ')}): running afresh beside it`);
      dir = `${base}-${identity.hash.slice(0, 8)}`; old = null; continue;
    }
    throw new SpecError(`--resume: '${dir}' holds a run of a different definition: ${diffs.join('; ')}; run afresh with another --out (or remove the directory)`);
  }
  ensureWritable(dir);
  const release = acquireLock(dir);
  // Another sweep may have written here between our look and our lock: look again.
  if (!old && hasResults(dir)) { release(); throw new SpecError(`'${dir}' received results from another sweep just now; run again with --resume to continue them`); }
  try {
    return await run(a, e, scale, perCell, shard, dir, old, identity, release);
  } finally {
    // Whatever happened, no worker of this sweep appends to the records once the lock is released.
    await a.endOwnLanes?.();
    release();
  }
}

async function run(a: Inner, e: Experiment, scale: Scale, perCell: number, shard: { k: number; n: number } | null, dir: string, old: Manifest | null,
  identity: Manifest['identity'], release: () => void): Promise<string> {
  const plannedCount = shardSize(countTrials(e, perCell), shard);
  let manifest: Manifest;
  if (old) {
    manifest = old;
    manifest.resumedAt.push(new Date().toISOString());
    manifest.status = 'running';
  } else {
    if (a.resume && !a.quiet) console.error(`nothing to resume in '${dir}': starting`);
    manifest = {
      format: FORMAT, experiment: e, scale, trialsPerCell: perCell, shard, trialsPlanned: plannedCount, workers: a.workers, identity,
      provenance: provenance(), startedAt: new Date().toISOString(), finishedAt: null, status: 'running', resumedAt: [],
    };
  }
  writeManifest(dir, manifest);
  // Records already here (a resume) are checked against the plan; a fresh run skips listing it.
  const planned = new Set<string>();
  if (existsSync(recordsPath(dir))) for (const t of shardIter(iterateTrials(e, perCell), shard)) planned.add(t.key);
  const { keys: done, dropped } = recordedKeys(dir, (k) => planned.has(k));
  planned.clear();
  if (dropped && !a.quiet) console.error(`${dir}: dropped ${dropped} line${dropped === 1 ? '' : 's'} that ${dropped === 1 ? 'is' : 'are'} not a record of this run (foreign, duplicate or not a record)`);
  if (a.reuse?.length && identity) {
    const reused = reuseRecords(dir, shardIter(iterateTrials(e, perCell), shard), done, a.reuse, identity);
    if (reused.length) {
      manifest.reused = [...(manifest.reused ?? []), ...reused];
      writeManifest(dir, manifest);
      if (!a.quiet) console.error(`${e.id}: ${reused.map((r) => `${r.records} records of identical trials from ${r.dir}`).join(', ')} (a trial is a function of its spec and the code)`);
    }
  }
  const remaining = plannedCount - done.size;
  if (!a.quiet) console.error(`${e.id}: ${plannedCount} trials (${remaining} to run) on ${a.workers || 'no'} worker thread${a.workers === 1 ? '' : 's'} -> ${dir}`);
  if (a.workers === 0 && !a.quiet) console.error('in-process (--workers 0): no timeout or heap limit guards a trial here, only the event budget (maxEventsPerTrial); use worker threads for long sweeps');
  const progress = new Progress(remaining, a.quiet ? null : 'trials');
  const todo = function* (): Generator<PlannedTrial> { for (const t of shardIter(iterateTrials(e, perCell), shard)) if (!done.has(t.key)) yield t; };
  // Ctrl-C / SIGTERM: stop dispatching, end the workers, leave a resumable run.
  const stop = new AbortController();
  const offSignals = onStopSignals((sig) => { stop.abort(sig); });
  const trialsFromMs = performance.now();
  try {
    await runOnPool(todo(), {
      workers: a.workers, batchSize: a.batch, taskTimeoutMs: a.taskTimeoutMs ?? 10 * 60_000,
      file: recordsPath(dir), signal: stop.signal, lanes: a.lanes,
      append: (lines) => appendLines(dir, lines),
      onRecords: (count) => { for (let i = 0; i < count; i++) progress.tick(); },
    });
  } finally { offSignals(); }
  const trialsToMs = performance.now();
  // Workers this sweep started end while the records are sorted (~0.1 s, mostly on their threads).
  void a.endOwnLanes?.();
  progress.done();
  if (stop.signal.aborted) {
    release();
    const again = ['npx shadowbench sweep', a.experiment, '--scale', scale, '--trials', String(perCell), ...(shard ? ['--shard', `${shard.k}/${shard.n}`] : []),
      ...(a.params ?? []).flatMap((p) => ['--param', p]), '--out', dir, '--resume'].join(' ');
    throw interrupted(stop.signal.reason, `interrupted (${stop.signal.reason}): ${dir} is kept and resumable; continue with: ${again}`);
  }
  const records = sortRecordsFile(dir);
  manifest.status = 'complete';
  manifest.finishedAt = new Date().toISOString();
  writeManifest(dir, manifest);
  if (!a.quiet) console.error(`done: ${records} records in ${dir}/records.jsonl`);
  // For `bench`: peak RSS, and when (ms since the process started) the first batch was dealt and the last record came.
  if (process.env.SHADOWBENCH_REPORT_RSS) console.log(`maxRssKb=${process.resourceUsage().maxRSS} trialsFromMs=${Math.round(trialsFromMs)} trialsToMs=${Math.round(trialsToMs)}`);
  return dir;
}

export function sweepCommand(y: Argv): Argv {
  return y.command('sweep <experiment>', 'run an experiment (an id from experiments/, or the path of your own experiment file) on a worker pool; records stream to results/<experiment>/...',
    (a) => a
      .positional('experiment', { type: 'string', describe: `experiment id (${listExperiments().join(', ')}) or path to an experiment .json` })
      .option('scale', { type: 'string', default: 'default', choices: SCALES as unknown as string[], describe: 'trials per cell from the experiment' })
      .option('trials', { type: 'number', coerce: intArg('trials', 1, MAX_TRIALS_PER_CELL), describe: 'trials per cell (overrides the scale)' })
      .option('workers', { type: 'number', default: Math.max(1, cpus().length), coerce: intArg('workers', 0, 4 * cpus().length), describe: 'worker threads (0 runs in-process: no timeout or heap guard, only the event budget)' })
      .option('batch', { type: 'number', default: SWEEP_BATCH, coerce: intArg('batch', 1, 10_000), describe: 'trials per pool task' })
      .option('task-timeout', { type: 'number', default: 600, coerce: intArg('task-timeout', 1, 86_400), describe: 'seconds a pool task may run; a batch that overruns is re-run trial by trial and only the culprit is recorded as harness-error' })
      .option('shard', { type: 'string', describe: 'run shard K of N (K/N): every N-th trial, for clusters; join with merge' })
      .option('param', { type: 'string', array: true, default: [] as string[], describe: 'override a parameter of data/params.json in every parameter set: name=value, or a grid name=v1,v2 (repeatable)' })
      .option('out', { type: 'string', describe: 'results directory (default results/<experiment>/<scale>-<trials>[-shard-K-of-N][-p<hash>])' })
      .option('resume', { type: 'boolean', default: false, describe: 'continue an interrupted sweep in its directory (only a run of the same definition: experiment, parameters, code)' })
      .option('json', { type: 'boolean', default: false, describe: 'print {dir, experiment, records, identity} as JSON when done' })
      .example('$0 sweep table4 --workers 2', 'Table 4 at default scale')
      .example('$0 sweep my-experiment.json --trials 5', 'your own experiment file')
      .example('$0 sweep recovery-time --param moduleLoadUs=1000,4000', 'a parameter grid')
      .example('$0 sweep fault-injection --shard 2/3', 'the second of three shards'),
    async (argv) => {
      try {
        const dir = await sweep({ experiment: argv.experiment!, scale: argv.scale, trials: argv.trials, workers: argv.workers, batch: argv.batch, shard: argv.shard, out: argv.out, resume: argv.resume,
          params: argv.param as string[], taskTimeoutMs: argv['task-timeout'] * 1000 });
        if (argv.json) {
          const m = readManifest(dir);
          console.log(JSON.stringify({ dir, experiment: m.experiment.id, scale: m.scale, trialsPerCell: m.trialsPerCell, records: m.trialsPlanned, identity: m.identity?.hash }));
        }
      } catch (e) { fail(e); }
    });
}
