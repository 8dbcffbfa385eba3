import type { Persistence } from '../faults/types.js';
import type { Argv } from 'yargs';
import { table4, TABLE4_STRATEGIES, Table4Row } from '../analysis/table4.js';
import { PAPER } from '../analysis/paper.js';
import { Progress } from './progress.js';
import { fail } from './errors.js';
import { SpecError } from '../trial/spec.js';
import { intArg } from './args.js';

const SHORT: Record<string, string> = { correct: 'ok', malfunction: 'malfunction', 'app-failed': 'app-failed', 'system-crash': 'crash', 'not-activated': 'n/a', 'harness-error': 'harness' };

export function formatTable4(rows: readonly Table4Row[]): string {
  const cell = (r: Table4Row, s: (typeof TABLE4_STRATEGIES)[number]) => {
    if (r.faults === 0) return '—'.padEnd(18);
    const m = r.modal[s];
    return `${SHORT[m.outcome]} ${(100 * m.share).toFixed(0)}%${r.matches[s] ? '' : ' *'}`.padEnd(18);
  };
  const lines = [
    `${'application'.padEnd(20)}${'driver'.padEnd(10)}${'faults'.padStart(6)}   ${'paper N / R / S'.padEnd(28)}ours: native            restart           shadow`,
  ];
  for (const r of rows) {
    const p = `${SHORT[r.paper.native]} / ${SHORT[r.paper.restart]} / ${SHORT[r.paper.shadow]}`;
    lines.push(`${r.app.padEnd(20)}${r.driver.padEnd(10)}${String(r.faults).padStart(6)}   ${p.padEnd(28)}      ${cell(r, 'native')}${cell(r, 'restart')}${cell(r, 'shadow')}`);
  }
  const agree = rows.reduce((n, r) => n + TABLE4_STRATEGIES.filter((s) => r.matches[s]).length, 0);
  lines.push('', `cells agreeing with the paper: ${agree} of ${rows.length * 3}  (* = our most frequent outcome differs; the share is of faults detected under isolation)`);
  lines.push(`paper: ${PAPER.table4.text} (${PAPER.table4.provenance})`);
  lines.push('ours: seeded random faults, kept when isolation detected the failure while the app was at work; the same fault under each strategy');
  return lines.join('\n');
}

export function table4Command(y: Argv): Argv {
  return y.command('table4', 'paper Table 4: each app with a detected driver failure, under native, restart and shadow, beside the paper',
    (a) => a
      .option('faults', { type: 'number', default: 20, coerce: intArg('faults', 1, 100_000), describe: 'detected failures per application' })
      .option('max-seeds', { type: 'number', default: 1000, coerce: intArg('max-seeds', 1, 10_000_000), describe: 'give up on an application after this many seeds' })
      .option('persistence', { type: 'string', default: 'image', choices: ['image', 'transient', 'deterministic'], describe: 'fault persistence (the paper\'s injector changed the loaded image: image)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the rows as JSON' }),
    (argv) => {
      try {
        if (!Number.isInteger(argv.faults) || argv.faults < 1) throw new SpecError(`--faults must be a positive integer, got '${argv.faults}'`);
        const progress = new Progress(argv.faults * 10, argv.json ? null : 'qualifying faults');
        const rows = table4({ faultsPerApp: argv.faults, maxSeeds: argv['max-seeds'], persistence: argv.persistence as Persistence, onFault: () => progress.tick() });
        progress.done();
        console.log(argv.json ? JSON.stringify(rows, null, 2) : formatTable4(rows));
      } catch (e) { fail(e); }
    });
}
