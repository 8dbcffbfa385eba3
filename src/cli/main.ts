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
import { benchLongRunCommand } from './bench-long-run.js';

let y = yargs(hideBin(process.argv)).scriptName('shadowbench')
  .usage('$0 <command> [options]\n\nReproduces "Recovering Device Drivers" (Swift et al., OSDI 2004) on a simulated kernel:\nseeded trials of driver faults under native, restart and shadow recovery.');
for (const add of [reproduceCommand, listCommand, trialCommand, sweepCommand, mergeCommand, reportCommand, notebooksCommand, campaignCommand, table4Command, overheadCommand, approachesCommand, benchCommand, benchLongRunCommand]) y = add(y);
await y.demandCommand(1, 'name a command; see --help').strict().help().alias('h', 'help').version(false)
  .fail((msg, err) => {
    if (err) throw err;
    console.error(`shadowbench: ${msg}`);
    process.exit(2);
  })
  .parseAsync();
