// The paper's fifth driver: an SB16-like ISA card (DSP ports with a busy bit, 8237 DMA, mixer,
// interrupt acknowledged by a port read) and its driver, under the same sound shadow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { Kernel } from '../src/kernel/kernel.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import { IsaDma, DMA_MODE, DMA_PORT } from '../src/devices/isa-dma.js';
import { Sb16Card, SB_PORT, DSP, MIXER, DSP_BUSY, IRQ_STATUS_16, DMA16_CHANNEL } from '../src/devices/sb16.js';
import { SKB_BASE } from '../src/kernel/layout.js';
import type { FaultRequest } from '../src/faults/select.js';

const kernel = () => new Kernel(DEFAULT_PARAMS, new RngStreams(1), new Trace(false), true);
const SOUND_APPS = ['mp3-player', 'audio-recorder', 'speech-synthesizer', 'strategy-game'];

/** Program channel `ch` of `dma` over `bytes` at `addr` (as a driver would, a byte at a time). */
function program(dma: IsaDma, ch: number, addr: number, bytes: number, mode: number): void {
  const wide = ch >= 4, unit = wide ? 2 : 1;
  dma.write(wide ? DMA_PORT.MASK16 : DMA_PORT.MASK8, 4 | (ch & 3));
  dma.write(wide ? DMA_PORT.FLIPFLOP16 : DMA_PORT.FLIPFLOP8, 0);
  dma.write(wide ? DMA_PORT.MODE16 : DMA_PORT.MODE8, mode | (ch & 3));
  const a = wide ? (addr >>> 1) & 0xffff : addr & 0xffff, count = bytes / unit - 1;
  const ap = wide ? DMA_PORT.ADDR16(ch) : DMA_PORT.ADDR8(ch), cp = wide ? DMA_PORT.COUNT16(ch) : DMA_PORT.COUNT8(ch);
  dma.write(ap, a & 0xff); dma.write(ap, a >>> 8);
  dma.write(({ 1: 0x83, 5: 0x8b } as Record<number, number>)[ch], (addr >>> 16) & 0xff);
  dma.write(cp, count & 0xff); dma.write(cp, count >>> 8);
  dma.write(wide ? DMA_PORT.MASK16 : DMA_PORT.MASK8, ch & 3);
}

test('8237: single-cycle masks at terminal count, auto-init reloads, the address wraps inside its 64 KiB page', () => {
  const k = kernel();
  const dma = new IsaDma(k);
  const base = SKB_BASE; // 64 KiB aligned, 256 KiB mapped
  k.mem.writeBytes(base, Uint8Array.from({ length: 0x1000 }, (_, i) => i & 0xff));
  program(dma, 1, base, 1024, DMA_MODE.SINGLE | DMA_MODE.READ);
  assert.ok(dma.fetch(1, 1024));
  assert.equal(dma.fetch(1, 1), null, 'single-cycle: the channel is masked after terminal count');
  program(dma, 1, base, 1024, DMA_MODE.SINGLE | DMA_MODE.AUTO | DMA_MODE.READ);
  const a = dma.fetch(1, 1024)!, b = dma.fetch(1, 1024)!;
  assert.deepEqual(a, b, 'auto-init: the second block starts again at the base');
  assert.equal(dma.terminalCounts, 3, 'one single-cycle, two auto-init');
  // A transfer programmed 16 bytes before the end of a page wraps to the start of the same page.
  program(dma, 1, base + 0xfff0, 32, DMA_MODE.SINGLE | DMA_MODE.READ);
  assert.equal(dma.address(1), base + 0xfff0);
  dma.fetch(1, 16);
  assert.equal(dma.address(1), base, 'the address counter wrapped to the page start, not into the next page');
  // The 16-bit channel counts words.
  program(dma, DMA16_CHANNEL, base + 0x100, 64, DMA_MODE.SINGLE | DMA_MODE.READ);
  assert.deepEqual(dma.fetch(DMA16_CHANNEL, 64), k.mem.readBytes(base + 0x100, 64));
  assert.equal(dma.fetch(DMA16_CHANNEL, 2), null);
});

