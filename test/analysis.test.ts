// Analysis, figures and notebooks over the committed reference results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wilson } from '../src/analysis/stats.js';
import { latestResults, report } from '../src/analysis/report.js';
import { table4FromRecords } from '../src/analysis/table4.js';
import { renderFigures, CHROMIUM, pngFallbacks } from '../src/analysis/render.js';
import { startRenderService, renderRemotely, bodyOf } from '../src/analysis/render-service.js';
import { Readable } from 'node:stream';
import { runNotebooks, jupyterAvailable } from '../src/analysis/notebooks.js';
import { collectFigures } from '../src/cli/report.js';

const reference = fileURLToPath(new URL('../../notebooks/reference/', import.meta.url));
/** In CI the tools must be there; elsewhere a missing tool skips the test with the reason. */
const needs = (ok: boolean, what: string) => (ok ? undefined : process.env.CI ? undefined : `${what} is not installed (scripts/install.sh installs it)`);

test('Wilson intervals: known values, and sane at the edges', () => {
  const w = wilson(8, 10);
  assert.ok(Math.abs(w.lo - 0.4902) < 1e-3 && Math.abs(w.hi - 0.9433) < 1e-3, `${w.lo} ${w.hi}`);
  const z = wilson(0, 20);
  assert.equal(z.lo, 0);
  assert.ok(z.hi > 0.1 && z.hi < 0.2);
  assert.deepEqual([wilson(0, 0).lo, wilson(0, 0).hi], [0, 1]);
});

test('the report puts the paper beside the reference results, with intervals and provenance', () => {
  const md = report(reference);
  assert.match(md, /## Table 4/);
  assert.match(md, /\| file-transfer \| e1000 \| \d+ \| crash \/ ok \/ ok \|/);
  assert.match(md, /\d+% \[\d+%, \d+%\]/);
  assert.match(md, /_Source: `.*reference\/table4\/.*` — \d+ trials.*commit [0-9a-f]{10}/);
  for (const s of ['SWIFI campaign', 'Overhead', 'Recovery time', 'Recovery log']) assert.match(md, new RegExp(`## ${s}`));
});

test('Table 4 from records pairs each qualifying fault across the three strategies', () => {
  const r = latestResults(reference).get('table4')!;
  const rows = table4FromRecords(r.records);
  assert.equal(rows.length, 10);
  for (const row of rows) for (const s of ['native', 'restart', 'shadow'] as const) {
    assert.equal(Object.values(row.mix[s]).reduce((a, b) => a + b, 0), row.faults, `${row.app} ${s}`);
  }
});

test('figures: SVG, PNG and PDF per figure and one HTML page, from headless Chromium', { skip: needs(existsSync(CHROMIUM), 'Chromium') }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'figs-'));
  const specs = collectFigures(reference);
  assert.ok(specs.length >= 5);
  const files = await renderFigures(specs, out);
  for (const f of files.filter((x) => x.endsWith('.png'))) {
    const png = readFileSync(f);
    assert.equal(png.subarray(1, 4).toString(), 'PNG', f);
    assert.ok(png.length > 20_000, `${f} is ${png.length} bytes`);
  }
  for (const f of files.filter((x) => x.endsWith('.svg'))) assert.match(readFileSync(f, 'utf8'), /<svg[\s\S]*<\/svg>/);
  const pdfs = files.filter((x) => x.endsWith('.pdf'));
  assert.equal(pdfs.length, specs.length, 'a PDF beside every SVG and PNG');
  for (const f of pdfs) assert.equal(readFileSync(f).subarray(0, 5).toString(), '%PDF-', f);
  assert.ok(statSync(join(out, 'figures.html')).size > 1_000_000, 'plotly.js is inlined once');
});

test('the render service reads a body whose characters straddle its chunks, and refuses one over its limit', async () => {
  const text = JSON.stringify({ title: 'µ'.repeat(50) });
  const bytes = Buffer.from(text, 'utf8');
  const odd = bytes.indexOf(Buffer.from('µ')) + 1; // inside the first µ
  const chunks = [bytes.subarray(0, odd), bytes.subarray(odd, odd + 7), bytes.subarray(odd + 7)];
  assert.equal(await bodyOf(Readable.from(chunks), 1000), text);
  assert.equal(await bodyOf(Readable.from(chunks), bytes.length - 1), null);
});

