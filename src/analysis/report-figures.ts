// The figures of one experiment as markdown for the report, placed after its tables: the PNG
// inline, the caption under it, links to the PDF and SVG. Only figures that were rendered into
// the figures folder are linked (a report written before `figures` has no broken images).
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FIGURES_OF } from './figures.js';
import type { TrialRecord } from '../trial/record.js';

export function figureLines(experiment: string, records: readonly TrialRecord[], figuresDir: string | undefined, reportDir: string): string[] {
  if (!figuresDir) return [];
  const rel = relative(reportDir, figuresDir).split('\\').join('/') || '.';
  return (FIGURES_OF[experiment] ?? []).map((make) => make(records)).filter((s) => existsSync(join(figuresDir, `${s.id}.png`))).flatMap((s) => [
    '', `![${s.title}](${rel}/${s.id}.png)`, '', `*${s.title}.* ${s.caption} ([PDF](${rel}/${s.id}.pdf), [SVG](${rel}/${s.id}.svg))`,
  ]);
}
