// What a notebook cell calls: read results with their provenance, run a sweep with live progress,
// show a figure as a plotly MIME bundle with a small PNG fallback, show any table as HTML. Kept
// here, compiled, so the notebooks stay thin (tslab cannot import ../src/*.ts; it imports dist/).
//
// Figure outputs carry three representations: application/vnd.plotly.v1+json (JupyterLab, VS
// Code: interactive), text/html (classic Notebook: the PNG, upgraded to an interactive plot when
// the page can load plotly.js from the server's /static/, which `shadowbench jupyter` provides),
// and image/png (nbconvert's HTML export, GitHub, any viewer that ignores the others). nbconvert
// drops the plotly MIME type and classic Notebook ignores it, hence the HTML that degrades to
// the PNG; plotly.js itself (4.6 MB) is never stored in a notebook.
import { createRequire } from 'node:module';
import { latestResults } from './report.js';
import type { Results } from './records.js';
import type { FigureSpec } from './figures.js';
import { pngFallbacks } from './render.js';
import { RENDERER_ENV, renderRemotely } from './render-service.js';
import { sweep } from '../cli/sweep.js';
import { loadExperiment } from '../sweep/experiment.js';
import { resolve } from 'node:path';
import { REFERENCE_DIR } from './notebooks.js';

const require = createRequire(import.meta.url);

/** The notebook parameters (the cell tagged `parameters`). */
export interface NotebookParams { resultsRoot: string; experiment: string; trials: number; workers: number; seed: number }

type Bundle = Record<string, unknown>;
/** tslab's display channel, or null outside a kernel (then outputs go to stdout as text). */
function displayChannel(): ((data: { data: Bundle; metadata: object; transient: object }, update: boolean) => void) | null {
  try {
    const j = require('tslab/dist/jupyter.js') as { lastWriteDisplayData?: (d: object, u: boolean) => void };
    return j.lastWriteDisplayData ?? null;
  } catch { return null; }
}

function display(data: Bundle, id?: string, update = false): void {
  const write = displayChannel();
  if (!write) { console.log(String(data['text/plain'] ?? '')); return; }
  write({ data, metadata: {}, transient: id ? { display_id: id } : {} }, update);
}

const escapeHtml = (s: unknown) => String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
let figureCount = 0;

/** The HTML representation: the PNG, replaced by the interactive plot where plotly.js can be loaded. */
export function figureHtml(spec: FigureSpec, png: string): string {
  const id = `sb-${spec.id}-${++figureCount}`;
  const upgrade = `(function(){var el=document.getElementById(${JSON.stringify(id)});if(!el||!window.requirejs)return;`
    + `var base=(document.body.getAttribute('data-base-url')||'/');window.requirejs.config({paths:{'shadowbench-plotly':base+'static/plotly.min'}});`
    + `window.requirejs(['shadowbench-plotly'],function(P){el.innerHTML='';P.newPlot(el,${JSON.stringify(spec.data)},${JSON.stringify(spec.layout)});},function(){});})();`;
  return `<div id="${id}"><img alt="${escapeHtml(spec.title)}" src="data:image/png;base64,${png}"></div><script>${upgrade}</script>`
    + `<p style="max-width:48em;font-size:0.9em"><b>${escapeHtml(spec.title)}.</b> ${escapeHtml(spec.caption)}</p>`;
}

/** The MIME bundle of one figure (PNG given as base64). */
export function figureBundle(spec: FigureSpec, png: string): Bundle {
  return {
    'application/vnd.plotly.v1+json': { data: spec.data, layout: spec.layout },
    'text/html': figureHtml(spec, png),
    'image/png': png,
    'text/plain': `${spec.title}. ${spec.caption}`,
  };
}

/** Show figures in the notebook. The PNG fallbacks come from the notebook runner's browser when it
 *  started one (analysis/render-service.ts), else from a browser of this cell's own. */
export async function showFigures(...specs: FigureSpec[]): Promise<void> {
  const service = process.env[RENDERER_ENV];
  const pngs = service ? await renderRemotely(service, specs, 1) : await pngFallbacks(specs, 1);
  specs.forEach((s, i) => display(figureBundle(s, pngs[i])));
}

/** Markdown (bold, code) inside a paragraph, as HTML. */
const inline = (s: string) => escapeHtml(s).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>').replace(/`(.+?)`/g, '<code>$1</code>').replace(/\*(.+?)\*/g, '<i>$1</i>');
const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

/** Markdown lines (paragraphs and pipe tables, as the report's table helpers write them) to HTML. */
export function markdownTablesToHtml(lines: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim().startsWith('|')) { if (lines[i].trim()) out.push(`<p>${inline(lines[i])}</p>`); continue; }
    const block: string[] = [];
    while (i < lines.length && lines[i].trim().startsWith('|')) block.push(lines[i++]);
    i--;
    const [head, , ...body] = block;
    out.push(htmlTable(cells(head), body.map(cells)));
  }
  return out.join('\n');
}

