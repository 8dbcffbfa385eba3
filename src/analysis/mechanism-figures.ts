// Figure specs for what the mechanism measures (long-run availability, overhead sensitivity);
// their numbers come from the same functions as the report's tables.
import type { TrialRecord } from '../trial/record.js';
import type { FigureSpec } from './figures.js';
import { longRunRows } from './availability.js';
import { sensitivity } from './overhead.js';
import { PAPER } from './paper.js';
import { recoveryPhaseMedians } from './mechanism-sections.js';
import { layoutFor, OKABE_ITO as O, DASHES, SYMBOLS, StyleOptions } from './figure-style.js';

/** The shared print style (figure-style.ts), with room for the legend the traces make. */
const layout = (o: StyleOptions, data: Array<{ name?: string }>) => (title: string, x: string, y: string, extra: Record<string, unknown> = {}) =>
  layoutFor(title, x, y, o, extra, 1, data.map((d) => d.name ?? ''));
/** Okabe-Ito colours for series that are not strategies or outcomes (phases, kinds of figure). */
const SERIES = [O.blue, O.orange, O.bluishGreen, O.vermillion, O.skyBlue, O.reddishPurple, O.yellow, O.grey];

export function longRunFigure(records: readonly TrialRecord[], o: StyleOptions = {}): FigureSpec {
  const rows = longRunRows(records);
  const x = rows.map((r) => `${r.strategy}<br>${r.persistence}`);
  return {
    id: 'long-run-availability', title: 'Availability measured in one long run beside the composed and analytic figures',
    caption: 'Availability of the request service per strategy and fault persistence: measured from the clients\' view in one long run with Poisson fault arrivals inside it, beside the figure composed from separate trials and MTTF/(MTTF+MTTR).',
    data: (['measured', 'composed', 'analytic'] as const).map((k, i) => ({ type: 'bar', name: k, x, y: rows.map((r) => 100 * r[k]), marker: { color: SERIES[i] } })),
    layout: layout(o, [{ name: 'measured' }, { name: 'composed' }, { name: 'analytic' }])('Availability: measured (clients\' view) beside composed and MTTF/(MTTF+MTTR)', 'strategy / fault persistence', 'availability (%)', { barmode: 'group', yaxis: { title: { text: 'availability (%)' }, range: [0, 105] } }),
  };
}

export function sensitivityFigure(records: readonly TrialRecord[], style: StyleOptions = {}): FigureSpec {
  const rows = sensitivity(records).filter((r) => r.param === 'isolatedCrossingNs');
  const o = PAPER.overhead;
  const lines = (['send', 'receive'] as const).map((d, i) => {
    const rs = rows.filter((r) => r.direction === d);
    return { type: 'scatter', mode: 'lines+markers', name: `${d} (ours)`, x: rs.map((r) => r.value), y: rs.map((r) => r.cpuPointsOverNative), line: { color: SERIES[i], dash: DASHES[i] }, marker: { symbol: SYMBOLS[i], color: SERIES[i] } };
  });
  const marked = rows.filter((r) => r.paperEra);
  const paper = [
    { type: 'scatter', mode: 'markers', name: 'paper send', x: marked.slice(0, 1).map((r) => r.value), y: [o.cpuPointsSend.value], marker: { symbol: 'x', size: 10, color: SERIES[0] } },
    { type: 'scatter', mode: 'markers', name: 'paper receive', x: marked.slice(0, 1).map((r) => r.value), y: [o.cpuPointsReceive.value], marker: { symbol: 'x', size: 10, color: SERIES[1] } },
  ];
  return {
    id: 'overhead-sensitivity', title: 'Shadow CPU overhead against the isolated crossing cost',
    caption: 'Extra CPU points of the shadow over native for bulk send and receive as the assumed cost of an isolated kernel-driver crossing varies; the paper-era value is marked and the paper\'s points are drawn.',
    data: [...lines, ...paper],
    layout: layout(style, [...lines, ...paper])('Extra CPU points over native against the assumed crossing cost (paper points at the assumed value)', 'isolated crossing cost (ns)', 'CPU points over native'),
  };
}

export function recoveryPhasesFigure(records: readonly TrialRecord[], o: StyleOptions = {}): FigureSpec {
  const rows = recoveryPhaseMedians(records);
  const x = rows.map((r) => `${r.driver}<br>${r.strategy}<br>n=${r.n}`);
  const phases = [...new Set(rows.flatMap((r) => Object.keys(r.phasesUs)))];
  return {
    id: 'recovery-phases', title: 'Recovery time by phase (median of single recoveries)',
    caption: 'Median time of each recovery phase (stop, module load, device reset and link, replay, resubmission) per driver and strategy, stacked; n recoveries per bar.',
    data: phases.map((p, i) => ({ type: 'bar', name: p, x, y: rows.map((r) => (r.phasesUs[p] ?? 0) / 1000), marker: { color: SERIES[i % SERIES.length] } })),
    layout: layout(o, phases.map((p) => ({ name: p })))('Recovery phases, stacked (median per phase of single recoveries; n per bar)', 'driver / strategy', 'time (ms)', { barmode: 'stack' }),
  };
}
