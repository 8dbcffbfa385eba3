// `shadowbench export RUN`: the records of one results directory as a flat table.
import type { Argv } from 'yargs';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadResults } from '../analysis/records.js';
import { toCsv, exportRows } from '../analysis/export.js';
import { UsageError, fail } from './errors.js';

export function exportCommand(y: Argv): Argv {
  return y.command('export <run>', 'write a results directory\'s records as one flat table (one row per record) for pandas, R or polars',
    (a) => a
      .positional('run', { type: 'string', describe: 'results directory (holds manifest.json and records.jsonl)' })
      .option('format', { choices: ['csv'] as const, default: 'csv' as const, describe: 'table format (CSV only: no Parquet writer is bundled; see docs/DEVELOPMENT.md)' })
      .option('out', { type: 'string', describe: 'output file (default RUN/records.csv; - for stdout)' })
      .example('$0 export results/table4/default-300', 'writes results/table4/default-300/records.csv'),
    (argv) => {
      try {
        const run = argv.run!;
        if (!existsSync(join(run, 'manifest.json'))) throw new UsageError(`'${run}' is not a results directory (no manifest.json)`);
        const r = loadResults(run);
        const csv = toCsv(r.records);
        if (argv.out === '-') { process.stdout.write(csv); return; }
        const out = argv.out ?? join(run, 'records.csv');
        writeFileSync(out, csv);
        console.error(`wrote ${out}: ${r.records.length} rows, ${exportRows(r.records.slice(0, 1)).columns.length}+ columns`);
      } catch (e) { fail(e); }
    });
}
