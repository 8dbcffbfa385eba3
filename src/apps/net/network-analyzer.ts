// ethereal-like: put the interface in promiscuous mode and capture traffic between two other
// hosts. It checks that it kept seeing that traffic (no capture hole longer than the
// tolerance) and that what it captured is what was on the wire.
import { sum32 } from '../../sim/memory.js';
import { ETHERTYPE_MONITOR, otherHostMac, frameType, framePayload } from '../../net/eth.js';
import { AppModule, App, NetAppContext, fillBytes, AppVerdict, netContext } from '../types.js';
import { bytesToOverwrite, viewOf } from '../../sim/slab.js';

const DURATION_US = 3_000_000;
const INTERVAL_US = 5000;          // 200 frames/s between two other hosts
const PAYLOAD_BYTES = 256;

class NetworkAnalyzer implements App {
  private readonly sentAt: number[] = [];
  private readonly captured = new Set<number>();
  private corrupted = 0;
  private setupError = 0;

  constructor(private readonly c: NetAppContext) {}

  start(): void {
    const c = this.c;
    c.netdev.addTap((f) => this.capture(f));
    this.setupError = c.netdev.setPromiscuous(true);
    if (this.setupError !== 0) { c.k.log('app', `network-analyzer: cannot enter promiscuous mode (${this.setupError})`); c.finish(); return; }
    const seed = c.rng.int(0x7fffffff);
    const total = DURATION_US / INTERVAL_US;
    const sendOne = (i: number): void => {
      const p = fillBytes(bytesToOverwrite(PAYLOAD_BYTES), seed + i);
      viewOf(p).setUint32(0, i, true);
      viewOf(p).setUint32(4, sum32(p.subarray(8)), true);
      this.sentAt.push(c.k.now);
      c.peer.send(otherHostMac(2), ETHERTYPE_MONITOR, p, otherHostMac(1));
      if (i + 1 < total) c.k.sched.schedule(INTERVAL_US, 'monitor-traffic', () => sendOne(i + 1));
      else c.k.sched.schedule(100_000, 'app-end', () => c.finish());
    };
    sendOne(0);
  }

  private capture(frame: Uint8Array): void {
    if (frameType(frame) !== ETHERTYPE_MONITOR) return;
    const p = framePayload(frame);
    const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    if (p.length !== PAYLOAD_BYTES || v.getUint32(4, true) !== sum32(p.subarray(8))) { this.corrupted++; return; }
    this.captured.add(v.getUint32(0, true));
  }

  /** Longest stretch of wire time whose frames the analyzer never saw. */
  private longestHoleUs(): number {
    let longest = 0, holeStart = -1;
    for (let i = 0; i < this.sentAt.length; i++) {
      if (!this.captured.has(i)) { if (holeStart < 0) holeStart = this.sentAt[i]; longest = Math.max(longest, this.sentAt[i] - holeStart + INTERVAL_US); }
      else holeStart = -1;
    }
    return longest;
  }

  verdict(): AppVerdict {
    if (this.setupError !== 0) return { outcome: 'app-failed', reason: `could not enable promiscuous mode (error ${this.setupError})` };
    if (this.corrupted > 0) return { outcome: 'malfunction', reason: `${this.corrupted} captured frames differ from the wire` };
    const hole = this.longestHoleUs();
    if (hole > this.c.k.params.oracleAnalyzerHoleUs) return { outcome: 'malfunction', reason: `stopped seeing traffic for ${(hole / 1e6).toFixed(2)} s` };
    return { outcome: 'correct', reason: `captured ${this.captured.size}/${this.sentAt.length} frames; longest hole ${(hole / 1000).toFixed(0)} ms` };
  }

  metrics(): Record<string, number> {
    return { framesOnWire: this.sentAt.length, framesCaptured: this.captured.size, longestHoleUs: this.longestHoleUs() };
  }
}

export const networkAnalyzer: AppModule = {
  id: 'network-analyzer', driverClass: 'network',
  description: 'network analyzer (ethereal): sniff traffic between other hosts in promiscuous mode',
  create: (c) => new NetworkAnalyzer(netContext(c)),
};
