import type { Argv } from 'yargs';
import { writeFileSync, existsSync, statSync, accessSync, constants } from 'node:fs';
import { join, dirname } from 'node:path';
import { report, latestResults } from '../analysis/report.js';
import type { PickOptions } from '../analysis/records.js';
import { FIGURES_OF, FigureSpec } from '../analysis/figures.js';
import { FIGURE_SIZES, FigureSize, StyleOptions } from '../analysis/figure-style.js';
import { renderFigures } from '../analysis/render.js';
import { SpecError } from '../trial/spec.js';
import { fail } from './errors.js';

export function collectFigures(root: string, o: StyleOptions = {}, pick?: PickOptions): FigureSpec[] {
  const specs: FigureSpec[] = [];
  for (const [id, r] of latestResults(root, pick)) for (const make of FIGURES_OF[id] ?? []) specs.push(make(r.records, o));
  return specs;
}

/** Which runs a reader uses: the ones given with --run, else chosen under the root; each named on stderr. */
export function readerOptions(runs: readonly string[] | undefined, quiet = false): PickOptions {
  return { runs: runs ?? [], log: quiet ? undefined : (l) => console.error(`using ${l}`), warn: (l) => console.error(`warning: ${l}`) };
}

function checkRoot(root: string, runs: readonly string[] | undefined): void {
  if (existsSync(root) && !statSync(root).isDirectory()) throw new SpecError(`results root '${root}' is not a directory`);
  if (!existsSync(root) && !runs?.length) throw new SpecError(`no results at '${root}': run a sweep first (npx shadowbench sweep table4)`);
}

const runOption = { type: 'string', array: true, describe: 'use this run directory for its experiment instead of choosing one under the root (repeatable)' } as const;

export function reportCommand(y: Argv): Argv {
  return y
    .command('report [root]', 'tables with 95% intervals, paper beside ours, from the complete run of the current definition of each experiment',
      (a) => a.positional('root', { type: 'string', default: 'results', describe: 'results root (holds <experiment>/<run>/)' })
        .option('out', { type: 'string', describe: 'write the markdown here instead of printing it' })
        .option('run', runOption)
        .option('figures', { type: 'string', describe: 'figure folder to embed under each section (default <root>/figures if it exists)' })
        .option('json', { type: 'boolean', default: false, describe: 'print {runs: {experiment: {dir, records, note}}, markdown} as JSON' }),
      (argv) => {
        try {
          checkRoot(argv.root!, argv.run as string[] | undefined);
          if (argv.out) accessSync(dirname(argv.out), constants.W_OK); // an unwritable --out fails before any work
          const used: Record<string, { dir: string; records: number; note: string | null }> = {};
          const o = readerOptions(argv.run as string[] | undefined, argv.json);
          const figs = argv.figures ?? (existsSync(join(argv.root!, 'figures')) ? join(argv.root!, 'figures') : undefined);
          const md = report(argv.root!, figs, argv.out ? dirname(argv.out) : argv.root!, o);
          if (argv.json) {
            for (const [id, r] of latestResults(argv.root!, { ...o, warn: () => {} })) used[id] = { dir: r.dir, records: r.records.length, note: r.note ?? null };
            console.log(JSON.stringify({ runs: used, markdown: md }));
          } else if (argv.out) { writeFileSync(argv.out, md); console.error(`wrote ${argv.out}`); } else console.log(md);
        } catch (e) { fail(e); }
      })
    .command('figures [root]', 'render every figure as SVG, PNG and PDF (and one standalone HTML) with headless Chromium',
      (a) => a.positional('root', { type: 'string', default: 'results', describe: 'results root (holds <experiment>/<run>/)' })
        .option('out', { type: 'string', describe: 'figure directory (default <root>/figures)' })
        .option('run', runOption)
        .option('size', { choices: FIGURE_SIZES, default: 'page' as FigureSize, describe: 'print size: column = 3.33 in wide, page = 7 in wide (fonts 8-9 pt at that size)' })
        .option('title', { type: 'boolean', default: true, describe: 'draw the title in the figure (--no-title for a paper, where the caption says it)' })
        .option('json', { type: 'boolean', default: false, describe: 'print the written files as a JSON list' }),
      async (argv) => {
        try {
          checkRoot(argv.root!, argv.run as string[] | undefined);
          const specs = collectFigures(argv.root!, { size: argv.size as FigureSize, title: argv.title }, readerOptions(argv.run as string[] | undefined));
          if (specs.length === 0) throw new SpecError(`no complete results under '${argv.root}' to draw`);
          const files = await renderFigures(specs, argv.out ?? join(argv.root!, 'figures'));
          if (argv.json) console.log(JSON.stringify(files)); else console.error(`wrote ${files.length} files:\n  ${files.join('\n  ')}`);
        } catch (e) { fail(e); }
      });
}
