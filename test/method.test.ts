// The paper's injection method: image persistence, several faults per trial, fired vs changed,
// and the categories computed from paired records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runTrial } from '../src/trial/run.js';
import type { TrialRecord } from '../src/trial/record.js';
import { campaignCategories, nooksHeadline } from '../src/analysis/paper-campaign.js';
import { outcomeBreakdown, formatBreakdown, reasonShape } from '../src/analysis/explain.js';

const BIN = new URL('../../bin/shadowbench.js', import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, ['--single-threaded', BIN, ...args], { encoding: 'utf8' });

test('image: the mutation fires in the loaded instance only; a restart loads a clean image, native keeps firing', () => {
  const f = { type: 'pointer-corrupt' as const, site: 'e1000.clean_rx.skb', persistence: 'image' as const, bit: 24 };
  const rs = runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'restart', seed: 5, fault: f });
  assert.equal(rs.recoveries.succeeded, 1);
  assert.deepEqual(rs.fault!.firedInLoads, [1], 'it fired in load 1 and never after the reload');
  assert.equal(rs.outcome, 'correct', rs.reason);
  // The same fault as deterministic is in the binary: the reloaded instance has it too.
  const det = runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'restart', seed: 5, fault: { ...f, persistence: 'deterministic' } });
  assert.ok(det.fault!.firedInLoads.length > 1, 'a deterministic fault fires again after the reload');
  // Native: no reload, so the image keeps its mutation (here the first firing already panics).
  const nat = runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'native', seed: 5, fault: f });
  assert.deepEqual(nat.fault!.firedInLoads, [1]);
  assert.equal(nat.outcome, 'system-crash');
});

test('image under a shadow: recovery reloads a clean image, and the application goes on', () => {
  const f = { type: 'pointer-corrupt' as const, site: 'e1000.clean_rx.skb', persistence: 'image' as const, bit: 24 };
  const sh = runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'shadow', seed: 5, fault: f });
  assert.ok(sh.recoveries.succeeded >= 1);
  assert.deepEqual(sh.fault!.firedInLoads, [1]);
});

test('--faults 5 plants five faults at distinct sites; the replay command reproduces the record byte for byte', () => {
  const r = runTrial({ driver: 'audigy', app: 'mp3-player', strategy: 'shadow', seed: 4, fault: { type: 'random', persistence: 'image', count: 5 } });
  assert.equal(r.spec.extraFaults?.length, 4);
  const sites = [r.spec.fault!.site, ...r.spec.extraFaults!.map((f) => f.site)];
  assert.equal(new Set(sites).size, 5);
  assert.equal(r.extraFaults?.length, 4, 'each fault keeps its own activity');
  assert.match(r.replay, /(--extra-fault \S+ ?){4}/);
  const first = cli('trial', '--driver', 'audigy', '--app', 'mp3-player', '--strategy', 'shadow', '--seed', '4', '--persistence', 'image', '--faults', '5', '--json');
  assert.equal(first.status, 0, first.stderr);
  const rec = JSON.parse(first.stdout) as TrialRecord;
  assert.equal(rec.replay, r.replay, 'the CLI and the library draw the same faults');
  const again = cli(...rec.replay.replace(/^npx shadowbench /, '').split(' '), '--json');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, first.stdout);
});

test('one fault per trial draws exactly what it drew before --faults existed (the first fault is the same draw)', () => {
  const one = runTrial({ driver: 'audigy', app: 'mp3-player', strategy: 'native', seed: 4, fault: { type: 'random', persistence: 'image' } });
  const five = runTrial({ driver: 'audigy', app: 'mp3-player', strategy: 'native', seed: 4, fault: { type: 'random', persistence: 'image', count: 5 } });
  assert.deepEqual(five.spec.fault, one.spec.fault);
  assert.equal(one.spec.extraFaults, undefined);
});

test('fired vs changed: a status bit the block layer ignores fires but changes nothing, so the run is not activated', () => {
  const ignored = runTrial({ driver: 'ide-disk', app: 'compiler', strategy: 'restart', seed: 5, fault: { type: 'bad-param', site: 'ide.isr.end_request', persistence: 'image', bit: 61 } });
  assert.ok(ignored.fault!.fired > 0);
  assert.equal(ignored.fault!.changed, 0);
  assert.equal(ignored.outcome, 'not-activated');
  assert.match(ignored.reason, /fired \d+ times but never changed/);
  // The sign bit of the same argument is read: a success becomes a failure.
  const sign = runTrial({ driver: 'ide-disk', app: 'compiler', strategy: 'restart', seed: 5, fault: { type: 'bad-param', site: 'ide.isr.end_request', persistence: 'image', bit: 63 } });
  assert.ok(sign.fault!.changed > 0);
  assert.notEqual(sign.outcome, 'not-activated');
});

