// The look every figure shares: the Okabe-Ito colour-blind-safe palette, print-size presets
// (fonts of 8-9 pt when the figure is printed at a paper column's or page's width), byte axes in
// binary units, and the plotly layout built from them. Plotly works in CSS pixels: 96 px = 1 in
// = 72 pt, so a 12 px font printed at the figure's own size is 9 pt.

/** Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision deficiencies. */
export const OKABE_ITO = {
  black: '#000000', orange: '#E69F00', skyBlue: '#56B4E9', bluishGreen: '#009E73',
  yellow: '#F0E442', blue: '#0072B2', vermillion: '#D55E00', reddishPurple: '#CC79A7', grey: '#999999',
} as const;

const O = OKABE_ITO;
/** Outcomes: green for correct, warm colours darkening with severity (yellow, orange, vermillion). */
export const OUTCOME_COLOURS: Record<string, string> = {
  correct: O.bluishGreen, malfunction: O.yellow, 'app-failed': O.orange, 'system-crash': O.vermillion, 'harness-error': O.reddishPurple, 'not-activated': O.grey,
};
export const STRATEGY_COLOURS: Record<string, string> = {
  native: O.black, restart: O.orange, shadow: O.blue, 'shadow-skip': O.skyBlue, replication: O.bluishGreen, checkpoint: O.reddishPurple,
};
export const colourOf = (key: string): string => STRATEGY_COLOURS[key] ?? OUTCOME_COLOURS[key] ?? O.grey;
/** Line dashes, so lines stay apart in greyscale print too. */
export const DASHES = ['solid', 'dash', 'dot', 'dashdot', 'longdash', 'longdashdot'];
export const SYMBOLS = ['circle', 'square', 'diamond', 'triangle-up', 'x', 'star'];

export type FigureSize = 'column' | 'page';
export const FIGURE_SIZES: readonly FigureSize[] = ['column', 'page'];
/** Width and height in CSS px (96 per inch) and the base font (px) for each print preset. */
export const SIZE_PRESETS: Record<FigureSize, { width: number; height: number; font: number }> = {
  column: { width: 320, height: 240, font: 11 }, // 3.33 in wide (one column of a two-column paper); 11 px = 8.25 pt
  page: { width: 672, height: 336, font: 12 }, // 7 in wide (full text width); 12 px = 9 pt
};

export interface StyleOptions { size?: FigureSize; title?: boolean }

/** Font size in points when printed at the preset's width. */
export const printPoints = (size: FigureSize): number => (SIZE_PRESETS[size].font * 72) / 96;

const AXIS = { automargin: true, showline: true, linecolor: '#000', ticks: 'outside', zeroline: false, gridcolor: '#e5e5e5' };

/**
 * Plotly layout for a figure at a print preset. `extra` wins over the defaults; an axis in
 * `extra` (xaxis, yaxis2, ...) is merged onto the shared axis style rather than replacing it.
 * The top margin makes room for the title and a legend of `legendItems` entries above the plot.
 */
