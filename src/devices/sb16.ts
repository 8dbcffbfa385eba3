// A SoundBlaster-16-like ISA card: a DSP programmed a byte at a time through a command/data port
// with a busy bit, sample transfers by the chipset's 8237 DMA (8-bit PCM on channel 1, 16-bit
// PCM on channel 5, single-cycle or auto-init), a mixer behind an index/data port pair, and one
// interrupt line whose cause is in a mixer register and which is acknowledged by reading a port
// (0x22E for 8-bit transfers, 0x22F for 16-bit ones); until it is, the card raises no new one.
// The DSP plays or records one block per interrupt; what it plays goes to the speaker and what
// it records comes from the microphone, reported as every card model reports them (sound-io.ts).
import type { Kernel } from '../kernel/kernel.js';
import { MachineFault } from '../sim/faults.js';
import type { DeviceSnapshot } from './device-model.js';
import { IsaDma, DmaState } from './isa-dma.js';
import { SpeakerTap, periodSeqAt, fmtValue, type SoundDevice, type PlayedPeriod, type Microphone } from './sound-io.js';

export const SB_PORT = { MIXER_ADDR: 0x224, MIXER_DATA: 0x225, RESET: 0x226, READ: 0x22a, WRITE: 0x22c, RSTATUS: 0x22e, ACK16: 0x22f } as const;
export const DSP = {
  RATE_OUT: 0x41, RATE_IN: 0x42,
  /** 0xB0-0xBF: 16-bit transfer, 0xC0-0xCF: 8-bit; bit 3 input, bit 2 auto-init. Args: mode, len lo, len hi. */
  IO16: 0xb0, IO8: 0xc0, IO_INPUT: 0x08, IO_AUTO: 0x04, IO_FIFO: 0x02,
  PAUSE8: 0xd0, SPEAKER_ON: 0xd1, SPEAKER_OFF: 0xd3, CONTINUE8: 0xd4, PAUSE16: 0xd5, CONTINUE16: 0xd6,
  EXIT_AUTO16: 0xd9, EXIT_AUTO8: 0xda, VERSION: 0xe1,
} as const;
/** Mode byte of a transfer command. */
export const DSP_MODE_STEREO = 0x20, DSP_MODE_SIGNED = 0x10;
export const MIXER = { RESET: 0x00, MASTER_L: 0x30, MASTER_R: 0x31, IRQ_SELECT: 0x80, DMA_SELECT: 0x81, IRQ_STATUS: 0x82 } as const;
export const IRQ_STATUS_8 = 0x1, IRQ_STATUS_16 = 0x2;
export const DSP_BUSY = 0x80, DATA_AVAILABLE = 0x80, RESET_ACK = 0xaa;
export const DSP_VERSION = [4, 5] as const;
export const DMA8_CHANNEL = 1, DMA16_CHANNEL = 5;
const MIN_RATE = 5000, MAX_RATE = 45000;

interface Transfer { gen: number; input: boolean; wide: boolean; auto: boolean; stereo: boolean; blockBytes: number; paused: boolean; exiting: boolean }

interface Sb16State {
  cmd: number[]; queue: number[]; busy: number; resetHigh: boolean; mixerIndex: number; mixer: number[];
  rateOut: number; rateIn: number; speaker: boolean; irqStatus: number; out: Transfer | null; in: Transfer | null; dma: DmaState;
}

/** Argument bytes each command takes. */
function argCount(cmd: number): number {
  if (cmd === DSP.RATE_OUT || cmd === DSP.RATE_IN) return 2;
  if (cmd >= 0xb0 && cmd <= 0xcf) return 3;
  return 0;
}

export class Sb16Card implements SoundDevice {
  private epoch = 0;
  private readonly speakerTap: SpeakerTap;
  readonly dma: IsaDma;
  private s: Sb16State;
  dmaErrors = 0;
  /** Bytes written to the command port while the DSP was busy (lost, as on the real card). */
  lostBytes = 0;
  played: PlayedPeriod[] = [];
  muted = false;
  microphone: Microphone = (_s, bytes) => new Uint8Array(bytes);

  constructor(private readonly k: Kernel, readonly name: string, readonly irqLine: number) {
    this.speakerTap = new SpeakerTap(k);
    this.dma = new IsaDma(k);
    this.s = this.fresh();
  }

  private fresh(): Sb16State {
    return { cmd: [], queue: [], busy: 0, resetHigh: false, mixerIndex: 0, mixer: new Array(256).fill(0), rateOut: 0, rateIn: 0,
      speaker: false, irqStatus: 0, out: null, in: null, dma: this.dma.snapshot() };
  }

