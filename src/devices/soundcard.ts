// An audigy-like sound card: playback and capture DMA ring buffers in host memory split into
// periods, consumed and filled in real (virtual) time at the programmed rate, an interrupt per
// period, format/rate registers, a mixer volume, and a capability register. What it plays goes
// to the speaker, and what it captures comes from the microphone: the apps' ground truth.
import type { Kernel } from '../kernel/kernel.js';
import { DMA } from '../sim/memory.js';
import { MachineFault } from '../sim/faults.js';
import type { DeviceSnapshot } from './device-model.js';
import { SpeakerTap, periodSeqAt, fmtValue, bytesPerFrame, type SoundDevice, type PlayedPeriod, type Microphone } from './sound-io.js';

export { fmtValue, bytesPerFrame, type PlayedPeriod, type Microphone };

export const SREG = {
  CTL: 0, FMT: 1, RATE: 2, PBUF: 3, PSIZE: 4, PPER: 5, PPOS: 6, CBUF: 7, CSIZE: 8, CPER: 9, CPOS: 10,
  VOL: 11, ISR: 12, IER: 13, CAPS: 14,
} as const;
const NSREGS = 15;
export const CTL_PLAY = 0x1, CTL_CAPTURE = 0x2, CTL_RESET = 0x80000000;
export const ISR_PLAY = 0x1, ISR_CAPTURE = 0x2;
/** Capability bits: 8 and 16-bit samples, mono and stereo, 4-48 kHz. */
export const CAPS_VALUE = 0x0000_1f03;

const MIN_RATE = 4000, MAX_RATE = 48000, MIN_PERIOD_BYTES = 64;

export class SoundCard implements SoundDevice {
  private readonly regs = new Uint32Array(NSREGS);
  private epoch = 0;
  private readonly speaker: SpeakerTap;
  dmaErrors = 0;
  played: PlayedPeriod[] = [];
  muted = false;
  microphone: Microphone = (_s, bytes) => new Uint8Array(bytes);

  constructor(private readonly k: Kernel, readonly name: string, readonly irqLine: number) {
    this.regs[SREG.CAPS] = CAPS_VALUE;
    this.speaker = new SpeakerTap(k);
  }

  readReg(reg: number): number {
    if (!Number.isInteger(reg) || reg < 0 || reg >= NSREGS) return 0xffffffff;
    const v = this.regs[reg];
    if (reg === SREG.ISR) this.regs[SREG.ISR] = 0;
    return v;
  }

  writeReg(reg: number, value: number): void {
    if (!Number.isInteger(reg) || reg < 0 || reg >= NSREGS || reg === SREG.CAPS || reg === SREG.PPOS || reg === SREG.CPOS) return;
    if (reg === SREG.CTL) { this.control(value); return; }
    this.regs[reg] = value;
  }

  private readyAtUs = 0;
  readyInUs(): number { return Math.max(0, this.readyAtUs - this.k.now); }

  quiesce(): void { this.regs[SREG.CTL] = 0; this.regs[SREG.IER] = 0; this.epoch++; }

  /** Registers (ring addresses and positions, format, rate, volume, what runs). */
  snapshot(): DeviceSnapshot { return { bytes: this.regs.byteLength, state: Uint32Array.from(this.regs) }; }

  /** Back to a snapshot: the streams that ran then run again from the positions they had (the
   *  periods played since are played again, or the ring has moved on: the oracle hears which). */
  restore(snap: DeviceSnapshot): void {
    this.epoch++;
    this.regs.set(snap.state as Uint32Array);
    if (this.regs[SREG.CTL] & CTL_PLAY) this.schedule('play', this.epoch);
    if (this.regs[SREG.CTL] & CTL_CAPTURE) this.schedule('capture', this.epoch);
  }

