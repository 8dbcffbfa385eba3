// shadowbench command line.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { listCommand } from './list.js';
import { trialCommand } from './trial.js';
import { benchCommand } from './bench.js';
import { campaignCommand } from './campaign.js';
import { overheadCommand } from './overhead.js';
import { approachesCommand } from './approaches.js';
import { table4Command } from './table4.js';
import { sweepCommand } from './sweep.js';
import { mergeCommand } from './merge.js';
import { reportCommand } from './report.js';
import { notebooksCommand } from './notebooks.js';
import { reproduceCommand } from './reproduce.js';
import { jupyterCommand } from './jupyter.js';
import { exportCommand } from './export.js';
import { benchLongRunCommand } from './bench-long-run.js';

import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../paths.js';
import { fail, isUserError } from './errors.js';

const version = (JSON.parse(readFileSync(new URL('package.json', REPO_ROOT), 'utf8')) as { version: string }).version;
let y = yargs(hideBin(process.argv)).scriptName('shadowbench')
  .usage('$0 <command> [options]\n\nReproduces "Recovering Device Drivers" (Swift et al., OSDI 2004) on a simulated kernel:\nseeded trials of driver faults under native, restart and shadow recovery.');
for (const add of [reproduceCommand, listCommand, trialCommand, sweepCommand, mergeCommand, reportCommand, notebooksCommand, jupyterCommand, exportCommand, campaignCommand, table4Command, overheadCommand, approachesCommand, benchCommand, benchLongRunCommand]) y = add(y);
try {
  await y.completion('completion', 'print a bash/zsh completion script (add its output to ~/.bashrc)')
    .demandCommand(1, 'name a command; see --help').strict().help().alias('h', 'help').version(version)
    // Parse errors (unknown options, bad choices, a failed coerce) end as one line and exit 2;
    // an error thrown by a command that is not a user error is a bug and keeps its stack.
    .fail((msg, err) => {
      if (err && !isUserError(err) && (err as Error).name !== 'YError') throw err; // YError: yargs' own (a coerce that threw)
      console.error(`shadowbench: ${(err ? err.message : msg).replace(/\s*\n\s*/g, ' ')}`);
      process.exit(2);
    })
    .parseAsync();
} catch (e) { fail(e); }
