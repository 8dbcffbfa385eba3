// Overhead is measured where it happens: crossings counted per call, receive crossing per
// (moderated) interrupt, CPU work done one piece at a time over the transfer's own interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import type { Params } from '../src/params.js';
import { measureOverhead, paperComparison, overheadRows } from '../src/analysis/overhead.js';

const transfer = (strategy: string, receive: boolean, params: Partial<Params> = {}) => runTrial({
  driver: 'e1000', app: 'file-transfer', strategy, seed: 0, fault: null,
  params: { fileTransferBytes: 1 << 20, fileTransferPaceBytesPerSec: 0, fileTransferReceive: receive ? 1 : 0, ...params },
});

test('under isolation receive crosses less often and costs fewer extra CPU points than send', () => {
  const rows = measureOverhead('e1000', ['native', 'shadow'], 1 << 20, 1);
  const at = (set: string, s: string) => rows.find((r) => r.set === set && r.strategy === s)!;
  assert.ok(at('receive', 'shadow').crossingsPerSec < at('send', 'shadow').crossingsPerSec);
  assert.ok(at('receive', 'shadow').cpuPointsOverNative < at('send', 'shadow').cpuPointsOverNative);
  assert.ok(at('send', 'shadow').cpuPointsOverNative > 0);
  const cells = paperComparison(rows);
  assert.equal(cells.length, 6);
  assert.ok(cells.some((c) => c.differs), 'our figures differ from the paper somewhere and say so');
});

test('interrupt moderation decides how many frames one receive crossing handles', () => {
  const fast = transfer('shadow', true, { nicIrqIntervalUs: 0 }), slow = transfer('shadow', true, { nicIrqIntervalUs: 125 });
  // (Much longer intervals overrun the 16-descriptor receive ring: frames are lost and resent.)
  assert.ok(slow.cpu.crossingsIn * 2 < fast.cpu.crossingsIn, `${fast.cpu.crossingsIn} -> ${slow.cpu.crossingsIn}`);
});

test('batched kernel calls ride on the return crossing: isolation crosses out far less than native calls', () => {
  const nat = transfer('native', true), sh = transfer('shadow', true);
  assert.ok(sh.cpu.crossingsOut * 5 < nat.cpu.crossingsOut, `${nat.cpu.crossingsOut} calls vs ${sh.cpu.crossingsOut} crossings`);
  const smallPool = transfer('shadow', true, { isolatedPoolBatch: 1 });
  assert.ok(smallPool.cpu.crossingsOut > sh.cpu.crossingsOut, 'a pool refilled per buffer crosses per buffer');
});

test('utilisation never passes 100%: a saturated CPU slows the transfer instead', () => {
  const cheap = transfer('shadow', false), dear = transfer('shadow', false, { isolatedCrossingNs: 30_000 });
  assert.ok(dear.cpu.windowUtilization <= 1, String(dear.cpu.windowUtilization));
  assert.ok(dear.cpu.windowUtilization > 0.95, `saturated: ${dear.cpu.windowUtilization}`);
  assert.ok(dear.app.transferUs > 1.2 * cheap.app.transferUs, `${cheap.app.transferUs} -> ${dear.app.transferUs}`);
  const rows = overheadRows([dear, cheap].map((r, i) => ({ ...r, key: `x/x/x/${i}` })));
  for (const r of rows) assert.ok(r.cpuUtilization <= 1);
});

test('the crossing cost moves the CPU points and the tap cost moves the shadow above restart', () => {
  const base = transfer('shadow', false), dear = transfer('shadow', false, { isolatedCrossingNs: 2000 });
  assert.ok(dear.cpu.windowUtilization > base.cpu.windowUtilization);
  const noTap = transfer('shadow', false, { tapNs: 0 }), rs = transfer('restart', false);
  assert.ok(Math.abs(noTap.cpu.windowUtilization - rs.cpu.windowUtilization) < 0.01, 'without taps the shadow costs what isolation costs');
  assert.ok(base.cpu.windowUtilization > rs.cpu.windowUtilization);
});

test('sound and block apps: CPU and run time measured over the app run, under every strategy', () => {
  for (const [driver, app] of [['audigy', 'mp3-player'], ['ide-disk', 'database']]) {
    const recs = ['native', 'shadow'].map((strategy) => ({ ...runTrial({ driver, app, strategy, seed: 0, fault: null }), key: 'x/x/x/default' }));
    const rows = overheadRows(recs);
    const sh = rows.find((r) => r.strategy === 'shadow')!;
    assert.ok(sh.runUs > 0 && sh.crossingsPerSec > 0);
    assert.ok(sh.cpuPointsOverNative >= 0 && sh.cpuPointsOverNative < 1, `${app}: ${sh.cpuPointsOverNative}`);
    assert.ok(Math.abs(sh.relativeRunTime - 1) < 0.01);
  }
});
