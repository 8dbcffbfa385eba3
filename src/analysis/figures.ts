// Plotly figure specs (data + layout) for every question: the figures command renders them to
// SVG, PNG and PDF, and the notebooks show the same specs inline. Every number comes from a
// summary function (summaries.ts, table4.ts, availability.ts), so a field added there reaches
// the figure without a second computation here. Style (palette, print sizes, byte axes) lives
// in figure-style.ts. Plotly 3 wants title objects, not strings.
import { TrialRecord } from '../trial/record.js';
import { outcomeMix, recoveryTimes, logGrowth, overheadFromRecords, inRegistryOrder, MixRow } from './summaries.js';
import { table4FromRecords, TABLE4_STRATEGIES } from './table4.js';
import { availability } from './availability.js';
import { DEFAULT_AVAILABILITY } from './approaches.js';
import { DEFAULT_PARAMS } from '../params.js';
import { PAPER } from './paper.js';
import type { Rec } from './records.js';
import { OUTCOME_COLOURS, colourOf, layoutFor as styledLayout, legendItems, byteAxis, logTicks, spansDecades, SIZE_PRESETS, StyleOptions, DASHES, SYMBOLS, OKABE_ITO } from './figure-style.js';
import { longRunFigure, sensitivityFigure, recoveryPhasesFigure } from './mechanism-figures.js';

export interface FigureSpec {
  id: string;
  /** Short title (drawn unless --no-title). */
  title: string;
  /** What the figure shows and how to read it: for captions in the report, the HTML page and notebooks. */
  caption: string;
  data: object[];
  layout: Record<string, unknown>;
}
/** A spec whose layout leaves room for the legend its traces make. */
function figure(id: string, title: string, caption: string, data: object[], axes: { x: string; y: string }, o: StyleOptions, extra: Record<string, unknown> = {}, heightScale = 1): FigureSpec {
  return { id, title, caption, data, layout: styledLayout(title, axes.x, axes.y, o, extra, heightScale, legendItems(data as Array<{ name?: string }>)) };
}
export type FigureMaker = (records: readonly TrialRecord[], o?: StyleOptions) => FigureSpec;

/** Outcomes a figure stacks, most benign first (the bar reads bottom-up from "correct"). */
const STACKED = ['correct', 'malfunction', 'app-failed', 'system-crash', 'harness-error'] as const;
const percent = (k: number, n: number) => (n ? (100 * k) / n : 0);

/**
 * 100% stacked bars of outcome shares, one bar per row; n printed above each bar. Outcomes that
 * never occur are left out of the legend (harness-error, usually).
 */
function outcomeStack(rows: ReadonlyArray<{ group: string; label: string; n: number; counts: Record<string, number> }>, o: StyleOptions) {
  const font = SIZE_PRESETS[o.size ?? 'page'].font;
  const present = STACKED.filter((x) => rows.some((r) => (r.counts[x] ?? 0) > 0));
  // Two-level categories: the group (persistence, application) once under its bars.
  const x = [rows.map((r) => r.group), rows.map((r) => r.label)];
  // Upright labels when they fit under their bar, vertical otherwise (never plotly's slant, which overflows).
  const room = (0.85 * SIZE_PRESETS[o.size ?? 'page'].width) / Math.max(1, rows.length);
  const tickangle = Math.max(...rows.map((r) => r.label.length)) * 0.6 * font > room ? -90 : 0;
  const data = [
    ...present.map((out) => ({
      type: 'bar', name: out, x, y: rows.map((r) => percent(r.counts[out] ?? 0, r.n)), marker: { color: OUTCOME_COLOURS[out], line: { color: '#000', width: 0.5 } },
      hovertemplate: `${out}: %{y:.0f}%<extra></extra>`,
    })),
    { type: 'scatter', mode: 'text', x, y: rows.map(() => 100), text: rows.map((r) => (o.size === 'column' ? String(r.n) : `n=${r.n}`)), textposition: 'top center', textfont: { size: font - 3 }, showlegend: false, hoverinfo: 'skip', cliponaxis: false },
  ];
  return { data, xaxis: { tickangle } };
}
const countsOf = (m: MixRow): Record<string, number> => Object.fromEntries(Object.entries(m.outcomes).map(([k, p]) => [k, p.k]));
// Headroom above 100% for the n labels.
const shareAxis = { title: { text: 'share of activated faults (%)' }, range: [0, 109], tickvals: [0, 25, 50, 75, 100] };

