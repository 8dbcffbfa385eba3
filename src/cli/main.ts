// shadowbench command line.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../paths.js';
import { fail, isUserError } from './errors.js';

type Command = (y: Argv) => Argv;
/** Every command: the names it answers to and its module, in the order --help lists them. */
const COMMANDS: Array<[names: string[], load: () => Promise<Command>]> = [
  [['reproduce'], async () => (await import('./reproduce.js')).reproduceCommand],
  [['list'], async () => (await import('./list.js')).listCommand],
  [['trial'], async () => (await import('./trial.js')).trialCommand],
  [['sweep'], async () => (await import('./sweep.js')).sweepCommand],
  [['merge'], async () => (await import('./merge.js')).mergeCommand],
  [['report', 'figures'], async () => (await import('./report.js')).reportCommand],
  [['notebooks'], async () => (await import('./notebooks.js')).notebooksCommand],
  [['jupyter'], async () => (await import('./jupyter.js')).jupyterCommand],
  [['export'], async () => (await import('./export.js')).exportCommand],
  [['campaign'], async () => (await import('./campaign.js')).campaignCommand],
  [['table4'], async () => (await import('./table4.js')).table4Command],
  [['overhead'], async () => (await import('./overhead.js')).overheadCommand],
  [['approaches'], async () => (await import('./approaches.js')).approachesCommand],
  [['bench'], async () => (await import('./bench.js')).benchCommand],
  [['bench-long-run'], async () => (await import('./bench-long-run.js')).benchLongRunCommand],
];

/**
 * The commands to define: only the one asked for when the first word names one, else all (help,
 * completion, a typo: yargs lists or suggests them). Loading every command's modules took about
 * 0.3 s of a sweep's start, which every worker count pays alike (measured by timestamps in a
 * sweep: first batch dispatched at 0.50-0.55 s).
 */
async function commandsFor(first: string | undefined): Promise<Command[]> {
  const asked = COMMANDS.filter(([names]) => first !== undefined && names.includes(first));
  return Promise.all((asked.length ? asked : COMMANDS).map(([, load]) => load()));
}

const version = (JSON.parse(readFileSync(new URL('package.json', REPO_ROOT), 'utf8')) as { version: string }).version;
let y = yargs(hideBin(process.argv)).scriptName('shadowbench')
  .usage('$0 <command> [options]\n\nReproduces "Recovering Device Drivers" (Swift et al., OSDI 2004) on a simulated kernel:\nseeded trials of driver faults under native, restart and shadow recovery.');
for (const add of await commandsFor(hideBin(process.argv)[0])) y = add(y);
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
