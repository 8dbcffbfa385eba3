// Render figure specs with plotly.js in Debian's headless Chromium (one browser for all
// figures): SVG and PNG per figure, and one standalone HTML page with every figure.
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { FigureSpec } from './figures.js';

const require = createRequire(import.meta.url);
export const CHROMIUM = process.env.SHADOWBENCH_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

export function plotlySource(): string { return readFileSync(require.resolve('plotly.js-dist-min'), 'utf8'); }

export async function renderFigures(specs: readonly FigureSpec[], outDir: string): Promise<string[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set SHADOWBENCH_CHROMIUM`);
  mkdirSync(outDir, { recursive: true });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const written: string[] = [];
  try {
    const page = await browser.newPage();
    await page.setContent('<html><body></body></html>');
    await page.addScriptTag({ content: plotlySource() });
    for (const spec of specs) {
      const out = await page.evaluate(async (s) => {
        const P = (window as unknown as { Plotly: { newPlot: Function; toImage: Function; purge: Function } }).Plotly;
        const div = document.createElement('div');
        document.body.appendChild(div);
        await P.newPlot(div, s.data, s.layout, { staticPlot: true });
        const l = s.layout as { width: number; height: number };
        const svg = await P.toImage(div, { format: 'svg', width: l.width, height: l.height });
        const png = await P.toImage(div, { format: 'png', width: l.width, height: l.height, scale: 2 });
        P.purge(div); div.remove();
        return { svg, png };
      }, spec as unknown as { data: object[]; layout: object });
      const svg = decodeURIComponent(out.svg.replace(/^data:image\/svg\+xml,/, ''));
      writeFileSync(join(outDir, `${spec.id}.svg`), svg);
      writeFileSync(join(outDir, `${spec.id}.png`), Buffer.from(out.png.replace(/^data:image\/png;base64,/, ''), 'base64'));
      written.push(join(outDir, `${spec.id}.svg`), join(outDir, `${spec.id}.png`));
    }
  } finally { await browser.close(); }
  writeFileSync(join(outDir, 'figures.html'), standaloneHtml(specs));
  written.push(join(outDir, 'figures.html'));
  return written;
}

/** One page, plotly.js inlined once, every figure interactive. */
export function standaloneHtml(specs: readonly FigureSpec[]): string {
  const divs = specs.map((s) => `<h2>${s.title}</h2><div id="${s.id}"></div>`).join('\n');
  const plots = specs.map((s) => `Plotly.newPlot(${JSON.stringify(s.id)}, ${JSON.stringify(s.data)}, ${JSON.stringify(s.layout)});`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>shadowbench figures</title><script>${plotlySource()}</script></head>\n<body style="font-family: Arial, sans-serif">\n<h1>shadowbench figures</h1>\n${divs}\n<script>${plots}</script></body></html>\n`;
}
