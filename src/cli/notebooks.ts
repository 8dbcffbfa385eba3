import type { Argv } from 'yargs';
import { runNotebooks, parseParams, notebookNames } from '../analysis/notebooks.js';
import { fail, interrupted, onStopSignals } from './errors.js';

export function notebooksCommand(y: Argv): Argv {
  return y.command('notebooks', 'execute every notebook headlessly (tslab kernel, Debian Jupyter); fail on any cell error',
    (a) => a
      .option('out', { type: 'string', default: 'results/notebooks', describe: 'where the executed notebooks and their HTML go' })
      .option('results', { type: 'string', describe: 'results root the notebooks read (default: the committed notebooks/reference; with trials > 0: ./results)' })
      .option('param', { type: 'string', array: true, default: [] as string[], describe: 'set a value in each notebook\'s parameters cell: resultsRoot, experiment, trials, workers, seed (trials > 0 runs a fresh sweep)' })
      .option('only', { type: 'string', array: true, describe: `run only these notebooks: ${notebookNames().join(', ')}` })
      .example('$0 notebooks --param trials=5 --param workers=2', 'every notebook on a fresh small sweep into ./results'),
    async (argv) => {
      try {
        // Ctrl-C or SIGTERM: the kernels are shut down (a notebook not finished is not written),
        // then one line and exit 130 / 143.
        const stop = new AbortController();
        onStopSignals((sig) => { if (!stop.signal.aborted) stop.abort(sig); });
        const runs = await runNotebooks(argv.out, { resultsRoot: argv.results ?? null, only: argv.only as string[] | undefined, params: parseParams(argv.param as string[]), signal: stop.signal });
        if (stop.signal.aborted) {
          fail(interrupted(stop.signal.reason, `interrupted (${stop.signal.reason}): the notebooks' kernels are shut down; notebooks that had finished are in ${argv.out}`));
        }
        let bad = 0;
        for (const r of runs) {
          console.error(`${r.problems.length ? 'FAIL' : 'ok  '} ${r.notebook} (${(r.bytes / 1024).toFixed(0)} KiB) -> ${r.html}`);
          for (const p of r.problems) console.error(`     ${p}`);
          if (r.problems.length) bad++;
        }
        if (bad) { console.error(`${bad} of ${runs.length} notebooks failed`); process.exit(1); }
      } catch (e) { fail(e); }
    });
}
