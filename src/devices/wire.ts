// A full-duplex Ethernet link between two endpoints: frames are serialized at the link rate
// in each direction and arrive after the propagation delay.
import { Scheduler } from '../sim/scheduler.js';

export type Receiver = (frame: Uint8Array) => void;

export class Wire {
  private readonly busyUntil = [0, 0];
  private readonly receivers: Array<Receiver | null> = [null, null];
  /** Observers of every frame put on the wire, per sending side (the analyzer's ground truth). */
  readonly observers: Array<(frame: Uint8Array, atUs: number) => void> = [];
  framesSent = [0, 0];

  constructor(private readonly sched: Scheduler, private readonly mbps: number, private readonly propagationUs: number) {}

  attach(side: 0 | 1, receiver: Receiver): void { this.receivers[side] = receiver; }

  txTimeUs(bytes: number): number { return Math.ceil(((bytes + 24) * 8) / this.mbps); } // + preamble, FCS, IFG

  /** Put a frame on the wire from `side`; returns the virtual time its transmission ends. */
  send(side: 0 | 1, frame: Uint8Array): number {
    const start = Math.max(this.sched.now, this.busyUntil[side]);
    const end = start + this.txTimeUs(frame.length);
    this.busyUntil[side] = end;
    this.framesSent[side]++;
    const other = (1 - side) as 0 | 1;
    this.sched.schedule(end + this.propagationUs - this.sched.now, 'wire', () => {
      for (const o of this.observers) o(frame, this.sched.now);
      this.receivers[other]?.(frame);
    }, 4);
    return end;
  }
}
