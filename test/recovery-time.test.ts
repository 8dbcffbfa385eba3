// Recovery time is measured by running the recovery: each input to a phase moves it, and the
// environment (a link partner's negotiation, a disk's seek, a codec's lock) makes it vary by seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { buildWorld } from '../src/world/build-world.js';
import type { NetWorld } from '../src/world/net-world.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { DEFAULT_PARAMS, Params } from '../src/params.js';
import { DRIVERS, STRATEGIES } from '../src/registry.js';
import { quantile } from '../src/analysis/stats.js';
import { buildFrame, PEER_MAC, otherHostMac } from '../src/net/eth.js';
import type { FaultRequest } from '../src/faults/select.js';
import type { StrategyReport } from '../src/recovery/types.js';

const rxPointer: FaultRequest = { type: 'pointer-corrupt', site: 'e1000.clean_rx.skb', persistence: 'transient', bit: 24 };
const e1000Shadow = (params: Partial<Params> = {}, seed = 5) =>
  runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'shadow', seed, fault: rxPointer, params });

test('raising moduleLoadUs by 40 ms raises a recovery by at least 40 ms (the module loads before init)', () => {
  const base = e1000Shadow(), slow = e1000Shadow({ moduleLoadUs: DEFAULT_PARAMS.moduleLoadUs + 40_000 });
  for (const r of [base, slow]) assert.equal(r.recoveries.succeeded, 1, r.reason);
  assert.ok(slow.recoveryUs - base.recoveryUs >= 40_000, `${base.recoveryUs} -> ${slow.recoveryUs}`);
  assert.ok(slow.recoveryPhasesUs.load - base.recoveryPhasesUs.load >= 40_000);
});

test('a longer device reset or link negotiation lengthens recovery', () => {
  const base = e1000Shadow();
  const reset = e1000Shadow({ nicResetUs: DEFAULT_PARAMS.nicResetUs + 30_000 });
  const link = e1000Shadow({ nicLinkUpUs: DEFAULT_PARAMS.nicLinkUpUs + 30_000 });
  for (const r of [reset, link]) assert.ok(r.recoveryUs - base.recoveryUs >= 29_000, `${base.recoveryUs} -> ${r.recoveryUs}`);
});

test('over 20 seeds the e1000 shadow recovery time varies (p90 > p10): the link partner negotiates differently', () => {
  const times: number[] = [];
  for (let seed = 0; seed < 20; seed++) {
    const r = e1000Shadow({}, seed);
    if (r.recoveries.succeeded === 1 && r.failures === 1) times.push(r.recoveryUs);
  }
  assert.ok(times.length >= 15, `only ${times.length} single recoveries`);
  assert.ok(quantile(times, 0.9) > quantile(times, 0.1), times.join(' '));
  // Without the environmental source the spread collapses to a few µs of CPU jitter.
  const fixed: number[] = [];
  for (let seed = 0; seed < 8; seed++) fixed.push(e1000Shadow({ nicAutonegJitterUs: 0 }, seed).recoveryUs);
  assert.ok(Math.max(...fixed) - Math.min(...fixed) < 1000, fixed.join(' '));
});

test('restart and shadow differ where their work differs: restart brings the interface up, shadow replays and resubmits', () => {
  const sh = e1000Shadow();
  const rs = runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'restart', seed: 5, fault: rxPointer });
  assert.deepEqual(Object.keys(rs.recoveryPhasesUs), ['unload', 'load', 'device', 'bring-up']);
  assert.deepEqual(Object.keys(sh.recoveryPhasesUs), ['stop', 'load', 'device', 'replay', 'resubmit']);
});

test('disk and sound recoveries wait for the device: a longer disk reset or codec reset moves them', () => {
  const disk = (params: Partial<Params>) => runTrial({ driver: 'ide-disk', app: 'database', strategy: 'shadow', seed: 0, fault: { type: 'random', persistence: 'transient' }, params });
  const d0 = disk({}), d1 = disk({ diskResetUs: DEFAULT_PARAMS.diskResetUs + 50_000 });
  assert.equal(d0.recoveries.succeeded, 1, d0.reason);
  assert.ok(d1.recoveryUs - d0.recoveryUs >= 50_000, `${d0.recoveryUs} -> ${d1.recoveryUs}`);
  const snd = (params: Partial<Params>) => runTrial({ driver: 'audigy', app: 'mp3-player', strategy: 'shadow', seed: 3, fault: { type: 'random', persistence: 'transient' }, params });
  const s0 = snd({}), s1 = snd({ codecResetUs: DEFAULT_PARAMS.codecResetUs + 50_000 });
  assert.equal(s0.recoveries.succeeded, 1, s0.reason);
  assert.ok(s1.recoveryUs - s0.recoveryUs >= 50_000, `${s0.recoveryUs} -> ${s1.recoveryUs}`);
});

/** A shadowed e1000 with its link up; `setup` configures it, then the driver fails. */
function failShadowed(setup: (w: NetWorld) => void, params: Partial<Params> = {}): StrategyReport {
  const w = buildWorld({ ...DEFAULT_PARAMS, ...params }, new RngStreams(1), new Trace(false), true, DRIVERS.find((d) => d.id === 'e1000')!) as NetWorld;
  const s = STRATEGIES.find((x) => x.id === 'shadow')!.create();
  s.attach(w);
  w.netdev.open();
  w.k.sched.run(150_000);
  setup(w);
  w.k.driverFailed(w.netdev.driver!, 'null-deref', 'test', null, 'interrupt');
  w.k.sched.run(w.k.now + 500_000);
  const r = s.report();
  w.k.mem.release();
  assert.equal(r.recoveriesSucceeded, 1);
  return r;
}

test('replay time grows with the log: each replayed configuration call costs', () => {
  const short = failShadowed(() => {});
  const long = failShadowed((w) => {
    w.netdev.setMac({ lo: 0x00000002, hi: 0x0300 });
    w.netdev.setMtu(1000);
    w.netdev.addMulticast(otherHostMac(0x81));
  });
  assert.ok(long.phasesUs.replay - short.phasesUs.replay >= 3 * DEFAULT_PARAMS.replayCallNs / 1000, `${short.phasesUs.replay} -> ${long.phasesUs.replay}`);
});

test('resubmission time grows with the pending requests and their bytes', () => {
  const send = (n: number, len: number) => (w: NetWorld) => {
    for (let i = 0; i < n; i++) w.netdev.xmit(buildFrame(PEER_MAC, w.netdev.mac, 0x88b5, new Uint8Array(len)));
  };
  const none = failShadowed(send(0, 0));
  const few = failShadowed(send(4, 1000));
  const costly = failShadowed(send(4, 1000), { resubmitRequestNs: 1_000_000 });
  assert.ok(few.phasesUs.resubmit > none.phasesUs.resubmit, `${none.phasesUs.resubmit} -> ${few.phasesUs.resubmit}`);
  assert.ok(costly.phasesUs.resubmit - few.phasesUs.resubmit >= 3000, `${few.phasesUs.resubmit} -> ${costly.phasesUs.resubmit}`);
});
