// Checkpoint-restart for sound: device snapshot/restore (audigy and sb16), the sound request
// log, what callers get during a restore, and what a restored card replays (heard by the oracle).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { buildWorld } from '../src/world/build-world.js';
import type { SoundWorld } from '../src/world/sound-world.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import { DRIVERS, STRATEGIES } from '../src/registry.js';
import { MODE_PLAY, SNDCTL, SoundFile } from '../src/kernel/soundcore.js';
import { SREG } from '../src/devices/soundcard.js';
import { DMA16_CHANNEL, type Sb16Card } from '../src/devices/sb16.js';
import type { FaultRequest } from '../src/faults/select.js';

const SOUND_APPS = ['mp3-player', 'audio-recorder', 'speech-synthesizer', 'strategy-game'];

function playing(driver: string, strategy: string): { w: SoundWorld; f: SoundFile; s: ReturnType<typeof STRATEGIES[number]['create']> } {
  const w = buildWorld(DEFAULT_PARAMS, new RngStreams(1), new Trace(false), true, DRIVERS.find((d) => d.id === driver)!) as SoundWorld;
  const s = STRATEGIES.find((x) => x.id === strategy)!.create();
  s.attach(w);
  w.core.bringUp();
  const f = w.snd.open(MODE_PLAY) as SoundFile;
  for (const [cmd, arg] of [[SNDCTL.SET_FORMAT, 16], [SNDCTL.SET_CHANNELS, 2], [SNDCTL.SET_RATE, 44100]]) assert.equal(f.ioctl(cmd, arg), 0);
  for (let i = 0; i < 8; i++) f.write(new Uint8Array(2048).fill(i + 1), () => {});
  // Past the codec's reset and lock time (the device model times it), so the card is playing.
  w.k.sched.run(w.k.now + w.k.params.codecResetUs + w.k.params.codecLockJitterUs + 15_000);
  return { w, f, s };
}

test('sound cards snapshot and restore: the ring position goes back, and the stream runs again from there', () => {
  const { w } = playing('audigy', 'native');
  const snap = w.card.snapshot!();
  const pos = w.card.readReg(SREG.PPOS);
  w.k.sched.run(w.k.now + 20_000);
  assert.notEqual(w.card.readReg(SREG.PPOS), pos);
  const before = w.card.played.length;
  w.card.restore!(snap);
  assert.equal(w.card.readReg(SREG.PPOS), pos);
  w.k.sched.run(w.k.now + 20_000);
  assert.ok(w.card.played.length > before, 'playing again after the restore');
  const sb = playing('sb16', 'native');
  const card = sb.w.card as Sb16Card;
  const s2 = card.snapshot();
  const at = card.dma.address(DMA16_CHANNEL);
  sb.w.k.sched.run(sb.w.k.now + 30_000);
  assert.notEqual(card.dma.address(DMA16_CHANNEL), at);
  card.restore(s2);
  assert.equal(card.dma.address(DMA16_CHANNEL), at, 'the 8237 channel is back where it was');
});

test('checkpoint: every sound app is correct fault-free on audigy and sb16', () => {
  for (const driver of ['audigy', 'sb16']) for (const app of SOUND_APPS) {
    const r = runTrial({ driver, app, strategy: 'checkpoint', seed: 5, fault: null });
    assert.equal(r.outcome, 'correct', `${driver}/${app}: ${r.reason}`);
    assert.ok(r.strategyStats.checkpoints > 10);
  }
});

test('checkpoint for sound: a writer sleeps during the restore and its write goes through after it', () => {
  const { w, f, s } = playing('sb16', 'checkpoint');
  w.k.driverFailed(w.core.driver!, 'bad-param', 'injected by the test', null, 'write');
  let written = -1;
  f.write(new Uint8Array(2048).fill(9), (r) => { written = r; });
  w.k.sched.run(w.k.now + 10);
  assert.equal(written, -1, 'the writer sleeps while the card is restored');
  w.k.sched.run(w.k.now + 200_000);
  assert.equal(s.report().recoveriesSucceeded, 1);
  assert.equal(written, 2048);
});

test('checkpoint for sound: a failure in write() is restored; periods played twice and lost are measured by the oracle', () => {
  const seen: Record<string, { lost: number; twice: number }> = {};
  for (const driver of ['audigy', 'sb16']) {
    const f: FaultRequest = { type: 'pointer-corrupt', site: `${driver}.write.pbuf`, persistence: 'transient', armAtUs: 725315, bit: 23 };
    const r = runTrial({ driver, app: 'mp3-player', strategy: 'checkpoint', seed: 91, fault: f });
    assert.equal(r.detected?.kind, 'unmapped');
    assert.equal(r.strategyStats.restores, 1);
    assert.equal(r.outcome, 'correct', r.reason);
    seen[driver] = { lost: r.app.blocks - r.app.played, twice: r.app.playedTwice ?? 0 };
    assert.ok(seen[driver].twice >= 1, `${driver}: the restored card replays periods it had played`);
    const rec = runTrial({ driver, app: 'audio-recorder', strategy: 'checkpoint', seed: 91,
      fault: { type: 'pointer-corrupt', site: `${driver}.read.cbuf`, persistence: 'transient', armAtUs: 1225315, bit: 23 } });
    assert.equal(rec.strategyStats.restores, 1);
    assert.equal(rec.outcome, 'correct', rec.reason);
  }
  assert.ok(seen.audigy.lost > 0, 'audigy: the replayed writes the restored ring refused are lost');
});

test('checkpoint for sound: the checkpoint interval moves the number of checkpoints', () => {
  const a = runTrial({ driver: 'sb16', app: 'speech-synthesizer', strategy: 'checkpoint', seed: 5, fault: null });
  const b = runTrial({ driver: 'sb16', app: 'speech-synthesizer', strategy: 'checkpoint', seed: 5, fault: null, params: { checkpointIntervalUs: 50_000 } });
  assert.ok(b.strategyStats.checkpoints > 1.5 * a.strategyStats.checkpoints);
});