  private control(v: number): void {
    if (v & CTL_RESET) {
      this.regs.fill(0);
      this.regs[SREG.CAPS] = CAPS_VALUE;
      this.epoch++;
      // The codec reports ready and its rate converter locks some time after the reset; a
      // stream started meanwhile begins only then.
      const p = this.k.params;
      this.readyAtUs = this.k.now + p.codecResetUs + this.k.rng.get('env/codec').int(p.codecLockJitterUs + 1);
      this.k.log('sound', `${this.name} reset`);
      return;
    }
    const was = this.regs[SREG.CTL];
    this.regs[SREG.CTL] = v & (CTL_PLAY | CTL_CAPTURE);
    if ((v & CTL_PLAY) && !(was & CTL_PLAY)) this.schedule('play', this.epoch);
    if ((v & CTL_CAPTURE) && !(was & CTL_CAPTURE)) this.schedule('capture', this.epoch);
  }

  /** Time one period takes at the current rate and format. Like a real codec, the card runs at
   *  4-48 kHz (an out-of-range rate is clamped) and needs periods of at least 64 bytes (a smaller
   *  or missing period, or no rate at all, stalls the stream). */
  private periodUs(perReg: number): number {
    const raw = this.regs[SREG.RATE], per = this.regs[perReg];
    if (raw === 0 || per < MIN_PERIOD_BYTES) return 0;
    const rate = Math.min(MAX_RATE, Math.max(MIN_RATE, raw));
    const frame = Math.min(8, bytesPerFrame(this.regs[SREG.FMT]));
    return Math.max(1, Math.round((per / frame / rate) * 1e6));
  }

  private schedule(which: 'play' | 'capture', epoch: number): void {
    const period = this.periodUs(which === 'play' ? SREG.PPER : SREG.CPER);
    const us = period === 0 ? 0 : period + this.readyInUs();
    if (us === 0) { this.k.log('sound', `${this.name} ${which} stalled: no rate or period programmed`); return; }
    this.k.sched.schedule(us, which === 'play' ? 'sound-play' : 'sound-capture', this.periodEnd(which, epoch));
  }

  /** The event ending a period of `which` in `epoch`: one per direction and epoch, not one per
   *  period (a card left looping runs thousands of periods to the trial's deadline). */
  private periodEnd(which: 'play' | 'capture', epoch: number): () => void {
    const known = this.periodEnds[which];
    if (known && known.epoch === epoch) return known.fn;
    const fn = (): void => {
      if (epoch !== this.epoch) return;
      const bit = which === 'play' ? CTL_PLAY : CTL_CAPTURE;
      if (!(this.regs[SREG.CTL] & bit)) return;
      if (which === 'play' ? this.playPeriod() : this.capturePeriod()) this.schedule(which, epoch);
    };
    this.periodEnds[which] = { epoch, fn };
    return fn;
  }
  private readonly periodEnds: { play?: { epoch: number; fn: () => void }; capture?: { epoch: number; fn: () => void } } = {};

  private playPeriod(): boolean {
    const r = this.regs, per = r[SREG.PPER], size = r[SREG.PSIZE];
    try {
      this.speaker.play(this, r[SREG.PBUF] + r[SREG.PPOS], per, r[SREG.FMT], r[SREG.RATE], r[SREG.VOL]);
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      return this.dmaError('play', e);
    }
    r[SREG.PPOS] = size > 0 ? (r[SREG.PPOS] + per) % size : 0;
    this.interrupt(ISR_PLAY);
    return true;
  }

  private capturePeriod(): boolean {
    const r = this.regs, per = r[SREG.CPER], size = r[SREG.CSIZE];
    try {
      this.k.mem.writeBytes(r[SREG.CBUF] + r[SREG.CPOS], this.microphone(periodSeqAt(this.k.now, this.periodUs(SREG.CPER)), per, r[SREG.FMT], r[SREG.RATE]), DMA);
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      return this.dmaError('capture', e);
    }
    r[SREG.CPOS] = size > 0 ? (r[SREG.CPOS] + per) % size : 0;
    this.interrupt(ISR_CAPTURE);
    return true;
  }

  private dmaError(which: string, e: MachineFault): boolean {
    this.dmaErrors++;
    this.regs[SREG.CTL] = 0;
    this.k.log('sound', `${this.name} ${which} DMA error, stream stopped: ${e.message}`);
    return false;
  }

  private interrupt(bit: number): void {
    const before = this.regs[SREG.ISR] & this.regs[SREG.IER];
    this.regs[SREG.ISR] |= bit;
    if (!before && (bit & this.regs[SREG.IER])) this.k.raiseIrq(this.irqLine);
  }
}
