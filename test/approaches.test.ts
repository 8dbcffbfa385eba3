// Replication and checkpoint-restart recover by mechanism: a standby that got the same inputs,
// a restored image plus a replayed log. What survives depends on where the fault lives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { buildWorld } from '../src/world/build-world.js';
import type { NetWorld } from '../src/world/net-world.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import { DRIVERS, STRATEGIES } from '../src/registry.js';
import { buildFrame, PEER_MAC } from '../src/net/eth.js';
import { resolveSpec } from '../src/trial/spec.js';
import type { FaultRequest } from '../src/faults/select.js';

const trial = (strategy: string, seed: number, fault: FaultRequest) => runTrial({ driver: 'e1000', app: 'file-transfer', strategy, seed, fault });
const instancesFired = (r: ReturnType<typeof runTrial>) => new Set(r.fault!.firings.map((f) => f.instance));
const loadsFired = (r: ReturnType<typeof runTrial>) => new Set(r.fault!.firings.map((f) => f.load));

test('replication: a deterministic fault reaches the standby through the same inputs and recurs', () => {
  const r = trial('replication', 2, { type: 'value-corrupt-dst', site: 'e1000.xmit.desc_len', persistence: 'deterministic', armAtUs: 230538, bit: 28 });
  assert.ok(instancesFired(r).size >= 2, `fired in primary and standby: ${[...instancesFired(r)]}`);
  assert.ok(r.failures >= 2, 'the failure came back after the first recovery');
  assert.notEqual(r.outcome, 'correct');
  assert.ok(r.strategyStats.mirroredBytes > 0);
});

test('replication: a transient fault in the primary is survived by failing over to the standby', () => {
  const r = trial('replication', 66, { type: 'value-corrupt-src', site: 'e1000.xmit.count', persistence: 'transient', armAtUs: 241684, bit: 24 });
  assert.equal(r.failures, 1);
  assert.equal(r.strategyStats.failovers, 1);
  assert.equal(r.strategyStats.coldRestarts, 0);
  assert.ok(r.strategyStats.standbysLoaded >= 2, 'a new standby was started after the failover');
  assert.ok(r.strategyStats.syncBytes > 0, 'and brought in sync (the state transfer is accounted)');
  assert.equal(r.outcome, 'correct');
  assert.ok(r.recoveryUs < 1000, `service went on at once on the standby (${r.recoveryUs} us)`);
  assert.ok(r.cpu.upkeepUs > 0, 'mirroring costs CPU');
});

test('replication (block, RAID-1): requests the failed primary held end from the standby\'s copies; restart fails them', () => {
  // A transient fault both replicas draw in turn: each failure is a failover to a standby that
  // holds copies of every request, and a fresh standby is rebuilt behind it.
  const fault: FaultRequest = { type: 'pointer-corrupt', site: 'ide.isr.ring', persistence: 'transient', armAtUs: 1459918, bit: 5 };
  const run = (strategy: string) => runTrial({ driver: 'ide-disk', app: 'database', strategy, seed: 15, fault });
  const rep = run('replication'), rs = run('restart');
  assert.ok(rep.failures >= 1);
  assert.equal(rep.strategyStats.failovers, rep.failures, 'every failure was a failover');
  assert.equal(rep.strategyStats.coldRestarts, 0);
  assert.ok(rep.strategyStats.syncBytes >= 512, 'each new standby\'s disk was rebuilt from the live one');
  assert.equal(rep.outcome, 'correct', rep.reason);
  assert.equal(rs.outcome, 'app-failed', 'under restart the in-flight requests fail with EIO');
});

