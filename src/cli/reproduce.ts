import type { Argv } from 'yargs';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { listExperiments, SCALES, Scale } from '../sweep/experiment.js';
import { sweep } from './sweep.js';
import { report } from '../analysis/report.js';
import { renderFigures } from '../analysis/render.js';
import { runNotebooks } from '../analysis/notebooks.js';
import { collectFigures } from './report.js';
import { SpecError } from '../trial/spec.js';
import { fail } from './errors.js';

export function reproduceCommand(y: Argv): Argv {
  return y.command('reproduce', 'the main job: every experiment at default scale, results/REPORT.md, figures, executed notebooks',
    (a) => a
      .option('scale', { type: 'string', default: 'default', describe: `${SCALES.join(' | ')}` })
      .option('workers', { type: 'number', default: Math.max(1, cpus().length), describe: 'worker threads for the sweeps' })
      .option('out', { type: 'string', default: 'results', describe: 'results root' })
      .option('skip-notebooks', { type: 'boolean', default: false, describe: 'do not execute the notebooks' }),
    async (argv) => {
      try {
        if (!SCALES.includes(argv.scale as Scale)) throw new SpecError(`unknown scale '${argv.scale}'; valid: ${SCALES.join(', ')}`);
        const t0 = performance.now();
        const step = (s: string) => console.error(`\n== ${s} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
        for (const id of listExperiments()) {
          step(`sweep ${id}`);
          await sweep({ experiment: id, scale: argv.scale, workers: argv.workers, batch: 16, resume: true, root: argv.out });
        }
        step('figures');
        const figDir = join(argv.out, 'figures');
        await renderFigures(collectFigures(argv.out), figDir);
        step('report');
        mkdirSync(argv.out, { recursive: true });
        writeFileSync(join(argv.out, 'REPORT.md'), report(argv.out, figDir));
        if (!argv['skip-notebooks']) {
          step('notebooks');
          const runs = runNotebooks(join(argv.out, 'notebooks'), argv.out);
          const bad = runs.filter((r) => r.problems.length);
          for (const r of bad) console.error(`notebook ${r.notebook} failed:\n  ${r.problems.join('\n  ')}`);
          if (bad.length) process.exitCode = 1;
        }
        step(`done: ${join(argv.out, 'REPORT.md')}, ${figDir}, ${join(argv.out, 'notebooks')}`);
      } catch (e) { fail(e); }
    });
}
