// What every sound card model connects to on the room side: the speaker it plays into and the
// microphone it records from. Both are the apps' ground truth, so every card model reports them
// in the same units (format as `fmtValue`, rate in Hz, volume in percent) whatever its own
// registers look like. A standby card (replication) shares the live card's speaker but is
// muted, and hears the same room: what a microphone hears is a function of virtual time.
import type { Kernel } from '../kernel/kernel.js';
import type { DeviceModel } from './device-model.js';
import { copyBytes } from '../sim/slab.js';
import { bytesEqual } from '../sim/memory.js';

/** A period the speaker played, `times` times in a row (a card left looping its ring plays the
 *  same bytes thousands of times: one entry, not one object per period). `atUs`: the first time. */
export interface PlayedPeriod { atUs: number; data: Uint8Array; fmt: number; rate: number; volume: number; times: number }

/** What the microphone hears during the period numbered `seq` (a function of virtual time:
 *  two cards capturing at the same time with the same settings hear the same sound). */
export type Microphone = (seq: number, bytes: number, fmt: number, rate: number) => Uint8Array;

/** A sound card as the room and the recovery strategies see it, whatever its programming model. */
export interface SoundDevice extends DeviceModel {
  /** What came out of the speaker (a standby shares the live card's list). */
  played: PlayedPeriod[];
  /** A muted card's periods do not reach the speaker (a replication standby). */
  muted: boolean;
  microphone: Microphone;
}

/** FMT value: bits per sample in the low byte, channels in the next. */
export const fmtValue = (bits: number, channels: number): number => (bits & 0xff) | ((channels & 0xff) << 8);
export const bytesPerFrame = (fmt: number): number => Math.max(1, ((fmt & 0xff) >>> 3) * ((fmt >>> 8) & 0xff));

/** The number of the sound period that ends now, for a card whose periods last `periodUs`:
 *  the period is numbered by its middle in virtual time, so a card that started a few
 *  microseconds after another still numbers the same sound alike. */
export function periodSeqAt(nowUs: number, periodUs: number): number {
  return periodUs > 0 ? Math.max(0, Math.floor((nowUs - periodUs / 2) / periodUs)) : 0;
}

/** The speaker end of a card: copies a DMA'd period out of host memory, sharing the bytes of a
 *  period replayed unchanged from the same address (a card left looping its ring replays the
 *  same bytes for as long as a trial runs; a copy per period would grow the trial's memory). */
export class SpeakerTap {
  private readonly lastPlayed = new Map<number, Uint8Array>();
  constructor(private readonly k: Kernel) {}

  periodData(addr: number, len: number): Uint8Array {
    this.k.mem.checkMapped(addr, len, null); // a DMA to unmapped memory faults here
    return this.shared(addr, this.k.mem.bytes.subarray(addr, addr + len));
  }

  /** `view` as played from `addr`: the last period from there if the bytes are the same. */
  private shared(addr: number, view: Uint8Array): Uint8Array {
    const len = view.length;
    const last = this.lastPlayed.get(addr);
    if (last && bytesEqual(last, view)) return last;
    const copy = copyBytes(view);
    this.lastPlayed.set(addr, copy);
    return copy;
  }

  private heard(card: SoundDevice, data: Uint8Array, fmt: number, rate: number, volume: number): void {
    const last = card.played[card.played.length - 1];
    if (last && last.data === data && last.fmt === fmt && last.rate === rate && last.volume === volume) last.times++;
    else card.played.push({ atUs: this.k.now, data, fmt, rate, volume, times: 1 });
  }

  /** Play a period from host memory (throws a MachineFault for a DMA to unmapped memory). */
  play(card: SoundDevice, addr: number, len: number, fmt: number, rate: number, volume: number): void {
    const data = this.periodData(addr, len);
    if (!card.muted) this.heard(card, data, fmt, rate, volume);
  }

  /** Play bytes a DMA engine already fetched from `addr`. */
  playFetched(card: SoundDevice, addr: number, bytes: Uint8Array, fmt: number, rate: number, volume: number): void {
    const data = this.shared(addr, bytes);
    if (!card.muted) this.heard(card, data, fmt, rate, volume);
  }
}
