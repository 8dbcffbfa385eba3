// Each fault type planted at a chosen site, and the mechanism it must cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import type { FaultRequest } from '../src/faults/select.js';
import type { TrialRecord } from '../src/trial/record.js';

const trial = (strategy: string, fault: FaultRequest, app = 'file-transfer', seed = 5): TrialRecord =>
  runTrial({ driver: 'e1000', app, strategy, seed, fault });

function crashed(r: TrialRecord, pattern: RegExp): void {
  assert.equal(r.outcome, 'system-crash', r.reason);
  assert.match(r.reason, pattern);
}

test('branch-invert at the ring-full check: every send looks like a full ring, transmit stalls, the watchdog finds the hang', () => {
  const f: FaultRequest = { type: 'branch-invert', site: 'e1000.xmit.ring_full', persistence: 'deterministic' };
  const iso = trial('restart', f);
  assert.equal(iso.fault!.firings[0].effect, 'condition false->true');
  assert.equal(iso.detected?.kind, 'watchdog');
  assert.match(iso.detected!.message, /transmit still stuck after tx_timeout/);
  const nat = trial('native', f);
  assert.equal(nat.outcome, 'app-failed', 'native Linux keeps resetting through tx_timeout; the transfer never completes');
});

test('branch-delete at the rx drop check: every received frame is dropped, silently', () => {
  for (const s of ['native', 'restart']) {
    const r = trial(s, { type: 'branch-delete', site: 'e1000.clean_rx.drop', persistence: 'deterministic' });
    assert.equal(r.outcome, 'app-failed', r.reason);
    assert.equal(r.detected, null, 'nothing detects a driver that drops frames');
  }
});

