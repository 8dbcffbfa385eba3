// Plotly figure specs (data + layout) for every question: the figures command renders them to
// SVG/PNG/HTML, and the notebooks show the same specs inline. Plotly 3 wants title objects.
import { OUTCOMES, TrialRecord } from '../trial/record.js';
import { outcomeMix, recoveryTimes, logGrowth, overheadFromRecords, inRegistryOrder } from './summaries.js';
import { table4FromRecords, TABLE4_STRATEGIES } from './table4.js';
import { wilson } from './stats.js';
import { availability } from './availability.js';
import { DEFAULT_AVAILABILITY } from './approaches.js';
import { DEFAULT_PARAMS } from '../params.js';
import type { Rec } from './records.js';
import { longRunFigure, sensitivityFigure, recoveryPhasesFigure } from './mechanism-figures.js';

export interface FigureSpec { id: string; title: string; data: object[]; layout: object }

const COLOURS: Record<string, string> = {
  'not-activated': '#bdbdbd', correct: '#2e7d32', malfunction: '#f9a825', 'app-failed': '#ef6c00', 'system-crash': '#c62828', 'harness-error': '#6a1b9a',
  native: '#616161', restart: '#1565c0', shadow: '#2e7d32', 'shadow-skip': '#00838f', replication: '#6a1b9a', checkpoint: '#ad1457',
};
const base = (title: string, x: string, y: string, extra: object = {}) => ({
  title: { text: title }, width: 900, height: 480, font: { family: 'Arial, sans-serif', size: 14 },
  xaxis: { title: { text: x }, automargin: true, tickangle: 0 }, yaxis: { title: { text: y }, automargin: true },
  legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' }, margin: { t: 110, b: 80 }, ...extra,
});
const errorBars = (ps: Array<{ p: number; lo: number; hi: number }>) => ({ type: 'data', symmetric: false, array: ps.map((p) => 100 * (p.hi - p.p)), arrayminus: ps.map((p) => 100 * (p.p - p.lo)), visible: true });

export function table4Figure(records: readonly TrialRecord[]): FigureSpec {
  const rows = table4FromRecords(records);
  return {
    id: 'table4-survival', title: 'Applications that ran correctly after a detected driver failure (paper Table 4)',
    data: TABLE4_STRATEGIES.map((s) => {
      const ps = rows.map((r) => wilson(r.mix[s].correct, r.faults));
      return { type: 'bar', name: s, x: rows.map((r) => r.app.replace('-', '<br>')), y: ps.map((p) => 100 * p.p), error_y: errorBars(ps), marker: { color: COLOURS[s] } };
    }),
    layout: base('Correct runs after a detected driver failure, by strategy (95% intervals)', 'application', 'runs correct (%)', { barmode: 'group', width: 1100, yaxis: { title: { text: 'runs correct (%)' }, range: [0, 105] } }),
  };
}

export function faultInjectionFigure(records: readonly TrialRecord[]): FigureSpec {
  const rows = outcomeMix(records, ['strategy', 'persistence']);
  const label = (g: Record<string, string>) => `${g.strategy}<br>${g.persistence}`;
  const order = rows.sort((a, b) => label(a.group).localeCompare(label(b.group)));
  return {
    id: 'fault-injection-outcomes', title: 'Outcome of activated SWIFI faults per strategy and persistence',
    data: OUTCOMES.filter((o) => o !== 'not-activated' && order.some((r) => r.outcomes[o].k > 0)).map((o) => ({
      type: 'bar', name: o, x: order.map((r) => label(r.group)), y: order.map((r) => 100 * r.outcomes[o].p), marker: { color: COLOURS[o] },
      error_y: errorBars(order.map((r) => r.outcomes[o])),
    })),
    layout: base('Outcome of activated faults (all drivers and apps; 95% intervals)', 'strategy / fault persistence', 'share of activated faults (%)', { barmode: 'group' }),
  };
}

export function recoveryTimeFigure(records: readonly TrialRecord[]): FigureSpec {
  const rows = recoveryTimes(records);
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  return {
    id: 'recovery-time', title: 'Recovery time per driver and strategy',
    data: strategies.map((s) => {
      const rs = rows.filter((r) => r.strategy === s);
      return {
        type: 'bar', name: s, x: rs.map((r) => r.driver), y: rs.map((r) => r.medianUs / 1000), marker: { color: COLOURS[s] }, text: rs.map((r) => `n=${r.n}`), textposition: 'outside',
        error_y: { type: 'data', symmetric: false, array: rs.map((r) => (r.p90Us - r.medianUs) / 1000), arrayminus: rs.map((r) => (r.medianUs - r.p10Us) / 1000), visible: true },
      };
    }),
    layout: base('Recovery time, detection to device back in service (median; bars: 10th-90th percentile)', 'driver', 'recovery time (ms)', { barmode: 'group' }),
  };
}

