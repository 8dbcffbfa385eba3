import type { Argv } from 'yargs';
import { readdirSync } from 'node:fs';
import { runNotebooks, NOTEBOOKS_DIR } from '../analysis/notebooks.js';
import { fail } from './errors.js';

export function notebooksCommand(y: Argv): Argv {
  return y.command('notebooks', 'execute every notebook headlessly (tslab kernel, Debian Jupyter); fail on any cell error',
    (a) => a
      .option('out', { type: 'string', default: 'results/notebooks', describe: 'where the executed notebooks and their HTML go' })
      .option('results', { type: 'string', describe: 'results root the notebooks read (default: the committed notebooks/reference)' })
      .option('only', { type: 'string', array: true, choices: readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith('.ipynb')).map((f) => f.replace(/\.ipynb$/, '')).sort(), describe: 'run only these notebooks (names without .ipynb)' }),
    (argv) => {
      try {
        const runs = runNotebooks(argv.out, argv.results ?? null, argv.only as string[] | undefined);
        let bad = 0;
        for (const r of runs) {
          console.error(`${r.problems.length ? 'FAIL' : 'ok  '} ${r.notebook} -> ${r.html}`);
          for (const p of r.problems) console.error(`     ${p}`);
          if (r.problems.length) bad++;
        }
        if (bad) { console.error(`${bad} of ${runs.length} notebooks failed`); process.exit(1); }
      } catch (e) { fail(e); }
    });
}