test('SB16 DSP: reset answers 0xAA, a byte written while busy is lost, the version is 4.x, an interrupt is acknowledged by a port read', () => {
  const k = kernel();
  const card = new Sb16Card(k, 'sb', 5);
  card.writeReg(SB_PORT.RESET, 1); card.writeReg(SB_PORT.RESET, 0);
  assert.equal(card.readReg(SB_PORT.READ), 0xaa);
  card.writeReg(SB_PORT.WRITE, DSP.VERSION);
  card.writeReg(SB_PORT.WRITE, DSP.VERSION); // busy: lost
  assert.equal(card.lostBytes, 1);
  assert.equal(card.readReg(SB_PORT.WRITE) & DSP_BUSY, DSP_BUSY);
  assert.equal(card.readReg(SB_PORT.WRITE) & DSP_BUSY, 0);
  assert.equal(card.readReg(SB_PORT.READ), 4);
  assert.equal(card.readReg(SB_PORT.READ), 5);
  assert.equal(card.readReg(SB_PORT.READ), 0xff, 'one answer only: the lost byte was no command');
  // A 16-bit single-cycle playback of one block: one interrupt, cause in the mixer, ack by 0x22F.
  const buf = SKB_BASE;
  let irqs = 0;
  k.requestIrq = ((_i: unknown, _l: number) => {}) as never;
  k.raiseIrq = () => { irqs++; };
  const dsp = (...bytes: number[]) => { for (const b of bytes) { while (card.readReg(SB_PORT.WRITE) & DSP_BUSY); card.writeReg(SB_PORT.WRITE, b); } };
  card.writeReg(SB_PORT.MIXER_ADDR, MIXER.IRQ_SELECT); card.writeReg(SB_PORT.MIXER_DATA, 2);
  card.writeReg(SB_PORT.MIXER_ADDR, MIXER.DMA_SELECT); card.writeReg(SB_PORT.MIXER_DATA, 1 << DMA16_CHANNEL);
  program(card.dma, DMA16_CHANNEL, buf, 4096, DMA_MODE.SINGLE | DMA_MODE.READ);
  dsp(DSP.SPEAKER_ON, DSP.RATE_OUT, 44100 >> 8, 44100 & 0xff, DSP.IO16, 0x10, 1023 & 0xff, 1023 >> 8);
  k.sched.run(k.now + 1_000_000);
  assert.equal(card.played.length, 1, 'single-cycle DSP command: one block');
  assert.equal(card.played[0].rate, 44100);
  assert.equal(card.played[0].fmt, 16 | (1 << 8));
  assert.equal(irqs, 1);
  card.writeReg(SB_PORT.MIXER_ADDR, MIXER.IRQ_STATUS);
  assert.equal(card.readReg(SB_PORT.MIXER_DATA), IRQ_STATUS_16);
  card.readReg(SB_PORT.ACK16);
  assert.equal(card.readReg(SB_PORT.MIXER_DATA), 0, 'acknowledged');
});

test('sb16: every sound app is correct fault-free under native, restart, shadow and shadow-skip', () => {
  for (const app of SOUND_APPS) for (const strategy of ['native', 'restart', 'shadow', 'shadow-skip']) {
    const r = runTrial({ driver: 'sb16', app, strategy, seed: 3, fault: null });
    assert.equal(r.outcome, 'correct', `${app}/${strategy}: ${r.reason}`);
  }
});

test('sb16 under the unchanged sound shadow: a detected failure in write() is recovered; native kills the player (process context), restart loses the stream', () => {
  const f: FaultRequest = { type: 'branch-invert', site: 'sb16.write.wraps', persistence: 'deterministic', armAtUs: 250176, bit: 1 };
  const sh = runTrial({ driver: 'sb16', app: 'mp3-player', strategy: 'shadow', seed: 3, fault: f });
  assert.equal(sh.detected?.kind, 'unmapped');
  assert.ok(sh.recoveries.succeeded >= 1);
  assert.equal(sh.outcome, 'correct', sh.reason);
  // Native: write() runs in the player's process with no spinlock held, so Linux kills the player and goes on.
  const nat = runTrial({ driver: 'sb16', app: 'mp3-player', strategy: 'native', seed: 3, fault: f });
  assert.equal(nat.outcome, 'app-failed', nat.reason);
  assert.match(nat.reason, /killed by the kernel: oops in process context/);
  assert.equal(runTrial({ driver: 'sb16', app: 'mp3-player', strategy: 'restart', seed: 3, fault: f }).outcome, 'malfunction');
});

test('sb16: every isolating strategy recovers a detected failure in write(); the ones that keep the stream play it right', () => {
  const f: FaultRequest = { type: 'pointer-corrupt', site: 'sb16.write.pbuf', persistence: 'transient', armAtUs: 725315, bit: 23 };
  for (const strategy of ['restart', 'shadow', 'shadow-skip', 'replication', 'checkpoint']) {
    const r = runTrial({ driver: 'sb16', app: 'mp3-player', strategy, seed: 91, fault: f });
    assert.equal(r.detected?.kind, 'unmapped', strategy);
    assert.ok(r.recoveries.succeeded >= 1, `${strategy} recovered the driver`);
    if (strategy === 'restart') assert.match(r.reason, /writes failed/, 'restart: the open file refers to the unloaded driver');
    else assert.equal(r.outcome, 'correct', `${strategy}: ${r.reason}`);
  }
});
