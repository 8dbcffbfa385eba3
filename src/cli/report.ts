import type { Argv } from 'yargs';
import { writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { report, latestResults } from '../analysis/report.js';
import { FIGURES_OF, FigureSpec } from '../analysis/figures.js';
import { FIGURE_SIZES, FigureSize, StyleOptions } from '../analysis/figure-style.js';
import { renderFigures } from '../analysis/render.js';
import { SpecError } from '../trial/spec.js';
import { fail } from './errors.js';

export function collectFigures(root: string, o: StyleOptions = {}): FigureSpec[] {
  const specs: FigureSpec[] = [];
  for (const [id, r] of latestResults(root)) for (const make of FIGURES_OF[id] ?? []) specs.push(make(r.records, o));
  return specs;
}

export function reportCommand(y: Argv): Argv {
  return y
    .command('report [root]', 'tables with 95% intervals, paper beside ours, from the newest complete results of each experiment',
      (a) => a.positional('root', { type: 'string', default: 'results', describe: 'results root (holds <experiment>/<run>/)' })
        .option('out', { type: 'string', describe: 'write the markdown here instead of printing it' })
        .option('figures', { type: 'string', describe: 'figure folder to embed under each section (default <root>/figures if it exists)' }),
      (argv) => {
        try {
          if (!existsSync(argv.root!)) throw new SpecError(`no results at '${argv.root}': run a sweep first (npx shadowbench sweep table4)`);
          const figs = argv.figures ?? (existsSync(join(argv.root!, 'figures')) ? join(argv.root!, 'figures') : undefined);
          const md = report(argv.root!, figs, argv.out ? dirname(argv.out) : argv.root!);
          if (argv.out) { writeFileSync(argv.out, md); console.error(`wrote ${argv.out}`); } else console.log(md);
        } catch (e) { fail(e); }
      })
    .command('figures [root]', 'render every figure as SVG, PNG and PDF (and one standalone HTML) with headless Chromium',
      (a) => a.positional('root', { type: 'string', default: 'results', describe: 'results root (holds <experiment>/<run>/)' })
        .option('out', { type: 'string', describe: 'figure directory (default <root>/figures)' })
        .option('size', { choices: FIGURE_SIZES, default: 'page' as FigureSize, describe: 'print size: column = 3.33 in wide, page = 7 in wide (fonts 8-9 pt at that size)' })
        .option('title', { type: 'boolean', default: true, describe: 'draw the title in the figure (--no-title for a paper, where the caption says it)' }),
      async (argv) => {
        try {
          const specs = collectFigures(argv.root!, { size: argv.size as FigureSize, title: argv.title });
          if (specs.length === 0) throw new SpecError(`no complete results under '${argv.root}' to draw`);
          const files = await renderFigures(specs, argv.out ?? join(argv.root!, 'figures'));
          console.error(`wrote ${files.length} files:\n  ${files.join('\n  ')}`);
        } catch (e) { fail(e); }
      });
}