export function layoutFor(title: string, x: string, y: string, o: StyleOptions, extra: Record<string, unknown> = {}, heightScale = 1, legendItems: string[] = []): Record<string, unknown> {
  const p = SIZE_PRESETS[o.size ?? 'page'];
  const withTitle = o.title !== false;
  const legendFont = p.font - (o.size === 'column' ? 1 : 0);
  // Horizontal legend with entries of one fixed width (plotly's entrywidth), so the rows it
  // needs, and the top margin that holds them, are known here.
  // entrywidth counts the text only; the symbol and gap add about 40 px. The legend wraps at the
  // plot area's width, which axis labels narrow: assume three quarters of the figure.
  const entry = Math.ceil(4 + 0.58 * legendFont * Math.max(0, ...legendItems.map((i) => i.length)));
  const perRow = Math.max(1, Math.floor((0.75 * p.width) / (entry + 40)));
  const rows = Math.ceil(legendItems.length / perRow);
  const layout: Record<string, unknown> = {
    ...(withTitle ? { title: { text: title, font: { size: p.font + 1 }, x: 0, xref: 'paper', xanchor: 'left', y: 1, yref: 'container', yanchor: 'top', pad: { t: 4 } } } : {}),
    width: p.width, height: Math.round(p.height * heightScale),
    font: { family: 'Helvetica, Arial, sans-serif', size: p.font, color: '#000' },
    paper_bgcolor: '#fff', plot_bgcolor: '#fff',
    xaxis: { ...AXIS, gridcolor: undefined, showgrid: false, title: { text: x, standoff: 4 } },
    yaxis: { ...AXIS, title: { text: y, standoff: 4 } },
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: 1.02, yanchor: 'bottom', font: { size: legendFont }, traceorder: 'normal', itemwidth: 30, entrywidth: entry, entrywidthmode: 'pixels' },
    margin: { t: (withTitle ? p.font + 14 : 4) + rows * Math.round(legendFont * 1.9) + 6, b: 4, l: 4, r: 8, pad: 0 },
    bargap: 0.25,
  };
  for (const [k, v] of Object.entries(extra)) {
    layout[k] = /^[xy]axis\d*$/.test(k) ? { ...AXIS, ...(k.startsWith('x') ? { showgrid: false } : {}), ...(v as object) } : v;
  }
  return layout;
}

/** Legend entries of a figure's traces (one per legend group), for layoutFor's margin. */
export const legendItems = (data: ReadonlyArray<{ name?: string; showlegend?: boolean; legendgroup?: string }>): string[] => {
  const seen = new Set<string>();
  return data.filter((t) => t.showlegend !== false && t.name).filter((t) => { const g = t.legendgroup ?? t.name!; if (seen.has(g)) return false; seen.add(g); return true; }).map((t) => t.name!);
};

/** Binary byte units for a tick label: 512 B, 4 KiB, 1.5 MiB. */
export function bytesLabel(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = b, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  const s = v >= 10 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1);
  return `${s} ${units[u]}`;
}

/** A log axis over [lo, hi] bytes with ticks at powers of two labelled in B/KiB/MiB (about six ticks). */
export function byteAxis(lo: number, hi: number, title: string): Record<string, unknown> {
  let a = Math.floor(Math.log2(Math.max(1, lo))), b = Math.ceil(Math.log2(Math.max(2, hi)));
  // At least a 16x range, so a flat line reads as flat rather than filling the axis.
  while (b - a < 4) { if (a > 0) a--; b++; }
  const step = Math.max(1, Math.ceil((b - a) / 6));
  const vals: number[] = [];
  for (let k = a; k <= b; k += step) vals.push(2 ** k);
  return {
    type: 'log', title: { text: title, standoff: 4 }, tickvals: vals, ticktext: vals.map(bytesLabel),
    range: [Math.log10(2 ** a) - 0.05, Math.log10(2 ** b) + 0.05], showgrid: true,
  };
}

/** Log-axis ticks at 1-2-5 steps within [lo, hi], labelled as plain numbers (0.2, 5, 100). */
export function logTicks(lo: number, hi: number): { tickvals: number[]; ticktext: string[] } {
  const vals: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) { // ticks past the data are clipped by the axis range
    for (const m of [1, 2, 5]) { const v = m * 10 ** e; if (v >= lo / 3 && v <= hi * 3) vals.push(Number(v.toPrecision(1))); }
  }
  const sparse = vals.length > 9 ? vals.filter((v) => /^1|^0\.0*1/.test(String(v))) : vals; // too many: decades only
  return { tickvals: sparse, ticktext: sparse.map((v) => String(v)) };
}

/** Do the values span at least `decades` powers of ten (so a log axis is the honest one)? */
export const spansDecades = (xs: readonly number[], decades = 1): boolean => {
  const pos = xs.filter((x) => x > 0);
  return pos.length > 1 && Math.log10(Math.max(...pos) / Math.min(...pos)) >= decades;
};

