// A full-duplex Ethernet link between two endpoints: frames are serialized at the link rate
// in each direction and arrive after the propagation delay. A side may also have mirror
// ports (a switch's port mirroring): they receive every frame that arrives at that side, and
// what they send is dropped. Replication puts its standby NIC on one; failover promotes it.
import { Scheduler } from '../sim/scheduler.js';

export type Receiver = (frame: Uint8Array) => void;

/** One device's attachment to a side of the wire. */
export interface WirePort {
  readonly side: 0 | 1;
  /** The live port's frames reach the other side; a mirror port's are dropped. */
  readonly live: boolean;
  /** Put a frame on the wire; returns the virtual time its transmission ends. */
  send(frame: Uint8Array): number;
}

class Port implements WirePort {
  live: boolean;
  busyUntil = 0;
  constructor(readonly wire: Wire, readonly side: 0 | 1, readonly receiver: Receiver, live: boolean) { this.live = live; }
  send(frame: Uint8Array): number { return this.wire.sendFrom(this, frame); }
}

export class Wire {
  private readonly ports: Port[][] = [[], []];
  /** Observers of every frame put on the wire, per sending side (the analyzer's ground truth). */
  readonly observers: Array<(frame: Uint8Array, atUs: number) => void> = [];
  framesSent = [0, 0];
  /** Frames a mirror port sent that the wire dropped. */
  mirrorFramesDropped = 0;

  constructor(private readonly sched: Scheduler, private readonly mbps: number, private readonly propagationUs: number) {}

  /** Attach a device to `side`: the first port of a side is live, later ones are mirrors. */
  attach(side: 0 | 1, receiver: Receiver): WirePort {
    const port = new Port(this, side, receiver, this.ports[side].every((p) => !p.live));
    this.ports[side].push(port);
    return port;
  }

  /** Make `port` the live port of its side; the one it replaces becomes a mirror. */
  promote(port: WirePort): void {
    for (const p of this.ports[port.side]) p.live = p === port;
  }

  txTimeUs(bytes: number): number { return Math.ceil(((bytes + 24) * 8) / this.mbps); } // + preamble, FCS, IFG

  /** Put a frame on the wire from the live port of `side`. */
  send(side: 0 | 1, frame: Uint8Array): number {
    const live = this.ports[side].find((p) => p.live);
    if (!live) throw new Error(`nothing is attached to side ${side} of the wire`);
    return this.sendFrom(live, frame);
  }

  sendFrom(port: Port, frame: Uint8Array): number {
    const start = Math.max(this.sched.now, port.busyUntil);
    const end = start + this.txTimeUs(frame.length);
    port.busyUntil = end;
    if (!port.live) { this.mirrorFramesDropped++; return end; }
    this.framesSent[port.side]++;
    const other = (1 - port.side) as 0 | 1;
    this.sched.schedule(end + this.propagationUs - this.sched.now, 'wire', () => {
      for (const o of this.observers) o(frame, this.sched.now);
      for (const p of this.ports[other]) p.receiver(frame);
    }, 4);
    return end;
  }
}
