// Replication for sound: a standby card in the same room (same microphone, same speaker, muted),
// the same playback stream, failover and a re-synced standby, bytes accounted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { buildWorld } from '../src/world/build-world.js';
import type { SoundWorld } from '../src/world/sound-world.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import { DRIVERS } from '../src/registry.js';
import { periodSeqAt } from '../src/devices/sound-io.js';
import type { FaultRequest } from '../src/faults/select.js';

const SOUND_APPS = ['mp3-player', 'audio-recorder', 'speech-synthesizer', 'strategy-game'];

test('the microphone is numbered by virtual time: cards started microseconds apart hear the same periods', () => {
  const P = 11610;
  const a = [1, 2, 3].map((n) => periodSeqAt(5_000_000 + n * P, P));
  const b = [1, 2, 3].map((n) => periodSeqAt(5_000_007 + n * P, P));
  assert.deepEqual(a, b);
  assert.deepEqual(a, [a[0], a[0] + 1, a[0] + 2], 'consecutive periods, consecutive numbers');
  assert.notEqual(periodSeqAt(9_000_000, P), a[0], 'later time, other sound');
});

test('a standby card shares the speaker muted and hears the microphone the app set', () => {
  const w = buildWorld(DEFAULT_PARAMS, new RngStreams(1), new Trace(false), true, DRIVERS.find((d) => d.id === 'sb16')!) as SoundWorld;
  const standby = w.replicaHardware!.makeStandby() as SoundWorld['card'];
  assert.equal(standby.played, w.card.played);
  assert.equal(standby.muted, true);
  w.card.microphone = (seq, bytes) => new Uint8Array(bytes).fill(seq & 0xff);
  assert.deepEqual(standby.microphone(7, 4, 0, 0), new Uint8Array(4).fill(7));
  w.replicaHardware!.putInService(standby);
  assert.equal(standby.muted, false);
  assert.equal(w.card.muted, true);
});

test('replication: every sound app is correct fault-free on audigy and sb16; the standby adds no sound and records the same bytes', () => {
  for (const driver of ['audigy', 'sb16']) for (const app of SOUND_APPS) {
    const r = runTrial({ driver, app, strategy: 'replication', seed: 4, fault: null });
    assert.equal(r.outcome, 'correct', `${driver}/${app}: ${r.reason}`);
    const n = runTrial({ driver, app, strategy: 'native', seed: 4, fault: null });
    assert.equal(r.reason, n.reason, 'the muted standby played nothing the oracle heard');
    assert.equal(r.strategyStats.captureMismatches, 0);
    assert.ok(r.strategyStats.mirroredBytes > 0);
    if (app === 'audio-recorder') assert.ok(r.strategyStats.captureReads > 100, 'the standby captured too');
  }
});

test('replication cost moves with the stream: a longer playback mirrors more bytes and costs more upkeep CPU', () => {
  const mp3 = runTrial({ driver: 'sb16', app: 'mp3-player', strategy: 'replication', seed: 4, fault: null });
  const speech = runTrial({ driver: 'sb16', app: 'speech-synthesizer', strategy: 'replication', seed: 4, fault: null });
  const native = runTrial({ driver: 'sb16', app: 'mp3-player', strategy: 'native', seed: 4, fault: null });
  assert.ok(mp3.strategyStats.mirroredBytes > speech.strategyStats.mirroredBytes);
  assert.ok(mp3.cpu.upkeepUs > 0 && native.cpu.upkeepUs === 0);
  assert.ok(mp3.cpu.totalUs > native.cpu.totalUs);
});

test('sound failover: a failure in write() or read() goes to the standby; a new standby is synced and lines up with the recording', () => {
  for (const driver of ['audigy', 'sb16']) {
    const w: FaultRequest = { type: 'pointer-corrupt', site: `${driver}.write.pbuf`, persistence: 'transient', armAtUs: 725315, bit: 23 };
    const play = runTrial({ driver, app: 'mp3-player', strategy: 'replication', seed: 91, fault: w });
    assert.equal(play.detected?.kind, 'unmapped');
    assert.ok(play.strategyStats.failovers >= 1);
    assert.equal(play.outcome, 'correct', play.reason);
    const nat = runTrial({ driver, app: 'mp3-player', strategy: 'native', seed: 91, fault: w });
    assert.match(nat.reason, /killed by the kernel: oops in process context/, 'native Linux kills the player for an oops in write()');
    const r: FaultRequest = { type: 'pointer-corrupt', site: `${driver}.read.cbuf`, persistence: 'transient', armAtUs: 1225315, bit: 23 };
    const rec = runTrial({ driver, app: 'audio-recorder', strategy: 'replication', seed: 91, fault: r });
    assert.ok(rec.strategyStats.failovers >= 1);
    assert.ok(rec.strategyStats.standbysLoaded >= 2 && rec.strategyStats.syncBytes > 0, 'a new standby was configured');
    assert.equal(rec.strategyStats.captureMismatches, 0, 'the re-synced standby found its place in the stream');
    assert.equal(rec.outcome, 'correct', rec.reason);
  }
});