test('fired vs changed: deleting a store of the value already there changes nothing', () => {
  // mark_open stores 1 once at open; deleting the store at the next open leaves 0 (a change), but
  // the MTU store at probe writes 1500 into zeroed memory: both are real changes. A store that
  // rewrites the same value: the ring's 'use' index reset to 0 at open, already 0 at boot.
  const r = runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'native', seed: 5, fault: { type: 'store-delete', site: 'e1000.open.tx_use', persistence: 'image', armAtUs: 0 } });
  assert.ok(r.fault!.fired > 0);
  assert.equal(r.fault!.changed, 0);
  assert.equal(r.outcome, 'not-activated');
});

/** A minimal record for the category arithmetic. */
function rec(strategy: string, seed: number, outcome: TrialRecord['outcome'], app = 'mp3-player'): TrialRecord {
  return {
    spec: { driver: 'audigy', app, strategy, seed, fault: { type: 'store-delete', site: 's', persistence: 'image', armAtUs: 0, bit: 0 }, params: {} as never },
    outcome, reason: `${outcome} because 12 blocks`, detected: null, oopses: [],
  } as unknown as TrialRecord;
}

test('categories: only faults that harmed natively count; automatic / manual / failed follow the strategy\'s outcome', () => {
  const records = [
    rec('native', 1, 'system-crash'), rec('shadow', 1, 'correct'), rec('restart', 1, 'malfunction'),
    rec('native', 2, 'app-failed'), rec('shadow', 2, 'app-failed'), rec('restart', 2, 'system-crash'),
    rec('native', 3, 'correct'), rec('shadow', 3, 'malfunction'), rec('restart', 3, 'malfunction'),
    rec('native', 4, 'malfunction'), rec('shadow', 4, 'not-activated'), rec('restart', 4, 'correct'),
  ];
  const cats = campaignCategories(records);
  const shadow = cats.find((c) => c.strategy === 'shadow')!;
  assert.equal(shadow.n, 2, 'seed 3 did no harm natively; seed 4 was not reached under shadow');
  assert.equal(shadow.notReached, 1);
  assert.equal(shadow.automatic.k, 1);
  assert.equal(shadow.manual.k, 1);
  const restart = cats.find((c) => c.strategy === 'restart')!;
  assert.deepEqual([restart.n, restart.automatic.k, restart.manual.k, restart.failed.k], [3, 1, 1, 1]);
  // Move an input: if seed 3 had crashed natively, it would count (as manual under both).
  records[6] = rec('native', 3, 'system-crash');
  assert.equal(campaignCategories(records).find((c) => c.strategy === 'shadow')!.n, 3);
  const head = nooksHeadline(records);
  const sh = head.find((h) => h.strategy === 'shadow')!;
  assert.equal(sh.nativeCrashes, 2);
  assert.equal(sh.keptUp.k, 2);
  const rs = head.find((h) => h.strategy === 'restart')!;
  assert.equal(rs.nativeCrashes, 2, 'seed 2 crashed under restart but not natively: not a native crash');
  assert.equal(rs.keptUp.k, 2);
  assert.equal(rs.nonFatalUnder, 2, 'two malfunctions under restart');
});

test('explanations are counted from the records, particulars taken out', () => {
  assert.equal(reasonShape('stopped seeing traffic for 1.46 s at 0x1f00 in e1000#0 and pcnet32'), 'stopped seeing traffic for N s at ADDR in e1000 and pcnet32');
  assert.equal(reasonShape('make: src14.o: write error (-5)'), 'make: srcN.o: write error (-N)');
  const bd = outcomeBreakdown([rec('shadow', 1, 'malfunction'), rec('shadow', 2, 'malfunction'), rec('shadow', 3, 'app-failed')]);
  assert.equal(bd[0].outcome, 'malfunction');
  assert.equal(bd[0].count, 2);
  assert.deepEqual(bd[0].detected, [['not detected', 2]]);
  assert.deepEqual(bd[0].reasons, [['malfunction because N blocks', 2]]);
  assert.match(formatBreakdown(bd), /^67% malfunction \(not detected 2\): "malfunction because N blocks" ×2; 33% app-failed/);
});

test('native breakdown: crashes by cause and processes killed, per driver', async () => {
  const { nativeBreakdown, crashCause } = await import('../src/analysis/paper-campaign.js');
  assert.equal(crashCause('oops in hardirq context (unmapped in e1000#0.interrupt: x): panic'), 'oops in hardirq context');
  assert.equal(crashCause('ext3: I/O error writing the inode; journal aborted (errors=panic)'), 'file system error (errors=panic)');
  const crash = { ...rec('native', 1, 'system-crash'), reason: 'oops with io_request_lock held (x)' } as TrialRecord;
  const killed = { ...rec('native', 2, 'app-failed'), oopses: [{ process: 'mp3-player', entry: 'write', kind: 'unmapped', message: 'x', atUs: 1 }] } as TrialRecord;
  const rows = nativeBreakdown([crash, killed, rec('native', 3, 'not-activated'), rec('shadow', 1, 'correct')]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].activated, 2);
  assert.equal(rows[0].crashes.k, 1);
  assert.deepEqual(rows[0].crashBy, { 'oops with io_request_lock held': 1 });
  assert.equal(rows[0].processKilled.k, 1);
});