test('value-corrupt-src on the tx ring pointer: an unmapped access in the interrupt handler', () => {
  const f: FaultRequest = { type: 'value-corrupt-src', site: 'e1000.clean_tx.ring', persistence: 'deterministic', bit: 23 };
  const iso = trial('restart', f);
  assert.equal(iso.detected?.kind, 'unmapped');
  assert.equal(iso.detected?.entry, 'interrupt');
  crashed(trial('native', f), /unmapped in e1000#0\.interrupt/);
});

test('value-corrupt-dst on a counter store: a wild write outside the domain', () => {
  const f: FaultRequest = { type: 'value-corrupt-dst', site: 'e1000.clean_tx.tx_packets', persistence: 'deterministic', bit: 16 };
  const iso = trial('restart', f);
  assert.match(iso.fault!.firings[0].effect, /^store to 0x11[0-9a-f]{4} instead of 0x10[0-9a-f]{4}$/);
  assert.equal(iso.detected?.kind, 'unmapped');
  crashed(trial('native', f), /unmapped/);
});

test('pointer-corrupt on an rx buffer pointer: the kernel rejects it under isolation, oopses without', () => {
  const f: FaultRequest = { type: 'pointer-corrupt', site: 'e1000.clean_rx.skb', persistence: 'transient', bit: 24 };
  const iso = trial('restart', f);
  assert.equal(iso.detected?.kind, 'bad-param');
  assert.match(iso.detected!.message, /netif_rx/);
  assert.equal(iso.recoveries.succeeded, 1);
  assert.equal(iso.outcome, 'correct', 'the stream retransmits what was lost during the restart');
  crashed(trial('native', f), /oops in hardirq context \(bad-param in e1000#0\.interrupt: kernel BUG in netif_rx/);
});

test('store-delete of the rx buffer bookkeeping: a stale buffer is handed up again (use after free)', () => {
  const f: FaultRequest = { type: 'store-delete', site: 'e1000.clean_rx.info_set', persistence: 'deterministic' };
  const iso = trial('restart', f);
  assert.equal(iso.detected?.kind, 'bad-param');
  assert.match(iso.detected!.message, /netif_rx: 0x[0-9a-f]+ not held by e1000#0/);
  assert.ok(iso.fault!.firstFiredUs! < iso.detected!.atUs, 'the corruption is found later, when the slot comes round');
  assert.ok(iso.fault!.latentGapUs! > 0);
  crashed(trial('native', f), /oops in hardirq context .*kernel BUG in netif_rx/);
});

test('loop-off-by-one in ring init at boot: a deterministic fault recurs on every reload until restart gives up', () => {
  const f: FaultRequest = { type: 'loop-off-by-one', site: 'e1000.open.rx_fill_loop', persistence: 'deterministic', armAtUs: 0 };
  const iso = trial('restart', f);
  assert.equal(iso.fault!.firings[0].effect, 'loop bound 16 -> 17');
  assert.equal(iso.recoveries.gaveUp, true);
  assert.ok(new Set(iso.fault!.firings.map((x) => x.load)).size > 1, 'it fired again in reloaded instances');
  // Native: the extra descriptor has no buffer; the interrupt handler later hands NULL up, a BUG in hard-interrupt context.
  crashed(trial('native', f), /oops in hardirq context .*kernel BUG in netif_rx: 0x0/);
});

test('alloc-fail on rx refill: deterministic starves the receiver; transient only drops frames the stream resends', () => {
  const det = trial('restart', { type: 'alloc-fail', site: 'e1000.clean_rx.alloc_skb', persistence: 'deterministic' });
  assert.equal(det.outcome, 'app-failed');
  const tr = trial('restart', { type: 'alloc-fail', site: 'e1000.clean_rx.alloc_skb', persistence: 'transient' });
  assert.ok(tr.fault!.fired > 0);
  assert.equal(tr.outcome, 'correct');
  assert.equal(tr.detected, null);
});

test('bad-param to dev_kfree_skb: rejected under isolation, an oops without', () => {
  const f: FaultRequest = { type: 'bad-param', site: 'e1000.clean_tx.free_skb', persistence: 'deterministic', bit: 20 };
  const iso = trial('restart', f);
  assert.equal(iso.detected?.kind, 'bad-param');
  assert.match(iso.detected!.message, /dev_kfree_skb/);
  crashed(trial('native', f), /oops in hardirq context .*kernel BUG in dev_kfree_skb/);
});

test('irq-lost: completions are never cleaned; the tx watchdog finds the hang under isolation', () => {
  const f: FaultRequest = { type: 'irq-lost', site: 'e1000.isr.entry', persistence: 'deterministic' };
  const iso = trial('restart', f);
  assert.equal(iso.fault!.firings[0].effect, 'interrupt lost');
  assert.equal(iso.detected?.kind, 'watchdog');
  const nat = trial('native', f);
  assert.notEqual(nat.outcome, 'correct');
  assert.notEqual(nat.outcome, 'system-crash');
});

test('a reload removes a transient fault; a deterministic one is in every reloaded instance', () => {
  const base: FaultRequest = { type: 'pointer-corrupt', site: 'e1000.clean_rx.skb', bit: 24 };
  const tr = trial('restart', { ...base, persistence: 'transient' });
  assert.ok(tr.recoveries.succeeded >= 1);
  assert.deepEqual([...new Set(tr.fault!.firings.map((x) => x.load))], [1]);
  const det = trial('restart', { ...base, persistence: 'deterministic' });
  assert.ok(Math.max(...det.fault!.firings.map((x) => x.load)) > 1);
});

test('a fault at a site the workload no longer runs is not-activated', () => {
  const r = trial('restart', { type: 'branch-invert', site: 'e1000.probe.mac_invalid', persistence: 'deterministic', armAtUs: 300_000 });
  assert.equal(r.outcome, 'not-activated');
  assert.equal(r.fault!.fired, 0);
});

test('a random fault resolves to a full spec that replays to the identical record', () => {
  for (let seed = 0; seed < 10; seed++) {
    const r = runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'restart', seed, fault: { type: 'random' } });
    const again = runTrial({ ...r.spec, fault: r.spec.fault });
    assert.equal(JSON.stringify(again), JSON.stringify(r));
  }
});

test('a named site must be one the workload executes; the error lists valid ones', () => {
  assert.throws(() => trial('native', { type: 'branch-invert', site: 'e1000.nowhere' }), /site 'e1000.nowhere' is not a branch-invert site.*valid: e1000\./);
  assert.throws(() => trial('native', { type: 'melt' as never }), /unknown fault type 'melt'; valid: branch-invert/);
});
