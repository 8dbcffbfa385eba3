import type { Argv } from 'yargs';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { listExperiments, loadExperiment, countTrials, SCALES, Scale } from '../sweep/experiment.js';
import { sweep } from './sweep.js';
import { WorkerLanes, SWEEP_BATCH } from '../sweep/pool.js';
import { report } from '../analysis/report.js';
import { renderFigures } from '../analysis/render.js';
import { runNotebooks } from '../analysis/notebooks.js';
import { collectFigures, readerOptions } from './report.js';
import { fail, interrupted, onStopSignals } from './errors.js';
import { intArg } from './args.js';

// Rough costs of the steps after the sweeps, measured on an idle 2-core machine at default scale
// (issue 17): figures and report about 15 s with the notebooks executing beside them, the
// notebooks about 20 s more. Only used for the ETA.
const FIGURES_S = 15, NOTEBOOKS_S = 20;

export function reproduceCommand(y: Argv): Argv {
  return y.command('reproduce', 'the main job: every experiment at default scale, results/REPORT.md, figures, executed notebooks (a finished sweep of the same definition is reused; another definition runs afresh)',
    (a) => a
      .option('scale', { type: 'string', default: 'default', choices: SCALES as unknown as string[], describe: 'trials per cell from each experiment' })
      .option('workers', { type: 'number', default: Math.max(1, cpus().length), coerce: intArg('workers', 0, 4 * cpus().length), describe: 'worker threads for the sweeps' })
      .option('out', { type: 'string', default: 'results', describe: 'results root' })
      .option('skip-notebooks', { type: 'boolean', default: false, describe: 'do not execute the notebooks' })
      .option('json', { type: 'boolean', default: false, describe: 'print {runs, report, figures, notebooks} as JSON when done' }),
    async (argv) => {
      try {
        const scale = argv.scale as Scale;
        const t0 = performance.now();
        const ids = listExperiments();
        const trials = new Map(ids.map((id) => { const e = loadExperiment(id); return [id, countTrials(e, e.trialsPerCell[scale])] as const; }));
        const totalTrials = [...trials.values()].reduce((s, n) => s + n, 0);
        const steps = ids.length + 2 + (argv['skip-notebooks'] ? 0 : 1);
        let step = 0, trialsDone = 0, sweepS = 0;
        const elapsed = () => (performance.now() - t0) / 1000;
        // Every step is announced with the overall position and an ETA: sweep time from the trial
        // rate so far, the later steps from their measured costs.
        const announce = (what: string) => {
          step++;
          const rate = trialsDone > 0 && sweepS > 0 ? trialsDone / sweepS : null;
          const left = (rate ? (totalTrials - trialsDone) / rate : null);
          const after = (step <= ids.length + 1 ? FIGURES_S : 0) + (argv['skip-notebooks'] || step > ids.length + 2 ? 0 : NOTEBOOKS_S);
          const eta = left === null ? 'ETA after the first sweep' : `ETA ${Math.round(left + after)} s`;
          console.error(`\n== [${step}/${steps}] ${what} (${elapsed().toFixed(0)} s elapsed, ${trialsDone}/${totalTrials} trials, ${eta})`);
        };
        const dirs: string[] = [];
        // One set of workers for every sweep: each experiment starts on warm workers (their code
        // compiled, a driver class's batches sent to the worker that ran it before) instead of new ones.
        const lanes = argv.workers > 0 ? new WorkerLanes(argv.workers) : undefined;
        try {
          for (const id of ids) {
            announce(`sweep ${id}: ${trials.get(id)} trials`);
            const s0 = performance.now();
            dirs.push(await sweep({ experiment: id, scale: argv.scale, workers: argv.workers, batch: SWEEP_BATCH, resume: true, root: argv.out, onOtherIdentity: 'new-dir', reuse: [...dirs], lanes }));
            sweepS += (performance.now() - s0) / 1000;
            trialsDone += trials.get(id)!;
          }
        } finally { await lanes?.destroy(); }
        // The report and figures read exactly the runs just made or reused: the current definition.
        // The notebooks (other processes: Jupyter and a kernel each) read the same runs, so they
        // start now and execute while this process draws the figures and writes the report.
        const o = readerOptions(dirs);
        const stopNotebooks = new AbortController();
        const notebookRuns = argv['skip-notebooks'] ? null : runNotebooks(join(argv.out, 'notebooks'), { resultsRoot: argv.out, signal: stopNotebooks.signal });
        if (notebookRuns) notebookRuns.catch(() => undefined); // awaited below; not unhandled meanwhile
        // Ctrl-C or SIGTERM from here on: the notebooks' kernels are shut down (an unfinished
        // notebook is not written), then one line and exit 130 / 143; the sweeps are complete.
        const offSignals = onStopSignals((sig) => {
          if (stopNotebooks.signal.aborted) return;
          stopNotebooks.abort(sig);
          void Promise.resolve(notebookRuns).catch(() => undefined).then(() => fail(interrupted(sig,
            `interrupted (${sig}) after the sweeps: their results in ${argv.out} are complete and a new reproduce reuses them; it redoes the figures, report and notebooks`)));
        });
        const figDir = join(argv.out, 'figures');
        let figures: string[];
        try {
          announce(notebookRuns ? 'figures (the notebooks execute meanwhile)' : 'figures');
          figures = await renderFigures(collectFigures(argv.out, {}, { ...o, log: undefined }), figDir);
          announce('report');
          mkdirSync(argv.out, { recursive: true });
          writeFileSync(join(argv.out, 'REPORT.md'), report(argv.out, figDir, argv.out, o));
        } catch (e) {
          // No notebook goes on executing once the command has failed.
          stopNotebooks.abort();
          await notebookRuns?.catch(() => undefined);
          throw e;
        }
        const notebooks: Array<{ notebook: string; ok: boolean }> = [];
        if (notebookRuns) {
          announce('notebooks');
          const runs = await notebookRuns;
          if (stopNotebooks.signal.aborted) return; // interrupted: the stop handler above ends the process with its line
          const bad = runs.filter((r) => r.problems.length);
          for (const r of runs) notebooks.push({ notebook: r.notebook, ok: r.problems.length === 0 });
          for (const r of bad) console.error(`notebook ${r.notebook} failed:\n  ${r.problems.join('\n  ')}`);
          if (bad.length) process.exitCode = 1;
        }
        offSignals();
        console.error(`\n== done in ${elapsed().toFixed(0)} s: ${join(argv.out, 'REPORT.md')}, ${figDir}${argv['skip-notebooks'] ? '' : `, ${join(argv.out, 'notebooks')}`}`);
        if (argv.json) console.log(JSON.stringify({ runs: dirs, report: join(argv.out, 'REPORT.md'), figures, notebooks }));
      } catch (e) { fail(e); }
    });
}