function htmlTable(columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const num = (v: unknown) => typeof v === 'number' || /^-?[\d.]+(%| |$)/.test(String(v));
  const td = (v: unknown) => `<td style="text-align:${num(v) ? 'right' : 'left'}">${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : inline(String(v ?? ''))}</td>`;
  return `<table><thead><tr>${columns.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>\n`
    + rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('\n') + '\n</tbody></table>';
}

/** A danfo DataFrame's shape (typed loosely: notebooks need not resolve danfo's types). */
interface FrameLike { columns: string[]; values: unknown[][] }
const isFrame = (x: unknown): x is FrameLike => typeof x === 'object' && x !== null && Array.isArray((x as FrameLike).columns) && Array.isArray((x as FrameLike).values);

/** Every table in a notebook goes through here: row objects, a danfo DataFrame, or markdown table lines. */
export function tableHtml(x: readonly object[] | FrameLike | readonly string[] | string): string {
  if (typeof x === 'string') return markdownTablesToHtml(x.split('\n'));
  if (isFrame(x)) return htmlTable(x.columns, x.values);
  const arr = x as readonly unknown[];
  if (arr.length === 0) return '<p><i>(no rows)</i></p>';
  if (typeof arr[0] === 'string') return markdownTablesToHtml(arr as string[]);
  const rows = arr as Array<Record<string, unknown>>;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return htmlTable(columns, rows.map((r) => columns.map((c) => r[c])));
}

export function showTable(x: Parameters<typeof tableHtml>[0], caption?: string): void {
  const html = (caption ? `<p><b>${escapeHtml(caption)}</b></p>` : '') + tableHtml(x);
  display({ 'text/html': html, 'text/plain': caption ?? 'table' });
}

/** One line naming where results came from: directory, trials, commit, and whether the tree was clean. */
export function provenanceOf(r: Results): string {
  const m = r.manifest, p = m.provenance;
  return `${r.records.length} records from ${r.dir}: ${m.trialsPerCell} trials per cell (${m.scale} scale), seeds from ${m.experiment.seedBase ?? 0}; `
    + `commit ${p.commit?.slice(0, 10) ?? 'unknown'}${p.dirty ? ' (uncommitted changes)' : ''}; finished ${m.finishedAt ?? 'not finished'}`;
}

/** The newest complete results of `experiment` under the root; shows their provenance. */
export function loadLatest(root: string, experiment: string): Results {
  const r = latestResults(root).get(experiment);
  if (!r) throw new Error(`no complete ${experiment} results under ${root}: set trials > 0 in the parameters cell to run a sweep, or point resultsRoot at a results root`);
  display({ 'text/html': `<p><i>Source:</i> ${escapeHtml(provenanceOf(r))}</p>`, 'text/plain': `Source: ${provenanceOf(r)}` });
  return r;
}

/**
 * Run a sweep of `experiment` into the results root when trials > 0 (else do nothing), with its
 * progress line updated in place in the notebook rather than written to stderr.
 */
export async function sweepIfAsked(p: NotebookParams): Promise<string | null> {
  if (!(p.trials > 0)) return null;
  if (resolve(p.resultsRoot).replace(/\/$/, '') === REFERENCE_DIR.replace(/\/$/, '')) {
    throw new Error(`resultsRoot is the committed reference (${p.resultsRoot}); set resultsRoot to your own folder (e.g. '../results') before running a sweep`);
  }
  const id = `sweep-${p.experiment}-${Date.now()}`;
  const show = (line: string, update: boolean) => display({ 'text/plain': line, 'text/html': `<pre>${escapeHtml(line)}</pre>` }, id, update);
  show(`${p.experiment}: starting ${p.trials} trials per cell on ${p.workers} worker(s) into ${p.resultsRoot}`, false);
  // The sweep reports progress on stderr; in a kernel stderr is an error stream, so its lines go to the display instead.
  const write = process.stderr.write.bind(process.stderr);
  let last = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    const text = String(chunk).replace(/\r/g, '\n').split('\n').map((l) => l.trim()).filter(Boolean).pop();
    if (text) { last = text; show(`${p.experiment}: ${text}`, true); }
    return true;
  }) as typeof process.stderr.write;
  try {
    // The experiment's own first seed keeps the sweep's usual directory; another seed gets its own.
    const seedBase = p.seed === loadExperiment(p.experiment).seedBase ? undefined : p.seed;
    const dir = await sweep({ experiment: p.experiment, scale: 'default', trials: p.trials, workers: p.workers, batch: 8, root: p.resultsRoot, resume: true, seedBase });
    show(`${p.experiment}: ${last || 'done'} -> ${dir}`, true);
    return dir;
  } finally { process.stderr.write = write; }
}
