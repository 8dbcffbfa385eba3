// Sound and block classes: the same strategies, the class shadows' own mechanisms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { buildWorld } from '../src/world/build-world.js';
import type { SoundWorld } from '../src/world/sound-world.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import { DRIVERS, STRATEGIES } from '../src/registry.js';
import { SNDCTL, MODE_PLAY, SoundFile } from '../src/kernel/soundcore.js';
import type { FaultRequest } from '../src/faults/select.js';

const run = (driver: string, app: string, strategy: string, seed: number, fault: FaultRequest) =>
  runTrial({ driver, app, strategy, seed, fault }, { trace: true });

test('sound: a failure in write() while playing — shadow keeps the music right, restart loses the open device', () => {
  const f: FaultRequest = { type: 'pointer-corrupt', site: 'audigy.write.pbuf', persistence: 'transient', armAtUs: 725315, bit: 23 };
  const sh = run('audigy', 'mp3-player', 'shadow', 91, f);
  assert.equal(sh.detected?.kind, 'unmapped');
  assert.equal(sh.outcome, 'correct', sh.reason);
  assert.ok(sh.trace!.some((e) => /write suspended during recovery/.test(e.msg)), 'the writer was suspended, not failed');
  const rs = run('audigy', 'mp3-player', 'restart', 91, f);
  assert.equal(rs.outcome, 'malfunction');
  assert.match(rs.reason, /writes failed/, 'the player\'s open file refers to the unloaded driver');
  // Native: write() runs in the player's process with no lock held, so Linux kills the player
  // and the system stays up (the paper reports a crash for native; see the report).
  const nat = run('audigy', 'mp3-player', 'native', 91, f);
  assert.equal(nat.outcome, 'app-failed', nat.reason);
  assert.match(nat.reason, /killed by the kernel: oops in process context \(unmapped in audigy#0\.write/);
});

test('sound shadow proxy table during recovery: caps from the log, buffers busy, reset queued once, writers suspended', () => {
  const w = buildWorld(DEFAULT_PARAMS, new RngStreams(1), new Trace(false), true, DRIVERS.find((d) => d.id === 'audigy')!) as SoundWorld;
  const strategy = STRATEGIES.find((s) => s.id === 'shadow')!.create();
  strategy.attach(w);
  w.core.bringUp();
  const f = w.snd.open(MODE_PLAY) as SoundFile;
  const caps = f.ioctl(SNDCTL.GET_CAPS, 0);
  assert.ok(caps > 0);
  assert.equal(f.ioctl(SNDCTL.SET_RATE, 22050), 0);
  assert.equal(f.ioctl(SNDCTL.SET_VOLUME, 40), 0);
  w.k.driverFailed(w.core.driver!, 'bad-param', 'injected by the test', null, 'ioctl');
  w.k.sched.run(w.k.now + 500); // inside recovery: the reinit phase takes moduleLoadUs
  assert.equal(f.ioctl(SNDCTL.GET_CAPS, 0), caps, 'capability query answered from the log');
  assert.equal(f.ioctl(SNDCTL.GET_OSPACE, 0), 0, 'buffer query answered busy');
  assert.equal(f.ioctl(SNDCTL.RESET, 0), 0);
  assert.equal(f.ioctl(SNDCTL.RESET, 0), 0);
  let written = -1;
  f.write(new Uint8Array(2048), (r) => { written = r; });
  assert.equal(written, -1, 'the writer sleeps');
  const report = strategy.report();
  assert.equal(report.recoveriesSucceeded, 0);
  w.k.sched.run(w.k.now + 100_000);
  assert.equal(strategy.report().recoveriesSucceeded, 1);
  assert.equal(written, 2048, 'the suspended write went through after recovery');
  const card = w.card;
  assert.equal(card.readReg(2), 22050, 'rate replayed into the new instance');
  assert.equal(card.readReg(11), 40, 'volume replayed');
});

test('block: a driver failure with requests in flight — shadow resubmits them, restart fails them', () => {
  const f: FaultRequest = { type: 'value-corrupt-src', site: 'ide.isr.active', persistence: 'transient', armAtUs: 371773, bit: 17 };
  const sh = run('ide-disk', 'database', 'shadow', 14, f);
  assert.equal(sh.outcome, 'correct', sh.reason);
  assert.ok(sh.trace!.some((e) => /resubmitting [1-9]\d* requests/.test(e.msg)));
  const rs = run('ide-disk', 'database', 'restart', 14, f);
  assert.equal(rs.outcome, 'system-crash', 'the in-flight inode write failed: the journal aborted with errors=panic');
  assert.match(rs.reason, /ext3: I\/O error writing the inode/);
  const rs2 = run('ide-disk', 'database', 'restart', 42, { type: 'value-corrupt-dst', site: 'ide.isr.store_head', persistence: 'transient', armAtUs: 446517, bit: 23 });
  assert.equal(rs2.outcome, 'app-failed', 'a failed data write reaches mysqld as EIO');
  assert.equal(run('ide-disk', 'database', 'native', 14, f).outcome, 'system-crash');
});

test('block: with errors=remount-ro the same lost inode write makes the database fail, not the kernel', () => {
  const r = runTrial({ driver: 'ide-disk', app: 'database', strategy: 'restart', seed: 14, params: { fsErrorsPanic: 0 },
    fault: { type: 'value-corrupt-src', site: 'ide.isr.active', persistence: 'transient', armAtUs: 371773, bit: 17 } });
  assert.equal(r.outcome, 'app-failed', r.reason);
});
