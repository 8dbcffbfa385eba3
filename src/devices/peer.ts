// The remote host at the other end of the wire: an ideal machine (its NIC never fails) that
// runs the other half of each application and sends the traffic a sniffer should see.
import type { Kernel } from '../kernel/kernel.js';
import { Wire } from './wire.js';
import { Mac, PEER_MAC, BROADCAST, buildFrame, frameDst, frameType, framePayload, macEq } from '../net/eth.js';

export class PeerHost {
  private readonly handlers = new Map<number, (payload: Uint8Array, frame: Uint8Array) => void>();
  readonly mac: Mac = PEER_MAC;

  constructor(readonly k: Kernel, private readonly wire: Wire, private readonly side: 0 | 1) {
    wire.attach(side, (f) => this.receive(f));
  }

  on(ethertype: number, handler: (payload: Uint8Array, frame: Uint8Array) => void): void { this.handlers.set(ethertype, handler); }

  send(dst: Mac, ethertype: number, payload: Uint8Array, src: Mac = this.mac): void {
    this.wire.send(this.side, buildFrame(dst, src, ethertype, payload));
  }

  private receive(frame: Uint8Array): void {
    const dst = frameDst(frame);
    if (!macEq(dst, this.mac) && !macEq(dst, BROADCAST)) return;
    this.handlers.get(frameType(frame))?.(framePayload(frame), frame);
  }
}