/** Paper Table 4: outcome shares per application under native, restart and shadow, the paper's cell beside each bar. */
export function table4Figure(records: readonly TrialRecord[], o: StyleOptions = {}): FigureSpec {
  const rows = table4FromRecords(records).slice().reverse(); // top-down in the paper's order
  const small = o.size === 'column';
  const labels = rows.map((r) => (small ? `${r.app} ${r.faults}` : `${r.app} (n=${r.faults})`));
  const gap = 0.04, w = (1 - 2 * gap) / 3;
  const data: object[] = [];
  TABLE4_STRATEGIES.forEach((s, k) => {
    const xa = k === 0 ? 'x' : `x${k + 1}`;
    for (const out of STACKED.filter((x) => rows.some((r) => r.mix[s][x] > 0) || x !== 'harness-error')) {
      data.push({ type: 'bar', orientation: 'h', name: out, legendgroup: out, showlegend: k === 0, xaxis: xa, yaxis: 'y', y: labels,
        x: rows.map((r) => percent(r.mix[s][out], r.faults)), marker: { color: OUTCOME_COLOURS[out], line: { color: '#000', width: 0.5 } } });
    }
    data.push({ type: 'scatter', mode: 'markers', name: 'paper', showlegend: false, xaxis: xa, yaxis: 'y', y: labels,
      x: rows.map(() => 112), cliponaxis: false,
      marker: { symbol: 'diamond', size: 9, color: rows.map((r) => OUTCOME_COLOURS[r.paper[s]]), line: { color: '#000', width: 1 } },
      hovertemplate: rows.map((r) => `paper: ${r.paper[s]}<extra>${s}</extra>`) });
  });
  // The paper's diamonds carry the paper's outcome colour; one neutral legend entry explains them.
  data.push({ type: 'scatter', mode: 'markers', name: "paper's outcome (Table 4)", x: [null], y: [null], marker: { symbol: 'diamond', size: 9, color: '#fff', line: { color: '#000', width: 1 } } });
  const axes: Record<string, unknown> = {};
  TABLE4_STRATEGIES.forEach((s, k) => {
    axes[k === 0 ? 'xaxis' : `xaxis${k + 1}`] = { domain: [k * (w + gap), k * (w + gap) + w], range: [0, 118], tickvals: small ? [0, 100] : [0, 50, 100], title: { text: small ? s : `${s} (%)`, standoff: 2 }, anchor: 'y' };
  });
  const font = SIZE_PRESETS[o.size ?? 'page'].font;
  // A row with no qualifying fault says so, instead of an empty gap that reads as 0%.
  const empty = rows.filter((r) => r.faults === 0).flatMap((r) => TABLE4_STRATEGIES.map((_, k) => ({
    xref: k === 0 ? 'x' : `x${k + 1}`, yref: 'y', x: 50, y: labels[rows.indexOf(r)], text: small ? '–' : 'no qualifying fault', showarrow: false, font: { size: font - 2, color: OKABE_ITO.grey } })));
  return figure('table4-survival', 'Table 4: outcome after a detected driver failure',
    'Share of outcomes per application after a detected driver failure, under native, restart and shadow, in % (n after the application = faults that qualified, the same faults in all three panels). The diamond right of each bar is the outcome the paper reports for that cell (Table 4), in the same colours: the paper distinguishes a crash (native) from a malfunction (restart).',
    data, { x: '', y: '' }, o, { barmode: 'stack', bargap: 0.2, ...axes, annotations: empty, yaxis: { ticks: '', showline: false, showgrid: false, tickfont: { size: font - 1 } } }, small ? 2 : 1.45);
}

/** SWIFI campaign: outcome shares per strategy, transient faults beside deterministic ones. */
export function faultInjectionFigure(records: readonly TrialRecord[], o: StyleOptions = {}): FigureSpec {
  const mix = outcomeMix(records, ['strategy', 'persistence']);
  const rows = ['transient', 'deterministic'].flatMap((p) => inRegistryOrder(mix.map((m) => m.group.strategy)).flatMap((s) => {
    const m = mix.find((x) => x.group.strategy === s && x.group.persistence === p);
    return m ? [{ group: p, label: s, n: m.n, counts: countsOf(m) }] : [];
  }));
  const stack = outcomeStack(rows, o);
  return figure('fault-injection-outcomes', 'SWIFI campaign: outcome of activated faults',
    'Outcome shares of activated random faults, all drivers and applications, per strategy; transient faults left, deterministic right. n = activated faults per bar (the number above it). Paper: Nooks recovered 99% of the faults that crashed native Linux (313 of 317), a different denominator (see the recovery categories in the report).',
    stack.data, { x: '', y: '' }, o, { barmode: 'stack', yaxis: shareAxis, xaxis: stack.xaxis });
}