test('checkpoint: a deterministic fault recurs when the log is replayed; a transient one does not', () => {
  const fault = { type: 'bad-param', site: 'e1000.clean_rx.netif_rx', armAtUs: 224561, bit: 61 } as const;
  const det = trial('checkpoint', 5, { ...fault, persistence: 'deterministic' });
  assert.ok(det.strategyStats.restores >= 1 && det.strategyStats.replayedCalls > 0);
  assert.ok([...loadsFired(det)].some((l) => l > 1), 'the fault fired again in a restored instance');
  assert.ok(det.failures >= 2);
  assert.notEqual(det.outcome, 'correct');
  const tr = trial('checkpoint', 5, { ...fault, persistence: 'transient' });
  assert.equal(tr.failures, 1);
  assert.deepEqual([...loadsFired(tr)], [1], 'a restored instance carries no transient fault');
  assert.equal(tr.outcome, 'correct');
  assert.ok(tr.log.atFailureEntries >= 2 && tr.log.atFailureBytes >= tr.strategyStats.imageBytesNow, 'at the failure: an image and the calls since');
});

test('checkpoint (block): the restored ring\'s requests are made again, the log is replayed, refused requests wait in the queue', () => {
  const fault: FaultRequest = { type: 'branch-delete', site: 'ide.isr.wrap', persistence: 'transient', armAtUs: 1645533, bit: 30 };
  const run = (strategy: string) => runTrial({ driver: 'ide-disk', app: 'database', strategy, seed: 8, fault });
  const ck = run('checkpoint'), rs = run('restart');
  assert.equal(ck.failures, 1);
  assert.equal(ck.strategyStats.restores, 1);
  assert.ok(ck.strategyStats.replayedCalls > 0);
  assert.ok(ck.strategyStats.replayDropped > 0, 'the restored ring was full for some replayed requests');
  assert.equal(ck.outcome, 'correct', `${ck.reason}: no request was lost or failed`);
  assert.notEqual(rs.outcome, 'correct');
});

// Corrupt the driver's tx ring pointer (latent: nothing transmits), send a frame at 150 ms.
function latentRun(corruptAtUs: number) {
  const w = buildWorld(DEFAULT_PARAMS, new RngStreams(1), new Trace(true), true, DRIVERS.find((d) => d.id === 'e1000')!) as NetWorld;
  const s = STRATEGIES.find((x) => x.id === 'checkpoint')!.create();
  s.attach(w);
  w.netdev.open();
  const adapterField = () => Math.min(...w.core.driver!.heap.snapshot().live.map(([a]) => a)) + 20; // A.TX_RING
  let good = 0;
  w.k.sched.schedule(corruptAtUs, 'corrupt', () => { good = w.k.mem.view.getUint32(adapterField(), true); w.k.mem.view.setUint32(adapterField(), 0x40, true); });
  w.k.sched.schedule(150_000, 'send', () => w.netdev.xmit(buildFrame(PEER_MAC, w.netdev.mac, 0x88b5, new Uint8Array(100))));
  w.k.sched.run(400_000);
  // Raw read: after giving up, the last instance is unloaded but its bytes are still there.
  return { w, s: s.report(), ringNow: w.k.mem.view.getUint32(adapterField(), true), good };
}

test('checkpoint: a checkpoint taken after a latent corruption restores it; one taken before undoes it', () => {
  const before = latentRun(50_000); // the checkpoint at 100 ms holds the corruption
  assert.equal(before.ringNow, 0x40, 'the restored instance has the corrupted pointer back');
  assert.ok(before.w.k.failures.length >= 2, 'and fails again when it is used');
  assert.equal(before.s.gaveUp, true);
  const after = latentRun(120_000); // corrupted after the checkpoint at 100 ms
  assert.equal(after.w.k.failures.length, 1);
  assert.equal(after.ringNow, after.good, 'the restore brought back the good pointer');
  assert.equal(after.s.recoveriesSucceeded, 1);
});

test('replication and checkpoint are modelled for every class (issue 15: sound too)', () => {
  for (const strategy of ['replication', 'checkpoint']) {
    for (const driver of ['audigy', 'sb16']) assert.doesNotThrow(() => resolveSpec({ driver, app: 'mp3-player', strategy, seed: 1 }));
    assert.doesNotThrow(() => resolveSpec({ driver: 'ahci', app: 'database', strategy, seed: 1 }));
    assert.equal(trial(strategy, 3, null as unknown as FaultRequest).outcome, 'correct');
  }
});