export function overheadFigure(records: readonly TrialRecord[]): FigureSpec {
  const rows = overheadFromRecords(records);
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  return {
    id: 'overhead-cpu', title: 'CPU utilisation during fault-free bulk transfers',
    data: strategies.map((s) => {
      const rs = rows.filter((r) => r.strategy === s);
      return { type: 'bar', name: s, x: rs.map((r) => `${r.driver} ${r.direction}`), y: rs.map((r) => 100 * r.cpu), marker: { color: COLOURS[s] },
        text: rs.map((r) => `${r.mbps.toFixed(0)} Mb/s`), textposition: 'outside' };
    }),
    layout: base('CPU utilisation of fault-free bulk transfers (labels: throughput)', 'driver and direction', 'CPU utilisation (%)', { barmode: 'group' }),
  };
}

export function logGrowthFigure(records: readonly TrialRecord[]): FigureSpec {
  const rows = logGrowth(records);
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  return {
    id: 'log-growth', title: 'Recovery log size against traffic',
    data: strategies.map((s) => {
      const rs = rows.filter((r) => r.strategy === s);
      return { type: 'scatter', mode: 'lines+markers', name: s, x: rs.map((r) => r.trafficBytes / 1024), y: rs.map((r) => r.logPeakBytes), marker: { color: COLOURS[s] } };
    }),
    layout: base('Peak recovery-log size against bytes transferred', 'traffic (KiB, log scale)', 'peak log size (bytes)', { xaxis: { type: 'log', title: { text: 'traffic (KiB, log scale)' } } }),
  };
}

/** The figures each experiment's results feed. */
const strategiesIn = (records: readonly TrialRecord[]) => inRegistryOrder(records.map((r) => r.spec.strategy));

/** Correct share of activated faults per strategy, transient beside deterministic. */
export function approachesFigure(records: readonly TrialRecord[]): FigureSpec {
  const mix = outcomeMix(records, ['strategy', 'persistence']);
  const strategies = strategiesIn(records);
  return {
    id: 'approaches-outcomes', title: 'Recovery approaches: correct runs for transient and deterministic faults',
    data: ['transient', 'deterministic'].map((p) => {
      const ps = strategies.map((s) => mix.find((m) => m.group.strategy === s && m.group.persistence === p)!.outcomes.correct);
      return { type: 'bar', name: `${p} faults`, x: strategies, y: ps.map((x) => 100 * x.p), error_y: errorBars(ps), marker: { color: p === 'transient' ? '#64b5f6' : '#0d47a1' } };
    }),
    layout: base('Correct runs of activated faults, network and block classes (95% intervals)', 'strategy', 'runs correct (%)', { barmode: 'group', yaxis: { title: { text: 'runs correct (%)' }, range: [0, 105] } }),
  };
}

/** Availability against the transient share of arriving faults, at an MTTF of one hour. */
export function availabilityFigure(records: readonly TrialRecord[]): FigureSpec {
  const o = { ...DEFAULT_AVAILABILITY, mttfS: [3600] };
  const rows = availability(records as readonly Rec[], DEFAULT_PARAMS, o);
  const strategies = strategiesIn(records);
  return {
    id: 'availability', title: 'Availability under a Poisson fault process (MTTF 1 h)',
    data: strategies.flatMap((s) => {
      const rs = rows.filter((r) => r.strategy === s);
      return [
        { type: 'scatter', mode: 'lines+markers', name: s, x: rs.map((r) => 100 * r.transientShare), y: rs.map((r) => 100 * r.simulated), line: { color: COLOURS[s] } },
        { type: 'scatter', mode: 'lines', name: `${s} (analytic)`, showlegend: false, x: rs.map((r) => 100 * r.transientShare), y: rs.map((r) => 100 * r.analytic), line: { color: COLOURS[s], dash: 'dot' } },
      ];
    }),
    layout: base('Availability, MTTF 1 h: simulated (solid) and MTTF/(MTTF+MTTR) (dotted)', 'transient share of faults (%)', 'availability (%)'),
  };
}

/** Correct share per application under request-triggered faults. */
export function poisonFigure(records: readonly TrialRecord[]): FigureSpec {
  const mix = outcomeMix(records, ['app', 'strategy']);
  const apps = [...new Set(mix.map((m) => m.group.app))];
  return {
    id: 'poison-requests', title: 'Poison requests: correct runs per application and strategy',
    data: strategiesIn(records).map((s) => {
      const ps = apps.map((a) => mix.find((m) => m.group.app === a && m.group.strategy === s)!.outcomes.correct);
      return { type: 'bar', name: s, x: apps, y: ps.map((p) => 100 * p.p), error_y: errorBars(ps), marker: { color: COLOURS[s] } };
    }),
    layout: base('Request-triggered deterministic faults: correct runs (95% intervals)', 'application', 'runs correct (%)', { barmode: 'group', yaxis: { title: { text: 'runs correct (%)' }, range: [0, 105] } }),
  };
}

export const FIGURES_OF: Record<string, Array<(r: readonly TrialRecord[]) => FigureSpec>> = {
  table4: [table4Figure], 'fault-injection': [faultInjectionFigure], 'recovery-time': [recoveryTimeFigure, recoveryPhasesFigure],
  overhead: [overheadFigure], 'log-growth': [logGrowthFigure], approaches: [approachesFigure, availabilityFigure], 'poison-requests': [poisonFigure],
  'long-run': [longRunFigure], 'overhead-sensitivity': [sensitivityFigure],
};
