// `shadowbench approaches`: replication vs checkpoint-restart vs shadow (vs restart, native),
// side by side: outcomes of transient and deterministic faults, what each held at a failure and
// how that grows with traffic, and availability under a fault arrival process.
import type { Argv } from 'yargs';
import { cpus } from 'node:os';
import { sweep } from './sweep.js';
import { loadResults } from '../analysis/records.js';
import { outcomeTables, logTables, availabilityTables, poisonTables, DEFAULT_AVAILABILITY } from '../analysis/approaches.js';
import { DEFAULT_PARAMS } from '../params.js';
import { logOverTime, logSeriesTable } from '../analysis/log-series.js';
import { SpecError } from '../trial/spec.js';
import { fail } from './errors.js';
import { intArg } from './args.js';

function numbers(what: string, raw: string, ok: (x: number) => boolean): number[] {
  const xs = raw.split(',').map((s) => Number(s.trim()));
  const bad = raw.split(',').find((s, i) => !Number.isFinite(xs[i]) || !ok(xs[i]));
  if (bad !== undefined) throw new SpecError(`--${what}: '${bad}' is not valid; give a comma-separated list, e.g. ${what === 'mttf' ? '600,3600,86400 (seconds)' : '0.05,0.5,0.95'}`);
  return xs;
}

export function approachesCommand(y: Argv): Argv {
  return y.command('approaches', 'replication vs checkpoint vs shadow vs shadow-skip (vs restart, native): outcome of transient vs deterministic faults, log at failure and its growth, availability beside MTTF/(MTTF+MTTR), poison requests',
    (a) => a
      .option('trials', { type: 'number', coerce: intArg('trials', 1, 1_000_000), describe: 'faults per cell (workload x strategy x persistence); default: the experiment\'s (experiments/approaches.json)' })
      .option('workers', { type: 'number', default: Math.max(1, cpus().length), coerce: intArg('workers', 0, 4 * cpus().length), describe: 'worker threads' })
      .option('out', { type: 'string', default: 'results', describe: 'results root (finished sweeps there are reused)' })
      .option('mttf', { type: 'string', default: DEFAULT_AVAILABILITY.mttfS.join(','), describe: 'mean times to failure for availability, seconds, comma-separated' })
      .option('json', { type: 'boolean', default: false, describe: 'print {runs, markdown} as JSON' })
      .option('shares', { type: 'string', default: DEFAULT_AVAILABILITY.shares.join(','), describe: 'transient shares of arriving faults, comma-separated, each in [0, 1]' }),
    async (argv) => {
      try {
        const mttfS = numbers('mttf', argv.mttf, (x) => x > 0);
        const shares = numbers('shares', argv.shares, (x) => x >= 0 && x <= 1);
        const common = { scale: 'default', workers: argv.workers, batch: 16, resume: true, root: argv.out, onOtherIdentity: 'new-dir' as const };
        const dir = await sweep({ ...common, experiment: 'approaches', trials: argv.trials });
        const growthDir = await sweep({ ...common, experiment: 'log-growth' });
        const poisonDir = await sweep({ ...common, experiment: 'poison-requests', trials: argv.trials });
        const r = loadResults(dir), g = loadResults(growthDir), poison = loadResults(poisonDir);
        const md = [
          `# Recovery approaches (${r.records.length} trials from ${dir})`, '',
          '## Outcome: transient vs deterministic faults', '', ...outcomeTables(r.records),
          '## Recovery state: at failure, against traffic, and over time', '', ...logTables(r.records, g.records),
          `Retained state over a fault-free 1 MiB transfer on e1000 (sampled every 10 ms of virtual time; checkpoints every ${DEFAULT_PARAMS.checkpointIntervalUs / 1000} ms):`, '',
          ...logSeriesTable(logOverTime('e1000', ['shadow', 'replication', 'checkpoint'], 10_000, { fileTransferBytes: 1 << 20 }), DEFAULT_PARAMS.appStartUs, 14),
          '## Availability', '', ...availabilityTables(r.records, DEFAULT_PARAMS, { ...DEFAULT_AVAILABILITY, mttfS, shares }),
          `## Poison requests (${poison.records.length} trials from ${poisonDir})`, '', ...poisonTables(poison.records),
        ].join('\n');
        console.log(argv.json ? JSON.stringify({ runs: [dir, growthDir, poisonDir], markdown: md }) : md);
      } catch (e) { fail(e); }
    });
}