  readReg(port: number): number {
    if (IsaDma.owns(port)) return this.dma.read(port);
    const s = this.s;
    switch (port) {
      case SB_PORT.WRITE: { // status: the DSP is busy for one poll after every byte it takes
        if (s.busy > 0) { s.busy--; return DSP_BUSY; }
        return 0;
      }
      case SB_PORT.READ: return s.queue.length ? s.queue.shift()! : 0xff;
      case SB_PORT.RSTATUS: this.ack(IRQ_STATUS_8); return s.queue.length ? DATA_AVAILABLE : 0;
      case SB_PORT.ACK16: this.ack(IRQ_STATUS_16); return 0xff;
      case SB_PORT.MIXER_DATA: return s.mixerIndex === MIXER.IRQ_STATUS ? s.irqStatus : s.mixer[s.mixerIndex];
      case SB_PORT.MIXER_ADDR: return s.mixerIndex;
      default: return 0xffffffff;
    }
  }

  writeReg(port: number, value: number): void {
    if (IsaDma.owns(port)) { this.dma.write(port, value); return; }
    const s = this.s, v = value & 0xff;
    switch (port) {
      case SB_PORT.RESET:
        if (v & 1) s.resetHigh = true;
        else if (s.resetHigh) this.dspReset();
        return;
      case SB_PORT.WRITE:
        if (s.busy > 0) { this.lostBytes++; return; }
        s.busy = 1;
        this.dspByte(v);
        return;
      case SB_PORT.MIXER_ADDR: s.mixerIndex = v; return;
      case SB_PORT.MIXER_DATA:
        if (s.mixerIndex === MIXER.RESET) { s.mixer.fill(0); s.mixer[MIXER.MASTER_L] = s.mixer[MIXER.MASTER_R] = 0xc0; return; }
        if (s.mixerIndex !== MIXER.IRQ_STATUS) s.mixer[s.mixerIndex] = v;
        return;
    }
  }

  quiesce(): void { this.s.out = null; this.s.in = null; this.s.irqStatus = 0; this.dma.maskAll(); this.epoch++; }

  private dspReset(): void {
    const dma = this.s.dma, mixer = this.s.mixer;
    this.epoch++;
    this.s = this.fresh();
    this.s.dma = dma;
    this.s.mixer = mixer; // a DSP reset leaves the mixer alone
    this.s.queue.push(RESET_ACK);
    this.k.log('sound', `${this.name} DSP reset`);
  }

  private dspByte(v: number): void {
    const c = this.s.cmd;
    c.push(v);
    if (c.length - 1 < argCount(c[0])) return;
    this.s.cmd = [];
    this.command(c[0], c.slice(1));
  }

  private command(op: number, a: number[]): void {
    const s = this.s;
    if (op === DSP.RATE_OUT) { s.rateOut = (a[0] << 8) | a[1]; return; }
    if (op === DSP.RATE_IN) { s.rateIn = (a[0] << 8) | a[1]; return; }
    if (op >= 0xb0 && op <= 0xcf) { this.start(op, a[0], a[1] | (a[2] << 8)); return; }
    switch (op) {
      case DSP.SPEAKER_ON: s.speaker = true; return;
      case DSP.SPEAKER_OFF: s.speaker = false; return;
      case DSP.VERSION: s.queue.push(...DSP_VERSION); return;
      case DSP.PAUSE8: case DSP.PAUSE16: this.pause(op === DSP.PAUSE16, true); return;
      case DSP.CONTINUE8: case DSP.CONTINUE16: this.pause(op === DSP.CONTINUE16, false); return;
      case DSP.EXIT_AUTO8: case DSP.EXIT_AUTO16:
        for (const t of [s.out, s.in]) if (t && t.wide === (op === DSP.EXIT_AUTO16)) t.exiting = true;
        return;
    }
  }

  /** Start a transfer: one block of `len + 1` samples per interrupt. */
  private start(op: number, mode: number, len: number): void {
    const wide = op < 0xc0, input = (op & DSP.IO_INPUT) !== 0;
    const t: Transfer = { gen: 0, input, wide, auto: (op & DSP.IO_AUTO) !== 0, stereo: (mode & DSP_MODE_STEREO) !== 0, blockBytes: (len + 1) * (wide ? 2 : 1), paused: false, exiting: false };
    if (input) this.s.in = t; else this.s.out = t;
    this.schedule(t, this.epoch);
  }

  private pause(wide: boolean, paused: boolean): void {
    for (const t of [this.s.out, this.s.in]) {
      if (!t || t.wide !== wide || t.paused === paused) continue;
      t.paused = paused;
      t.gen++; // a block scheduled before the pause must not run as well as the one after it
      if (!paused) this.schedule(t, this.epoch);
    }
  }

  private fmtOf(t: Transfer): number { return fmtValue(t.wide ? 16 : 8, t.stereo ? 2 : 1); }
  private rateOf(t: Transfer): number { return t.input ? this.s.rateIn : this.s.rateOut; }

