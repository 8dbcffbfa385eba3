// Render figure specs with plotly.js in Debian's headless Chromium, one browser for all figures:
// SVG, PNG (print resolution) and PDF per figure, and one standalone HTML page with every figure.
// Chromium prints the PDF from the SVG, so the three formats are one drawing.
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { FigureSpec } from './figures.js';

const require = createRequire(import.meta.url);
export const CHROMIUM = process.env.SHADOWBENCH_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

export const plotlyPath = (): string => require.resolve('plotly.js-dist-min');
export function plotlySource(): string { return readFileSync(plotlyPath(), 'utf8'); }

export type Spec = { data: object[]; layout: Record<string, unknown> };
const sizeOf = (s: Spec) => ({ width: Number(s.layout.width ?? 672), height: Number(s.layout.height ?? 336) });

/** A headless Chromium page with plotly.js loaded, and how to close its browser. */
export async function openPlotlyPage(): Promise<{ page: Page; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set SHADOWBENCH_CHROMIUM`);
  const { chromium } = await import('playwright-core');
  // The command decides what Ctrl-C does (reproduce stops its notebooks first); playwright's
  // own handlers would close the browser under a figure being drawn and exit the process. A
  // browser whose parent is gone exits by itself (its pipe closes).
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.setContent('<html><body style="margin:0"></body></html>');
    await page.addScriptTag({ content: plotlySource() });
    return { page, close: () => browser.close() };
  } catch (e) { await browser.close(); throw e; }
}

/** Open one headless Chromium page with plotly.js loaded, run `fn`, close the browser. */
export async function withPlotlyPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
  const { page, close } = await openPlotlyPage();
  try { return await fn(page); } finally { await close(); }
}

/** One figure as an SVG string or a base64 PNG (scale = device pixels per CSS pixel). */
export async function toImage(page: Page, spec: Spec, format: 'svg' | 'png', scale = 1): Promise<string> {
  const url = await page.evaluate(async ({ s, format, scale }) => {
    const P = (window as unknown as { Plotly: { newPlot: Function; toImage: Function; purge: Function } }).Plotly;
    const div = document.createElement('div');
    document.body.appendChild(div);
    try {
      await P.newPlot(div, s.data, s.layout, { staticPlot: true });
      const l = s.layout as { width: number; height: number };
      return (await P.toImage(div, { format, width: l.width, height: l.height, scale })) as string;
    } finally { P.purge(div); div.remove(); } // a page that draws many figures keeps none of them
  }, { s: spec, format, scale });
  return format === 'svg' ? decodeURIComponent(url.replace(/^data:image\/svg\+xml,/, '')) : url.replace(/^data:image\/png;base64,/, '');
}

/** PDF of an SVG at the figure's own size (96 CSS px per inch), printed by Chromium. */
async function svgToPdf(page: Page, svg: string, width: number, height: number): Promise<Buffer> {
  const pdfPage = await page.context().newPage();
  try {
    await pdfPage.setContent(`<html><head><style>@page{size:${width}px ${height}px;margin:0}html,body{margin:0}svg{display:block}</style></head><body>${svg}</body></html>`);
    return await pdfPage.pdf({ width: `${width}px`, height: `${height}px`, printBackground: true, pageRanges: '1' });
  } finally { await pdfPage.close(); }
}

export interface RenderOptions { /** Device pixels per CSS pixel for the PNG: 3.125 gives 300 dpi at print size. */ pngScale?: number }

export async function renderFigures(specs: readonly FigureSpec[], outDir: string, o: RenderOptions = {}): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  await withPlotlyPage(async (page) => {
    for (const spec of specs) {
      const { width, height } = sizeOf(spec);
      const svg = await toImage(page, spec, 'svg');
      const png = await toImage(page, spec, 'png', o.pngScale ?? 300 / 96);
      const files = { svg: join(outDir, `${spec.id}.svg`), png: join(outDir, `${spec.id}.png`), pdf: join(outDir, `${spec.id}.pdf`) };
      writeFileSync(files.svg, svg);
      writeFileSync(files.png, Buffer.from(png, 'base64'));
      writeFileSync(files.pdf, await svgToPdf(page, svg, width, height));
      written.push(files.svg, files.png, files.pdf);
    }
  });
  writeFileSync(join(outDir, 'figures.html'), standaloneHtml(specs));
  written.push(join(outDir, 'figures.html'));
  return written;
}

/** Small PNGs (base64) of several figures, one browser: the static fallback notebooks carry. */
export async function pngFallbacks(specs: readonly Spec[], scale = 1): Promise<string[]> {
  return withPlotlyPage(async (page) => { const out: string[] = []; for (const s of specs) out.push(await toImage(page, s, 'png', scale)); return out; });
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One page, plotly.js inlined once, every figure interactive with its caption. */
export function standaloneHtml(specs: readonly FigureSpec[]): string {
  const divs = specs.map((s) => `<figure><div id="${s.id}"></div><figcaption><b>${escapeHtml(s.title)}.</b> ${escapeHtml(s.caption)}</figcaption></figure>`).join('\n');
  const plots = specs.map((s) => `Plotly.newPlot(${JSON.stringify(s.id)}, ${JSON.stringify(s.data)}, ${JSON.stringify(s.layout)});`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>shadowbench figures</title><script>${plotlySource()}</script>
<style>body{font-family:Helvetica,Arial,sans-serif;max-width:60em;margin:1em auto}figure{margin:2em 0}figcaption{font-size:0.9em;max-width:50em}</style></head>
<body>\n<h1>shadowbench figures</h1>\n${divs}\n<script>${plots}</script></body></html>\n`;
}
