// Figure specs without a browser: palette, stacked shares, the paper beside ours, byte axes,
// print sizes, and figures that move when the records do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { latestResults } from '../src/analysis/report.js';
import { table4Figure, faultInjectionFigure, overheadFigure, logGrowthFigure, recoveryTimeFigure, availabilityFigure, FIGURES_OF } from '../src/analysis/figures.js';
import { OKABE_ITO, OUTCOME_COLOURS, bytesLabel, byteAxis, printPoints, SIZE_PRESETS, FIGURE_SIZES } from '../src/analysis/figure-style.js';
import { PAPER } from '../src/analysis/paper.js';
import { table4FromRecords } from '../src/analysis/table4.js';
import type { TrialRecord } from '../src/trial/record.js';

const reference = fileURLToPath(new URL('../../notebooks/reference/', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));
const all = latestResults(reference);
const recs = (id: string) => all.get(id)!.records;
type Trace = { name?: string; type: string; x?: unknown[]; y?: unknown[]; marker?: { color?: string | string[]; line?: { color?: string } }; line?: { color?: string }; xaxis?: string };
const traces = (f: { data: object[] }) => f.data as Trace[];

test('every colour in every figure is from the Okabe-Ito palette', () => {
  const allowed = new Set<string>([...Object.values(OKABE_ITO), '#000', '#fff'].map((c) => c.toLowerCase()));
  for (const [id, makers] of Object.entries(FIGURES_OF)) {
    if (!all.has(id)) continue;
    for (const make of makers) for (const t of traces(make(recs(id)))) {
      for (const c of [t.marker?.color, t.marker?.line?.color, t.line?.color].flat()) if (c) assert.ok(allowed.has(c.toLowerCase()), `${id}/${t.name}: ${c}`);
    }
  }
});

test('outcome shares are 100% stacked bars with n on every bar', () => {
  const f = faultInjectionFigure(recs('fault-injection'));
  assert.equal((f.layout as { barmode: string }).barmode, 'stack');
  const bars = traces(f).filter((t) => t.type === 'bar');
  const width = (bars[0].x as unknown[][])[0].length;
  for (let i = 0; i < width; i++) {
    const sum = bars.reduce((s, t) => s + (t.y![i] as number), 0);
    assert.ok(Math.abs(sum - 100) < 1e-9, `bar ${i} sums to ${sum}`);
  }
  const labels = traces(f).find((t) => t.type === 'scatter') as Trace & { text: string[] };
  assert.equal(labels.text.length, width);
  for (const s of labels.text) assert.match(s, /^n=\d+$/);
});

test('Table 4: crash and malfunction stay apart, native shows its 0% correct, and the paper\'s cell is drawn beside each bar', () => {
  const records = recs('table4');
  const f = table4Figure(records);
  const crash = traces(f).find((t) => t.name === 'system-crash' && (t.xaxis ?? 'x') === 'x')!;
  const correct = traces(f).find((t) => t.name === 'correct' && (t.xaxis ?? 'x') === 'x')!;
  const row = (crash.y as string[]).findIndex((l) => l.startsWith('file-transfer'));
  // The bars are the records' shares (file transfer under native: mostly crashes, the paper's cell).
  const ft = table4FromRecords(records).find((x) => x.app === 'file-transfer')!;
  assert.ok(ft.faults > 0);
  assert.equal(crash.x![row], (100 * ft.mix.native['system-crash']) / ft.faults);
  assert.equal(correct.x![row], (100 * ft.mix.native.correct) / ft.faults);
  assert.ok((crash.x![row] as number) > 50, 'native file transfers mostly crash');
  assert.ok(traces(f).some((t) => t.name === 'malfunction' && t.xaxis === 'x2' && (t.x as number[]).some((v) => v > 0)), 'restart malfunctions are drawn as such');
  const paperRestart = traces(f).find((t) => t.name === 'paper' && t.xaxis === 'x2')!;
  const nwa = (paperRestart.y as string[]).findIndex((l) => l.startsWith('network-analyzer'));
  assert.equal((paperRestart.marker!.color as string[])[nwa], OUTCOME_COLOURS.malfunction);
  // The bars follow the records: native that never crashed shows 100% correct.
  const moved = records.map((r) => (r.spec.strategy === 'native' ? { ...r, outcome: 'correct' } : r)) as TrialRecord[];
  const c2 = traces(table4Figure(moved)).find((t) => t.name === 'correct' && (t.xaxis ?? 'x') === 'x')!;
  assert.equal(c2.x![row], 100);
});