  /** Time one block takes; 0 (a stall) with no rate programmed. */
  private blockUs(t: Transfer): number {
    const raw = this.rateOf(t);
    if (raw === 0 || t.blockBytes < 2) return 0;
    const rate = Math.min(MAX_RATE, Math.max(MIN_RATE, raw));
    return Math.max(1, Math.round((t.blockBytes / ((t.wide ? 2 : 1) * (t.stereo ? 2 : 1)) / rate) * 1e6));
  }

  private schedule(t: Transfer, epoch: number): void {
    const us = this.blockUs(t), gen = t.gen;
    if (us === 0) { this.k.log('sound', `${this.name} transfer stalled: no sample rate`); return; }
    this.k.sched.schedule(us, t.input ? 'sb16-adc' : 'sb16-dac', this.blockEnd(t, epoch, gen, us));
  }

  /** The event ending a block: one per transfer, epoch, generation and block time rather than one
   *  per block (an auto-init transfer left running loops to the trial's deadline). */
  private blockEnd(t: Transfer, epoch: number, gen: number, us: number): () => void {
    const k = this.blockEnds.get(t);
    if (k && k.epoch === epoch && k.gen === gen && k.us === us) return k.fn;
    const fn = (): void => {
      if (epoch !== this.epoch || (t.input ? this.s.in : this.s.out) !== t || t.paused || t.gen !== gen) return;
      if (this.block(t, us)) {
        if (t.auto && !t.exiting) this.schedule(t, epoch);
        else if (t.input) this.s.in = null; else this.s.out = null;
      }
    };
    this.blockEnds.set(t, { epoch, gen, us, fn });
    return fn;
  }
  private readonly blockEnds = new WeakMap<Transfer, { epoch: number; gen: number; us: number; fn: () => void }>();

  /** One block through the DMA channel; false when the stream stopped. */
  private block(t: Transfer, us: number): boolean {
    const s = this.s, ch = t.wide ? DMA16_CHANNEL : DMA8_CHANNEL;
    const selected = (s.mixer[MIXER.DMA_SELECT] & (1 << ch)) !== 0;
    try {
      if (!selected) return this.stall(t, `DMA channel ${ch} not selected`);
      if (t.input) {
        const heard = this.microphone(periodSeqAt(this.k.now, us), t.blockBytes, this.fmtOf(t), this.rateOf(t));
        if (!this.dma.deliver(ch, heard)) return this.stall(t, `DMA channel ${ch} not ready for input`);
      } else {
        const from = this.dma.address(ch);
        const data = this.dma.fetch(ch, t.blockBytes);
        if (!data) return this.stall(t, `DMA channel ${ch} not ready for output`);
        this.speakerTap.playFetched(this, from, data, this.fmtOf(t), this.rateOf(t), this.volume());
      }
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      this.dmaErrors++;
      this.k.log('sound', `${this.name} DMA error, transfer stopped: ${e.message}`);
      if (t.input) s.in = null; else s.out = null;
      return false;
    }
    this.interrupt(t.wide ? IRQ_STATUS_16 : IRQ_STATUS_8);
    return true;
  }

  private stall(t: Transfer, why: string): boolean {
    this.k.log('sound', `${this.name} ${why}: the DSP waits`);
    if (t.input) this.s.in = null; else this.s.out = null;
    return false;
  }

  /** The master level as a percentage (the mixer holds 0-255 per channel; left is what the oracle hears). */
  private volume(): number { return this.s.speaker ? Math.round((this.s.mixer[MIXER.MASTER_L] * 100) / 255) : 0; }

  private interrupt(bit: number): void {
    const s = this.s, before = s.irqStatus;
    s.irqStatus |= bit;
    if (!before && s.mixer[MIXER.IRQ_SELECT] !== 0) this.k.raiseIrq(this.irqLine);
  }

  private ack(bit: number): void { this.s.irqStatus &= ~bit; }

  snapshot(): DeviceSnapshot {
    const s = this.s;
    const state: Sb16State = { ...s, cmd: [...s.cmd], queue: [...s.queue], mixer: [...s.mixer], out: s.out && { ...s.out }, in: s.in && { ...s.in }, dma: this.dma.snapshot() };
    return { bytes: 256 + 64 + 8 * 24, state };
  }

  /** Back to a snapshot: transfers that ran then run again from the DMA positions they had. */
  restore(snap: DeviceSnapshot): void {
    const st = snap.state as Sb16State;
    this.epoch++;
    this.s = { ...st, cmd: [...st.cmd], queue: [...st.queue], mixer: [...st.mixer], out: st.out && { ...st.out }, in: st.in && { ...st.in }, dma: st.dma };
    this.dma.restore(st.dma);
    for (const t of [this.s.out, this.s.in]) if (t && !t.paused) this.schedule(t, this.epoch);
  }
}
