// Every application's oracle can fire: each test drives the failure the oracle checks for, by a
// mechanism of the model, and sees the verdict change; a threshold from data/params.json is live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial, TrialOptions } from '../src/trial/run.js';
import type { World } from '../src/world/world.js';
import type { FaultRequest } from '../src/faults/select.js';
import { ownerOfSlot } from '../src/kernel/skb.js';
import { ETH_HEADER, ETHERTYPE_STREAM, ETHERTYPE_MONITOR } from '../src/net/eth.js';

/** A driver bug seen from outside: stores into packet buffers the driver holds (payload bytes
 *  set to 0xEE), at `everyUs` intervals within [fromUs, toUs]. Only buffers of the given
 *  ethertype are touched, so the scribble lands in frames, not in empty buffers. */
function scribbler(ethertype: number, fromUs: number, toUs: number, everyUs: number): (w: World) => void {
  return (w) => {
    const k = w.k;
    const scribble = (): void => {
      for (const skb of k.skbs.heldBy(ownerOfSlot(0))) {
        const type = (k.mem.bytes[skb + 12] << 8) | k.mem.bytes[skb + 13];
        if (type !== ethertype) continue;
        // Stream frames: past the 12-byte segment header (a DATA segment with payload); others: past the header.
        const at = skb + ETH_HEADER + (ethertype === ETHERTYPE_STREAM ? 12 + 40 : 20);
        if (ethertype === ETHERTYPE_STREAM && k.mem.bytes[skb + ETH_HEADER] !== 1) continue;
        k.mem.bytes.fill(0xee, at, at + 4);
      }
      if (k.now + everyUs <= toUs) k.sched.schedule(everyUs, 'nemesis', scribble);
    };
    k.sched.schedule(fromUs, 'nemesis', scribble);
  };
}

const trial = (driver: string, app: string, opts: TrialOptions = {}, params: Record<string, number> = {}, fault: FaultRequest | null = null, strategy = 'native', seed = 3) =>
  runTrial({ driver, app, strategy, seed, fault, params }, opts);

test('file-transfer: bytes damaged in a transmit buffer pass with checksum offload, and the receiver\'s file check catches them', () => {
  const nemesis = scribbler(ETHERTYPE_STREAM, 50_000, 250_000, 5_000);
  assert.equal(trial('e1000', 'file-transfer').outcome, 'correct');
  const offload = trial('e1000', 'file-transfer', { nemesis });
  assert.equal(offload.outcome, 'malfunction', offload.reason);
  assert.match(offload.reason, /checksum/);
  // Without offload the stack's checksum covers the original bytes: the peer drops the damaged
  // segments and the stream sends them again.
  const noOffload = trial('e1000', 'file-transfer', { nemesis }, { txChecksumOffload: 0 });
  assert.equal(noOffload.outcome, 'correct', noOffload.reason);
  assert.ok(noOffload.app.segmentsResent > 0, 'the damaged segments were sent again');
});

test('remote-window: a damaged screen update is seen by the viewer; a slow one by the latency bound', () => {
  const bad = trial('e1000', 'remote-window', { nemesis: scribbler(ETHERTYPE_STREAM, 300_000, 800_000, 2) });
  assert.equal(bad.outcome, 'malfunction', bad.reason);
  assert.match(bad.reason, /updates were wrong/);
  const ok = trial('e1000', 'remote-window');
  assert.equal(ok.outcome, 'correct', ok.reason);
  // The latency bound is live: below the fault-free worst latency, the same run is judged frozen.
  const strict = trial('e1000', 'remote-window', {}, { oracleWindowLatencyUs: Math.max(1, ok.app.worstLatencyUs - 1) });
  assert.equal(strict.outcome, 'malfunction');
  assert.match(strict.reason, /an update took/);
});

test('network-analyzer: a captured frame that differs from the wire is caught; a capture hole too', () => {
  const bad = trial('e1000', 'network-analyzer', { nemesis: scribbler(ETHERTYPE_MONITOR, 500_000, 800_000, 1) });
  assert.equal(bad.outcome, 'malfunction', bad.reason);
  assert.match(bad.reason, /captured frames differ from the wire/);
  const hole = trial('e1000', 'network-analyzer', {}, {}, { type: 'branch-delete', site: 'e1000.clean_rx.drop', persistence: 'image' });
  assert.equal(hole.outcome, 'malfunction', hole.reason);
  assert.match(hole.reason, /stopped seeing traffic/);
});

/** A fault found by the paper-method campaign, replayed exactly (restart strategy, image persistence). */
const replayed = (driver: string, app: string, seed: number, type: string, site: string, armAtUs: number, bit: number, params: Record<string, number> = {}) =>
  runTrial({ driver, app, strategy: 'restart', seed, fault: { type: type as FaultRequest['type'], site, persistence: 'image', armAtUs, bit }, params });

test('mp3-player: lost audio, out-of-order audio; the loss threshold is live', () => {
  const lost = replayed('audigy', 'mp3-player', 1, 'store-delete', 'audigy.write.copy', 1252990, 14);
  assert.equal(lost.outcome, 'malfunction', lost.reason);
  assert.match(lost.reason, /blocks never played/);
  assert.ok(lost.app.missingUs > 0 && lost.app.longestHoleUs > 0, 'severity is kept beside the verdict');
  const lenient = replayed('audigy', 'mp3-player', 1, 'store-delete', 'audigy.write.copy', 1252990, 14, { oracleAudioLossUs: Math.ceil(lost.app.missingUs) });
  assert.equal(lenient.outcome, 'correct', 'with a tolerance at the loss itself the same run passes');
  const disorder = replayed('audigy', 'mp3-player', 8, 'branch-delete', 'audigy.isr.underrun', 1352291, 30);
  assert.equal(disorder.outcome, 'malfunction', disorder.reason);
  assert.match(disorder.reason, /out of order/);
});

test('strategy-game: effects played at the wrong volume', () => {
  const r = replayed('audigy', 'strategy-game', 32, 'store-delete', 'audigy.ioctl.write_volume', 2208258, 17);
  assert.equal(r.outcome, 'malfunction', r.reason);
  assert.match(r.reason, /wrong format, rate or volume/);
});

test('speech-synthesizer: a sentence with words missing', () => {
  const r = replayed('audigy', 'speech-synthesizer', 1, 'store-delete', 'audigy.write.copy', 1568522, 14);
  assert.equal(r.outcome, 'malfunction', r.reason);
  assert.match(r.reason, /blocks never played/);
});

test('audio-recorder: a recording with blocks missing', () => {
  const r = replayed('audigy', 'audio-recorder', 2, 'value-corrupt-dst', 'audigy.read.advance', 1161236, 28);
  assert.equal(r.outcome, 'malfunction', r.reason);
  assert.match(r.reason, /recorded \d+ of \d+ blocks/);
});

test('compiler, encoder, database: the files they verify at the end differ from what they wrote', () => {
  const c = replayed('ide-disk', 'compiler', 1, 'pointer-corrupt', 'ide.start.ring', 523236, 14);
  assert.match(c.reason, /object files differ/);
  const e = replayed('ide-disk', 'encoder', 1, 'pointer-corrupt', 'ide.start.ring', 409031, 14);
  assert.match(e.reason, /encoded file differs/);
  const d = replayed('ide-disk', 'database', 1, 'pointer-corrupt', 'ide.start.ring', 1520961, 14);
  assert.match(d.reason, /integrity violations/);
  for (const r of [c, e, d]) assert.equal(r.outcome, 'malfunction', r.reason);
});