/** Recovery time per driver and strategy: median (marker) with the 10th-90th percentile whisker and n. */
export function recoveryTimeFigure(records: readonly TrialRecord[], o: StyleOptions = {}): FigureSpec {
  const rows = recoveryTimes(records as readonly Rec[]);
  const strategies = inRegistryOrder(rows.map((r) => r.strategy));
  const ms = (us: number) => us / 1000;
  const log = spansDecades(rows.flatMap((r) => [r.p10Us, r.p90Us]));
  const font = SIZE_PRESETS[o.size ?? 'page'].font;
  const data = strategies.map((s, i) => {
    const rs = rows.filter((r) => r.strategy === s);
    return {
      type: 'scatter', mode: 'markers+text', name: s, x: rs.map((r) => r.driver), y: rs.map((r) => ms(r.medianUs)),
      marker: { color: colourOf(s), symbol: SYMBOLS[i % SYMBOLS.length], size: 8, line: { color: '#000', width: 0.5 } },
      error_y: { type: 'data', symmetric: false, array: rs.map((r) => ms(r.p90Us - r.medianUs)), arrayminus: rs.map((r) => ms(r.medianUs - r.p10Us)), color: colourOf(s), thickness: 1.5, width: 4 },
      text: rs.map((r) => `n=${r.n}`), textposition: 'middle right', textfont: { size: font - 2 }, cliponaxis: false,
    };
  });
  return figure('recovery-time', 'Recovery time, detection to back in service',
    `Time from detection to the device back in service, successful recoveries only: marker = median, whisker = 10th to 90th percentile, label = n recoveries (no whisker: every recovery took the same time, or n is 1).${log ? ' Log scale: the times span decades.' : ''} The paper reports no per-driver recovery times.`,
    data, { x: 'driver', y: '' }, o, { scattermode: 'group', scattergap: 0.5, yaxis: { title: { text: `recovery time (ms${log ? ', log scale' : ''})` }, type: log ? 'log' : 'linear', rangemode: 'tozero', ...(log ? logTicks(Math.min(...rows.map((r) => ms(r.p10Us))), Math.max(...rows.map((r) => ms(r.p90Us)))) : {}) } });
}

/** Overhead: throughput relative to native and CPU points over native, the paper's values beside ours. */
export function overheadFigure(records: readonly TrialRecord[], o: StyleOptions = {}): FigureSpec {
  const rows = overheadFromRecords(records as readonly Rec[]).filter((r) => r.strategy !== 'native');
  const strategies = inRegistryOrder(rows.map((r) => r.strategy));
  const label = (r: { driver: string; direction: string }) => `${r.driver}<br>${r.direction}`;
  const xs = [...new Set(rows.map(label))];
  // The paper measured its network numbers on the e1000: its values go beside that driver's bars.
  const paperDriver = new Set((PAPER.table4.rows as Array<{ class: string; driver: string }>).filter((r) => r.class === 'network').map((r) => r.driver));
  const paper = PAPER.overhead;
  const paperCpu = rows.filter((r) => r.strategy === strategies[0] && paperDriver.has(r.driver))
    .map((r) => ({ x: label(r), y: r.direction === 'send' ? paper.cpuPointsSend.value : paper.cpuPointsReceive.value }));
  const font = SIZE_PRESETS[o.size ?? 'page'].font;
  const data: object[] = strategies.flatMap((s) => {
    const rs = rows.filter((r) => r.strategy === s);
    return [
      { type: 'bar', name: s, legendgroup: s, x: rs.map(label), y: rs.map((r) => r.cpuPointsOverNative), marker: { color: colourOf(s) }, xaxis: 'x', yaxis: 'y',
        text: rs.map((r) => r.cpuPointsOverNative.toFixed(1)), textposition: 'outside', textfont: { size: font - 2 }, cliponaxis: false },
      { type: 'bar', name: s, legendgroup: s, showlegend: false, x: rs.map(label), y: rs.map((r) => 100 * r.relativeThroughput), marker: { color: colourOf(s) }, xaxis: 'x2', yaxis: 'y2' },
    ];
  });
  // The paper as a hollow bar in the same group, beside ours (a gap where it reports nothing).
  data.push({ type: 'bar', name: `paper (${paper.cpuPointsSend.provenance})`, x: paperCpu.map((p) => p.x), y: paperCpu.map((p) => p.y), xaxis: 'x', yaxis: 'y',
    marker: { color: '#fff', line: { color: '#000', width: 1.5 } }, text: paperCpu.map((p) => `+${p.y}`), textposition: 'outside', textfont: { size: font - 2 }, cliponaxis: false });
  // The paper's throughput range (97-100% of native) as a band on the right panel.
  const band = { type: 'rect', xref: 'x2 domain', yref: 'y2', x0: 0, x1: 1, y0: 100 * paper.throughputRelative.low, y1: 100 * paper.throughputRelative.high, fillcolor: OKABE_ITO.grey, opacity: 0.3, line: { width: 0 }, layer: 'below' };
  return figure('overhead-cpu', 'Overhead of fault-free bulk transfers',
    `Left: CPU utilisation in percentage points above native, per driver and direction (labels: our value); hollow bars: the paper's +${paper.cpuPointsSend.value} (send) and +${paper.cpuPointsReceive.value} (receive) points for the e1000 (${paper.cpuPointsSend.provenance}). Right: throughput relative to native; grey band: the paper's ${paper.throughputRelative.text}. Native is the zero line (left) and the 100% line (right).`,
    data, { x: '', y: '' }, o, {
      barmode: 'group', shapes: [band], xaxis: { domain: [0, 0.54], categoryorder: 'array', categoryarray: xs },
      yaxis: { title: { text: 'CPU points over native' }, rangemode: 'tozero' },
      xaxis2: { domain: [0.66, 1], anchor: 'y2', categoryorder: 'array', categoryarray: xs, tickangle: 0, tickfont: { size: SIZE_PRESETS[o.size ?? 'page'].font - 2 } },
      yaxis2: { anchor: 'x2', title: { text: 'throughput (% of native)' }, range: [0, 105], dtick: 25 },
    });
}

