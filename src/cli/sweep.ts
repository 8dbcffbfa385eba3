import type { Argv } from 'yargs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { listExperiments, loadExperiment, iterateTrials, countTrials, shardIter, shardSize, parseShard, SCALES, Scale, PlannedTrial } from '../sweep/experiment.js';
import { runOnPool } from '../sweep/pool.js';
import { provenance } from '../sweep/provenance.js';
import { FORMAT, Manifest, ensureWritable, hasResults, readManifest, recordedKeys, appendLines, writeManifest, sortRecordsFile, recordsPath } from '../sweep/results.js';
import { SpecError } from '../trial/spec.js';
import { Progress } from './progress.js';
import { fail } from './errors.js';

export interface SweepArgs {
  experiment: string; scale: string; trials?: number; workers: number; batch: number; shard?: string; out?: string; resume: boolean; quiet?: boolean;
  /** Results root for the default directory (results/). */
  root?: string;
  /** First seed instead of the experiment's seedBase (a notebook's `seed` parameter); the default directory says so. */
  seedBase?: number;
}

/** Run (or resume) a sweep; returns the results directory. */
export async function sweep(a: SweepArgs): Promise<string> {
  const e = { ...loadExperiment(a.experiment), ...(a.seedBase !== undefined ? { seedBase: a.seedBase } : {}) };
  if (!SCALES.includes(a.scale as Scale)) throw new SpecError(`unknown scale '${a.scale}'; valid: ${SCALES.join(', ')}`);
  const scale = a.scale as Scale;
  const perCell = a.trials ?? e.trialsPerCell[scale];
  if (!Number.isInteger(perCell) || perCell < 1) throw new SpecError(`--trials must be a positive integer, got '${a.trials}'`);
  if (!Number.isInteger(a.workers) || a.workers < 0 || a.workers > 4 * cpus().length) throw new SpecError(`--workers must be an integer from 0 to ${4 * cpus().length}, got '${a.workers}'`);
  if (!Number.isInteger(a.batch) || a.batch < 1) throw new SpecError(`--batch must be a positive integer, got '${a.batch}'`);
  const shard = parseShard(a.shard);
  const dir = a.out ?? join(a.root ?? 'results', e.id, `${scale}-${perCell}${a.seedBase !== undefined ? `-seed-${a.seedBase}` : ''}${shard ? `-shard-${shard.k}-of-${shard.n}` : ''}`);
  ensureWritable(dir);
  const plannedCount = shardSize(countTrials(e, perCell), shard);
  let manifest: Manifest;
  if (hasResults(dir)) {
    if (!a.resume) throw new SpecError(`'${dir}' already holds results; add --resume to continue them, or --out to write elsewhere`);
    manifest = readManifest(dir);
    const same = manifest.experiment.id === e.id && manifest.scale === scale && manifest.trialsPerCell === perCell && JSON.stringify(manifest.shard) === JSON.stringify(shard);
    if (!same) {
      throw new SpecError(`--resume: '${dir}' holds ${manifest.experiment.id} (${manifest.scale}, ${manifest.trialsPerCell} per cell${manifest.shard ? `, shard ${manifest.shard.k}/${manifest.shard.n}` : ''}), not ${e.id} (${scale}, ${perCell} per cell${shard ? `, shard ${shard.k}/${shard.n}` : ''})`);
    }
    manifest.resumedAt.push(new Date().toISOString());
    manifest.status = 'running';
  } else {
    if (a.resume && !a.quiet) console.error(`nothing to resume in '${dir}': starting`);
    manifest = {
      format: FORMAT, experiment: e, scale, trialsPerCell: perCell, shard, trialsPlanned: plannedCount, workers: a.workers,
      provenance: provenance(), startedAt: new Date().toISOString(), finishedAt: null, status: 'running', resumedAt: [],
    };
  }
  writeManifest(dir, manifest);
  const done = recordedKeys(dir);
  const remaining = plannedCount - done.size;
  if (!a.quiet) console.error(`${e.id}: ${plannedCount} trials (${remaining} to run) on ${a.workers || 'no'} worker thread${a.workers === 1 ? '' : 's'} -> ${dir}`);
  const progress = new Progress(remaining, a.quiet ? null : 'trials');
  const todo = function* (): Generator<PlannedTrial> { for (const t of shardIter(iterateTrials(e, perCell), shard)) if (!done.has(t.key)) yield t; };
  await runOnPool(todo(), {
    workers: a.workers, batchSize: a.batch, taskTimeoutMs: 10 * 60_000,
    file: recordsPath(dir),
    append: (lines) => appendLines(dir, lines),
    onRecords: (count) => { for (let i = 0; i < count; i++) progress.tick(); },
  });
  progress.done();
  const records = sortRecordsFile(dir);
  manifest.status = 'complete';
  manifest.finishedAt = new Date().toISOString();
  writeManifest(dir, manifest);
  if (!a.quiet) console.error(`done: ${records} records in ${dir}/records.jsonl`);
  if (process.env.SHADOWBENCH_REPORT_RSS) console.log(`maxRssKb=${process.resourceUsage().maxRSS}`);
  return dir;
}

export function sweepCommand(y: Argv): Argv {
  return y.command('sweep <experiment>', 'run an experiment from experiments/ on a worker pool; records stream to results/<experiment>/...',
    (a) => a
      .positional('experiment', { type: 'string', describe: `experiment id: ${listExperiments().join(', ')}` })
      .option('scale', { type: 'string', default: 'default', describe: `trials per cell from the experiment: ${SCALES.join(' | ')}` })
      .option('trials', { type: 'number', describe: 'trials per cell (overrides the scale)' })
      .option('workers', { type: 'number', default: Math.max(1, cpus().length), describe: 'worker threads (0 runs in-process)' })
      .option('batch', { type: 'number', default: 16, describe: 'trials per pool task' })
      .option('shard', { type: 'string', describe: 'run shard K of N (K/N): every N-th trial, for clusters; join with merge' })
      .option('out', { type: 'string', describe: 'results directory (default results/<experiment>/<scale>-<trials>[-shard-K-of-N])' })
      .option('resume', { type: 'boolean', default: false, describe: 'continue an interrupted sweep in its directory' })
      .example('$0 sweep table4 --workers 2', 'Table 4 at default scale')
      .example('$0 sweep fault-injection --shard 2/3', 'the second of three shards'),
    async (argv) => {
      try { await sweep({ experiment: argv.experiment!, scale: argv.scale, trials: argv.trials, workers: argv.workers, batch: argv.batch, shard: argv.shard, out: argv.out, resume: argv.resume }); } catch (e) { fail(e); }
    });
}