test('overhead draws the paper\'s CPU points beside ours and its throughput band', () => {
  const f = overheadFigure(recs('overhead'));
  const paper = traces(f).find((t) => /^paper/.test(t.name ?? ''))!;
  assert.equal(paper.type, 'bar', 'a hollow bar in the same group as ours');
  assert.ok((paper.y as number[]).includes(PAPER.overhead.cpuPointsSend.value));
  assert.ok((paper.y as number[]).includes(PAPER.overhead.cpuPointsReceive.value));
  const band = (f.layout.shapes as Array<{ y0: number; y1: number }>)[0];
  assert.deepEqual([band.y0, band.y1], [100 * PAPER.overhead.throughputRelative.low, 100 * PAPER.overhead.throughputRelative.high]);
});

test('log growth is log-log with binary byte units', () => {
  const f = logGrowthFigure(recs('log-growth'));
  const l = f.layout as { xaxis: { type: string; ticktext: string[] }; yaxis: { type: string; ticktext: string[] } };
  assert.equal(l.xaxis.type, 'log');
  assert.equal(l.yaxis.type, 'log');
  for (const t of [...l.xaxis.ticktext, ...l.yaxis.ticktext]) assert.match(t, /^\d+(\.\d)? (B|KiB|MiB|GiB)$/);
  assert.deepEqual([bytesLabel(376), bytesLabel(1536), bytesLabel(22 * 1024), bytesLabel(1 << 20)], ['376 B', '1.5 KiB', '22 KiB', '1 MiB']);
  assert.deepEqual((byteAxis(300, 300, 'x').tickvals as number[]).length >= 3, true, 'a flat series still gets a readable range');
});

test('recovery time shows n on every point and never a bar of zero width', () => {
  const f = recoveryTimeFigure(recs('recovery-time'));
  for (const t of traces(f) as Array<Trace & { text: string[]; mode: string }>) {
    assert.equal(t.type, 'scatter');
    assert.match(t.mode, /markers/);
    for (const s of t.text) assert.match(s, /^n=\d+$/);
  }
});

test('availability: one line per strategy plus one closed-form series, not two lines each', () => {
  const f = availabilityFigure(recs('approaches'));
  const lines = traces(f).filter((t) => (t as { mode?: string }).mode === 'lines+markers');
  assert.equal(lines.length, new Set(recs('approaches').map((r) => r.spec.strategy)).size);
  assert.equal((f.layout as { yaxis: { type: string } }).yaxis.type, 'log');
});

test('print presets put fonts at 8-9 pt; --no-title drops the title', () => {
  for (const s of FIGURE_SIZES) assert.ok(printPoints(s) >= 8 && printPoints(s) <= 9, `${s}: ${printPoints(s)} pt`);
  const col = faultInjectionFigure(recs('fault-injection'), { size: 'column', title: false });
  assert.equal(col.layout.width, SIZE_PRESETS.column.width);
  assert.equal(col.layout.title, undefined);
  assert.ok(faultInjectionFigure(recs('fault-injection')).layout.title);
  const r = spawnSync(process.execPath, [BIN, 'figures', reference, '--size', 'poster'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /column, page|"column", "page"/);
});

test('the report embeds each rendered figure under its section, linked relative to the report', async () => {
  const { report } = await import('../src/analysis/report.js');
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'report-figs-'));
  mkdirSync(join(dir, 'figures'));
  writeFileSync(join(dir, 'figures', 'table4-survival.png'), 'png');
  const md = report(reference, join(dir, 'figures'), dir);
  assert.match(md, /!\[Table 4: outcome after a detected driver failure\]\(figures\/table4-survival\.png\)/);
  assert.match(md, /\[PDF\]\(figures\/table4-survival\.pdf\)/);
  assert.doesNotMatch(md, /overhead-cpu\.png/, 'figures that were not rendered are not linked');
  const t4 = md.indexOf('## Table 4'), img = md.indexOf('table4-survival.png'), next = md.indexOf('\n## ', t4 + 5);
  assert.ok(t4 < img && img < next, 'the figure sits in the Table 4 section');
  assert.doesNotMatch(md, /Paper \(paper\)/);
});