/** Peak recovery-log size against traffic, log-log with byte units. */
export function logGrowthFigure(records: readonly TrialRecord[], o: StyleOptions = {}): FigureSpec {
  const rows = logGrowth(records as readonly Rec[]);
  const strategies = inRegistryOrder(rows.map((r) => r.strategy));
  const shown = rows.filter((r) => r.logPeakBytes > 0);
  const ys = shown.map((r) => r.logPeakBytes), xs = rows.map((r) => r.trafficBytes);
  const data = strategies.filter((s) => shown.some((r) => r.strategy === s)).map((s, i) => {
    const rs = shown.filter((r) => r.strategy === s);
    return { type: 'scatter', mode: 'lines+markers', name: s, x: rs.map((r) => r.trafficBytes), y: rs.map((r) => r.logPeakBytes),
      line: { color: colourOf(s), dash: DASHES[i % DASHES.length], width: 1.5 }, marker: { color: colourOf(s), symbol: SYMBOLS[i % SYMBOLS.length], size: 6 },
      hovertemplate: `${s}: %{y} B after %{x} B<extra></extra>` };
  });
  return figure('log-growth', 'Recovery log against traffic',
    `Peak bytes each strategy retains for recovery against bytes transferred (median of ${Math.min(...rows.map((r) => r.n))}-${Math.max(...rows.map((r) => r.n))} runs per point), both axes logarithmic in binary units. A flat line is a log bounded by state (shadow); a rising one grows with traffic. Strategies that retain nothing (native, restart) are left out: zero has no place on a log axis.`,
    data, { x: '', y: '' }, o, {
      xaxis: byteAxis(Math.min(...xs), Math.max(...xs), 'traffic (bytes transferred)'),
      yaxis: byteAxis(ys.length ? Math.min(...ys) : 1, ys.length ? Math.max(...ys) : 1024, 'peak log size'),
    });
}

const strategiesIn = (records: readonly TrialRecord[]) => inRegistryOrder(records.map((r) => r.spec.strategy));

