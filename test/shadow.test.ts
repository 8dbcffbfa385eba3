// Shadow drivers recover by mechanism: taps, a superseding log, proxying, reinit, replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { buildWorld } from '../src/world/build-world.js';
import type { NetWorld } from '../src/world/net-world.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import { DRIVERS, STRATEGIES } from '../src/registry.js';
import { otherHostMac } from '../src/net/eth.js';
import type { FaultRequest } from '../src/faults/select.js';

const rxPointer = (driver: string): FaultRequest => ({ type: 'pointer-corrupt', site: `${driver}.${driver === 'e1000' ? 'clean_rx' : 'rx'}.skb`, persistence: 'transient', bit: 24 });

for (const driver of ['e1000', 'pcnet32']) {
  test(`${driver}: after a detected failure the analyzer is correct under shadow, malfunctions under restart`, () => {
    const run = (strategy: string) => runTrial({ driver, app: 'network-analyzer', strategy, seed: 5, fault: rxPointer(driver) }, { trace: true });
    const sh = run('shadow'), rs = run('restart');
    for (const r of [sh, rs]) { assert.equal(r.detected?.kind, 'bad-param'); assert.equal(r.recoveries.succeeded, 1); }
    assert.equal(sh.outcome, 'correct', sh.reason);
    assert.equal(rs.outcome, 'malfunction', rs.reason);
    assert.match(rs.reason, /stopped seeing traffic/);
    assert.ok(sh.trace!.some((e) => e.kind === 'recovery' && /recovered; configuration replayed/.test(e.msg)));
  });
}

test('file-transfer keeps its checksum across a shadow recovery: sends answered busy, the peer retransmits', () => {
  const r = runTrial({
    driver: 'e1000', app: 'file-transfer', strategy: 'shadow', seed: 5, fault: rxPointer('e1000'),
    params: { fileTransferReceive: 1, fileTransferPaceBytesPerSec: 0 },
  }, { trace: true });
  assert.equal(r.outcome, 'correct', r.reason);
  assert.equal(r.recoveries.succeeded, 1);
  const t = r.trace!;
  const recovered = t.find((e) => /shadow: .* recovered/.test(e.msg))!;
  assert.ok(t.some((e) => e.kind === 'shadow' && /answered busy during recovery/.test(e.msg) && e.t <= recovered.t));
  assert.ok(t.some((e) => e.kind === 'peer-stream' && /retransmit/.test(e.msg) && e.t > recovered.t));
});

function shadowWorld() {
  const w = buildWorld(DEFAULT_PARAMS, new RngStreams(1), new Trace(false), true, DRIVERS.find((d) => d.id === 'e1000')!) as NetWorld;
  const s = STRATEGIES.find((x) => x.id === 'shadow')!.create();
  s.attach(w);
  w.netdev.open();
  w.k.sched.run(100_000);
  return { w, s };
}

test('the log grows with configuration and a superseding call replaces its entry', () => {
  const { w, s } = shadowWorld();
  const base = s.report().log.peakBytes;
  w.netdev.setMac({ lo: 0x00000002, hi: 0x0300 });
  const withMac = s.report().log.peakBytes;
  assert.ok(withMac > base);
  w.netdev.setMac({ lo: 0x00000002, hi: 0x0400 });
  assert.equal(s.report().log.peakBytes, withMac, 'a second MAC supersedes the first');
  const before = s.report().log.peakBytes;
  for (let i = 0; i < 4; i++) w.netdev.addMulticast(otherHostMac(0x80 + i * 2 + 1));
  assert.ok(s.report().log.peakBytes >= before + 4 * 8, 'each multicast address is configuration the shadow keeps');
});

test('the log stays flat when traffic grows tenfold', () => {
  const peak = (bytes: number) => runTrial({
    driver: 'e1000', app: 'file-transfer', strategy: 'shadow', seed: 2, fault: null,
    params: { fileTransferBytes: bytes, fileTransferPaceBytesPerSec: 0 },
  }).log;
  const small = peak(256 * 1024), large = peak(2560 * 1024);
  assert.ok(small.peakEntries > 2, 'pending requests are logged');
  assert.equal(large.peakEntries, small.peakEntries);
  assert.equal(large.peakBytes, small.peakBytes);
});

test('a deterministic fault on a path recovery replays recurs until the shadow gives up cleanly', () => {
  const r = runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'shadow', seed: 5,
    fault: { type: 'loop-off-by-one', site: 'e1000.open.rx_fill_loop', persistence: 'deterministic', armAtUs: 0 } });
  assert.equal(r.recoveries.gaveUp, true);
  assert.ok(r.recoveries.attempted >= 2);
  assert.ok(new Set(r.fault!.firings.map((f) => f.load)).size >= 3, 'the fault fired again in each reinitialised instance');
  assert.equal(r.outcome, 'app-failed');
  assert.ok(r.virtualUs < DEFAULT_PARAMS.trialDeadlineUs, 'nothing hangs');
});

test('recovery takes virtual time in phases; the shadow logs pending requests at the failure', () => {
  const r = runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'shadow', seed: 5, fault: rxPointer('e1000') });
  assert.deepEqual(Object.keys(r.recoveryPhasesUs), ['stop', 'load', 'device', 'replay', 'resubmit']);
  assert.ok(r.recoveryPhasesUs.load >= DEFAULT_PARAMS.moduleLoadUs);
  assert.ok(r.recoveryPhasesUs.device >= DEFAULT_PARAMS.nicResetUs + DEFAULT_PARAMS.nicLinkUpUs - DEFAULT_PARAMS.moduleLoadUs);
  assert.ok(r.log.atFailureEntries >= 1);
  assert.ok(r.cpu.tapUs > 0);
});