test('the render service draws the PNG a browser of its own draws, byte for byte, and only at its secret address', { skip: needs(existsSync(CHROMIUM), 'Chromium') }, async () => {
  const bar = (y: number[], title = '') => ({ data: [{ type: 'bar', x: ['a', 'b'], y }], layout: { width: 300, height: 200, title: { text: title } } });
  const long = bar([3, 1], 'recovery time (µs) – shadow');
  const service = await startRenderService(1_000_000);
  try {
    const local = await pngFallbacks([bar([1, 2]), bar([2, 1]), long], 1);
    const [one, two, third] = await renderRemotely(service.url, [bar([1, 2]), bar([2, 1]), long], 1);
    assert.deepEqual([one, two, third], local);
    assert.notEqual(one, two, 'another spec, another picture');
    const [big] = await renderRemotely(service.url, [bar([1, 2])], 2);
    assert.ok(Buffer.from(big, 'base64').length > Buffer.from(one, 'base64').length, 'the scale is applied');
    // Requests at once are drawn one after another, each its own.
    const many = await Promise.all([bar([1, 2]), bar([2, 1]), long].map((s) => renderRemotely(service.url, [s], 1)));
    assert.deepEqual(many.flat(), local);
    await assert.rejects(renderRemotely(service.url.replace(/\/[0-9a-f]+$/, '/nope'), [bar([1, 2])], 1), /HTTP 404/);
    await assert.rejects(renderRemotely(service.url, [{ data: [], layout: null as unknown as Record<string, unknown> }], 1), /HTTP 500/);
    await assert.rejects(renderRemotely(service.url, [bar([1, 2])], 0), /HTTP 500: expected \{specs/);
    const junk = await fetch(service.url, { method: 'POST', body: '{"specs": [' });
    assert.equal(junk.status, 500, 'a body that is not JSON');
    await assert.rejects(renderRemotely(service.url, [bar([1, 2], 'x'.repeat(1_100_000))], 1), /HTTP 413/);
    assert.equal((await renderRemotely(service.url, [bar([1, 2])], 1))[0], one, 'still serving after every failed request');
  } finally { await service.close(); }
});

test('every notebook executes headlessly without a cell error or stderr output, under 1 MB, figures as plotly bundles with a PNG', { skip: needs(jupyterAvailable(), 'Jupyter') }, async () => {
  const runs = await runNotebooks(mkdtempSync(join(tmpdir(), 'nbs-')), { quiet: true });
  assert.ok(runs.length >= 5);
  for (const r of runs) {
    assert.deepEqual(r.problems, [], r.notebook);
    assert.ok(r.bytes < 1_000_000, `${r.notebook} is ${r.bytes} bytes`);
    const nb = JSON.parse(readFileSync(r.executed, 'utf8')) as { cells: Array<{ outputs?: Array<{ data?: Record<string, unknown> }> }> };
    const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    const figures = outputs.filter((o) => o.data?.['application/vnd.plotly.v1+json']);
    assert.ok(figures.length >= 1, `${r.notebook}: a plotly figure`);
    for (const f of figures) assert.match(String(f.data!['image/png']), /^iVBOR/, `${r.notebook}: PNG fallback`);
    assert.ok(outputs.some((o) => /<table>/.test(String(o.data?.['text/html'] ?? ''))), `${r.notebook}: an HTML table`);
    assert.ok(outputs.some((o) => /Source:.*commit/.test(String(o.data?.['text/plain'] ?? ''))), `${r.notebook}: provenance of its results`);
    const html = readFileSync(r.html, 'utf8');
    assert.match(html, /data:image\/png;base64,/, `${r.notebook}: the figure is in the HTML export`);
    assert.doesNotMatch(html, /Plotly\.newPlot\(\s*"|plotly\.js v\d/, `${r.notebook}: plotly.js is not pasted into the export`);
  }
});