/** Recovery approaches: outcome shares per strategy for transient and deterministic faults. */
export function approachesFigure(records: readonly TrialRecord[], o: StyleOptions = {}): FigureSpec {
  const mix = outcomeMix(records, ['strategy', 'persistence']);
  const rows = ['transient', 'deterministic'].flatMap((p) => strategiesIn(records).flatMap((s) => {
    const m = mix.find((x) => x.group.strategy === s && x.group.persistence === p);
    return m ? [{ group: p, label: s, n: m.n, counts: countsOf(m) }] : [];
  }));
  const stack = outcomeStack(rows, o);
  return figure('approaches-outcomes', 'Recovery approaches: transient and deterministic faults',
    'Outcome shares of activated random faults in the network, sound and block classes, per strategy; transient faults left, deterministic right (paired seeds across strategies). n = activated faults per bar. The paper compares the approaches in prose only.',
    stack.data, { x: '', y: '' }, o, { barmode: 'stack', yaxis: shareAxis, xaxis: stack.xaxis });
}

/** Unavailability against the transient share of arriving faults (MTTF 1 h): one line per strategy, the closed form as open markers. */
export function availabilityFigure(records: readonly TrialRecord[], o: StyleOptions = {}): FigureSpec {
  const mttf = 3600;
  const rows = availability(records as readonly Rec[], DEFAULT_PARAMS, { ...DEFAULT_AVAILABILITY, mttfS: [mttf] });
  const strategies = inRegistryOrder(rows.map((r) => r.strategy));
  const un = (a: number) => Math.max(1e-6, 100 * (1 - a)); // a perfect walk still needs a point on a log axis
  const downs = rows.flatMap((r) => [un(r.simulated), un(r.analytic)]);
  const data: object[] = strategies.map((s, i) => {
    const rs = rows.filter((r) => r.strategy === s);
    return { type: 'scatter', mode: 'lines+markers', name: s, legendgroup: s, x: rs.map((r) => 100 * r.transientShare), y: rs.map((r) => un(r.simulated)),
      line: { color: colourOf(s), dash: DASHES[i % DASHES.length], width: 1.5 }, marker: { color: colourOf(s), symbol: SYMBOLS[i % SYMBOLS.length], size: 6 } };
  });
  data.push({ type: 'scatter', mode: 'markers', name: 'closed form', showlegend: false, x: rows.map((r) => 100 * r.transientShare), y: rows.map((r) => un(r.analytic)),
    marker: { symbol: 'circle-open', size: 9, color: rows.map((r) => colourOf(r.strategy)), line: { width: 1 } } });
  data.push({ type: 'scatter', mode: 'markers', name: 'closed form', x: [null], y: [null], marker: { symbol: 'circle-open', size: 9, color: '#000' } });
  return figure('availability', `Unavailability, one fault per hour (MTTF ${mttf / 3600} h)`,
    'Share of time the service was down (log scale) against the share of arriving faults that are transient, one fault per hour on average; each arrival is a measured trial of that persistence. Lines: the simulated walk; open circles: the closed form MTTR/(MTTF+MTTR) with the same mean downtime. Lower is better; the paper reports no availability figure.',
    data, { x: 'transient share of arriving faults (%)', y: '' }, o, { yaxis: { type: 'log', title: { text: 'time down (%)' }, ...logTicks(Math.min(...downs), Math.max(...downs)) } });
}

/** Poison requests: outcome shares per application and strategy. */
export function poisonFigure(records: readonly TrialRecord[], o: StyleOptions = {}): FigureSpec {
  const mix = outcomeMix(records, ['app', 'strategy']);
  const apps = [...new Set(mix.map((m) => m.group.app))];
  const rows = apps.flatMap((a) => strategiesIn(records).flatMap((s) => {
    const m = mix.find((x) => x.group.app === a && x.group.strategy === s);
    return m ? [{ group: a, label: s, n: m.n, counts: countsOf(m) }] : [];
  }));
  const stack = outcomeStack(rows, o);
  return figure('poison-requests', 'Poison requests: outcome per application and strategy',
    'Deterministic faults that fire only on one class of request (a poison request): outcome shares per application and strategy, n = activated faults per bar. shadow-skip drops the request recovery keeps failing on (after Rx); the paper leaves such faults to future work.',
    stack.data, { x: '', y: '' }, o, { barmode: 'stack', yaxis: shareAxis, xaxis: stack.xaxis }, 1.2);
}

/** The figures each experiment's results feed. */
export const FIGURES_OF: Record<string, FigureMaker[]> = {
  table4: [table4Figure], 'fault-injection': [faultInjectionFigure], 'recovery-time': [recoveryTimeFigure, recoveryPhasesFigure],
  overhead: [overheadFigure], 'log-growth': [logGrowthFigure], approaches: [approachesFigure, availabilityFigure], 'poison-requests': [poisonFigure],
  'long-run': [longRunFigure], 'overhead-sensitivity': [sensitivityFigure],
};
