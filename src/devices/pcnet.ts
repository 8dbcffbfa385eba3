// An AMD PCnet-like NIC (the chip behind Linux's pcnet32). Unlike the e1000 model its
// registers are reached indirectly (RAP selects a CSR or BCR, RDP/BDP move the data), it
// learns its configuration by DMA from an init block in host memory (mode, MAC, logical
// address filter, ring addresses and log2 ring lengths), and descriptors are handed back and
// forth with an OWN bit instead of head/tail registers. Byte counts are stored negated.
import type { Kernel } from '../kernel/kernel.js';
import { DMA } from '../sim/memory.js';
import { MachineFault } from '../sim/faults.js';
import { Wire, WirePort } from './wire.js';
import { LinkUpTimer, resetToLinkUpUs } from './link-timer.js';
import { IrqThrottle } from './irq-throttle.js';
import type { DeviceModel, DeviceSnapshot } from './device-model.js';
import { Mac, frameDst, isMulticast, macEq, BROADCAST } from '../net/eth.js';
import { mtaBit } from './nic.js';

export const PORT = { RDP: 0, RAP: 1, RESET: 2, BDP: 3, APROM: 4 /* 6 bytes, ports 4..9 */ } as const;
export const CSR0_INIT = 0x1, CSR0_STRT = 0x2, CSR0_STOP = 0x4, CSR0_TDMD = 0x8, CSR0_TXON = 0x10, CSR0_RXON = 0x20;
export const CSR0_IENA = 0x40, CSR0_INTR = 0x80, CSR0_IDON = 0x100, CSR0_TINT = 0x200, CSR0_RINT = 0x400, CSR0_MISS = 0x1000;
const CSR0_ACK_BITS = CSR0_IDON | CSR0_TINT | CSR0_RINT | CSR0_MISS;
export const BCR4_LNKST = 0x8000;
export const MODE_PROM = 0x8000;
/** Init block layout (32-bit words). */
export const IB = { MODE: 0, PADR_LO: 4, PADR_HI: 8, LADRF0: 12, LADRF1: 16, RDRA: 20, TDRA: 24, BYTES: 28 } as const;
/** Descriptor layout: buffer address, flags|negated byte count, message byte count, unused. */
export const DESC = { ADDR: 0, FLAGS: 4, MCNT: 8, BYTES: 16 } as const;
export const OWN = 0x80000000, ERR = 0x40000000, STP = 0x02000000, ENP = 0x01000000;
export const BUFFER_BYTES = 1536;

/** Logical-address-filter bit for a multicast address (64-bit filter). */
export const ladrfBit = (m: Mac): number => mtaBit(m) & 63;

export class PcnetDevice implements DeviceModel {
  private rap = 0;
  private csr0 = CSR0_STOP;
  private readonly csr = new Uint32Array(128);
  private link = false;
  private epoch = 0;
  // What the chip loaded from the init block.
  private mode = 0;
  private padr: Mac = { lo: 0, hi: 0 };
  private ladrf = [0, 0];
  private rdra = 0; private tdra = 0; private rlen = 0; private tlen = 0;
  private rxIdx = 0; private txIdx = 0;
  private txBusy = false;
  dmaErrors = 0;
  /** Where this NIC is plugged in (live, or a mirror port for a standby). */
  readonly port: WirePort;

  constructor(private readonly k: Kernel, readonly name: string, wire: Wire, private readonly side: 0 | 1,
    readonly irqLine: number, private readonly aprom: Mac) {
    this.port = wire.attach(side, (f) => this.receive(f));
    this.linkTimer = new LinkUpTimer(k.sched, () => { this.link = true; this.kickTx(); });
    this.irq = new IrqThrottle(k, irqLine, () => (this.csr0 & CSR0_ACK_BITS) !== 0 && (this.csr0 & CSR0_IENA) !== 0);
  }

  private readonly irq: IrqThrottle;

  readReg(port: number): number {
    switch (port) {
      case PORT.RDP: return this.rap === 0 ? this.csr0 : this.csr[this.rap & 127];
      case PORT.RAP: return this.rap;
      case PORT.RESET: this.reset(); return 0;
      case PORT.BDP: return this.rap === 4 ? (this.link ? BCR4_LNKST : 0) : 0;
      default: {
        const i = port - PORT.APROM;
        if (i < 0 || i > 5 || !Number.isInteger(i)) return 0xffffffff;
        const bytes = [this.aprom.lo & 255, (this.aprom.lo >>> 8) & 255, (this.aprom.lo >>> 16) & 255, this.aprom.lo >>> 24, this.aprom.hi & 255, this.aprom.hi >>> 8];
        return bytes[i];
      }
    }
  }

  writeReg(port: number, value: number): void {
    if (port === PORT.RAP) { this.rap = value & 127; return; }
    if (port !== PORT.RDP) return;
    if (this.rap !== 0) { this.csr[this.rap & 127] = value; return; }
    this.writeCsr0(value);
  }

  private writeCsr0(v: number): void {
    const enabling = (v & CSR0_IENA) !== 0 && (this.csr0 & CSR0_IENA) === 0;
    this.csr0 &= ~(v & CSR0_ACK_BITS); // write-one-to-clear status bits
    this.csr0 = (this.csr0 & ~CSR0_IENA) | (v & CSR0_IENA);
    if (v & CSR0_STOP) { this.csr0 = CSR0_STOP; this.txBusy = false; return; }
    if (v & CSR0_INIT) this.init();
    if (v & CSR0_STRT) { this.csr0 = (this.csr0 & ~CSR0_STOP) | CSR0_STRT | CSR0_TXON | CSR0_RXON; this.kickTx(); }
    if (v & CSR0_TDMD) this.kickTx();
    // The line is level-triggered: still-pending causes after an acknowledge fire again.
    this.updateIrq(enabling || (v & CSR0_ACK_BITS) !== 0);
  }

  private reset(): void {
    this.csr0 = CSR0_STOP;
    this.csr.fill(0);
    this.link = false;
    this.txBusy = false;
    ++this.epoch;
    this.irq.cancel();
    this.k.log('nic', `${this.name} reset`);
    this.linkTimer.start(resetToLinkUpUs(this.k));
  }

  private readonly linkTimer: LinkUpTimer;

  /** Until the link is up after a reset (0 when none is pending). */
  readyInUs(): number { return this.linkTimer.remainingUs() ?? 0; }

  quiesce(): void { this.csr0 = CSR0_STOP; this.txBusy = false; this.epoch++; this.linkTimer.cancel(); this.irq.cancel(); }

  snapshot(): DeviceSnapshot {
    const state = {
      rap: this.rap, csr0: this.csr0, csr: Uint32Array.from(this.csr), link: this.link, mode: this.mode,
      padr: { ...this.padr }, ladrf: [...this.ladrf], rdra: this.rdra, tdra: this.tdra, rlen: this.rlen, tlen: this.tlen,
      rxIdx: this.rxIdx, txIdx: this.txIdx,
      linkUpInUs: this.linkTimer.remainingUs(),
    };
    return { bytes: this.csr.byteLength + 64, state };
  }

  /** Chip state back as it was; a transmission in flight restarts from the restored index. */
  restore(snap: DeviceSnapshot): void {
    const v = snap.state as { rap: number; csr0: number; csr: Uint32Array; link: boolean; mode: number; padr: Mac; ladrf: number[];
      rdra: number; tdra: number; rlen: number; tlen: number; rxIdx: number; txIdx: number; linkUpInUs: number | null };
    this.rap = v.rap; this.csr0 = v.csr0; this.csr.set(v.csr); this.link = v.link; this.mode = v.mode;
    this.padr = { ...v.padr }; this.ladrf = [...v.ladrf]; this.rdra = v.rdra; this.tdra = v.tdra; this.rlen = v.rlen; this.tlen = v.tlen;
    this.rxIdx = v.rxIdx; this.txIdx = v.txIdx;
    this.txBusy = false;
    this.epoch++;
    this.linkTimer.restore(v.linkUpInUs);
    this.updateIrq(true);
    this.kickTx();
  }

  /** Read the init block by DMA. */
  private init(): void {
    const base = (this.csr[1] & 0xffff) | ((this.csr[2] & 0xffff) << 16);
    try {
      const m = this.k.mem;
      const mode = m.read32(base + IB.MODE);
      this.mode = mode & 0xffff;
      this.rlen = 1 << ((mode >>> 20) & 0xf);
      this.tlen = 1 << ((mode >>> 28) & 0xf);
      this.padr = { lo: m.read32(base + IB.PADR_LO), hi: m.read32(base + IB.PADR_HI) & 0xffff };
      this.ladrf = [m.read32(base + IB.LADRF0), m.read32(base + IB.LADRF1)];
      this.rdra = m.read32(base + IB.RDRA);
      this.tdra = m.read32(base + IB.TDRA);
      this.rxIdx = 0; this.txIdx = 0;
      this.cause(CSR0_IDON);
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      this.dmaErrors++;
      this.k.log('nic', `${this.name} init block DMA error: ${e.message}`);
    }
  }

  private updateIrq(raise: boolean): void {
    const pending = (this.csr0 & CSR0_ACK_BITS) !== 0;
    this.csr0 = pending ? this.csr0 | CSR0_INTR : this.csr0 & ~CSR0_INTR;
    if (raise && pending && (this.csr0 & CSR0_IENA)) this.irq.raise();
  }

  private cause(bit: number): void {
    const was = (this.csr0 & CSR0_ACK_BITS) !== 0;
    this.csr0 |= bit;
    this.updateIrq(!was);
  }

  private kickTx(): void {
    if (this.txBusy || !(this.csr0 & CSR0_TXON) || !this.link || this.tlen === 0) return;
    const desc = this.tdra + this.txIdx * DESC.BYTES;
    let frame: Uint8Array;
    try {
      const flags = this.k.mem.read32(desc + DESC.FLAGS);
      if (!(flags & OWN)) return; // nothing handed to the chip
      const len = (-(flags | 0xffff0000)) & 0xffff; // negated byte count in the low 16 bits
      frame = len >= 14 && len <= BUFFER_BYTES ? this.k.mem.readBytes(this.k.mem.read32(desc + DESC.ADDR), len) : new Uint8Array(0);
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      this.dmaErrors++;
      this.csr0 &= ~CSR0_TXON; // a bus error stops the transmitter
      this.k.log('nic', `${this.name} tx DMA error: ${e.message}`);
      return;
    }
    this.txBusy = true;
    const epoch = this.epoch;
    const done = frame.length > 0 ? this.port.send(frame) : this.k.now + 1;
    this.k.sched.schedule(done - this.k.now, 'nic-tx-done', () => {
      if (epoch !== this.epoch) return;
      this.txBusy = false;
      try {
        const flags = this.k.mem.read32(desc + DESC.FLAGS);
        this.k.mem.write32(desc + DESC.FLAGS, (flags & ~OWN) | (frame.length ? 0 : ERR), DMA);
      } catch (e) { if (!(e instanceof MachineFault)) throw e; this.dmaErrors++; return; }
      this.txIdx = (this.txIdx + 1) % this.tlen;
      this.cause(CSR0_TINT);
      this.kickTx();
    });
  }

  private accepts(dst: Mac): boolean {
    if (this.mode & MODE_PROM) return true;
    if (macEq(dst, BROADCAST) || macEq(dst, this.padr)) return true;
    if (!isMulticast(dst)) return false;
    const bit = ladrfBit(dst);
    return (this.ladrf[bit >>> 5] & (1 << (bit & 31))) !== 0;
  }

  private receive(frame: Uint8Array): void {
    if (!(this.csr0 & CSR0_RXON) || !this.link || this.rlen === 0 || !this.accepts(frameDst(frame))) return;
    const desc = this.rdra + this.rxIdx * DESC.BYTES;
    try {
      const flags = this.k.mem.read32(desc + DESC.FLAGS);
      if (!(flags & OWN)) { this.cause(CSR0_MISS); return; } // the driver has not given it back yet
      const data = frame.subarray(0, BUFFER_BYTES);
      this.k.mem.writeBytes(this.k.mem.read32(desc + DESC.ADDR), data, DMA);
      this.k.mem.write32(desc + DESC.MCNT, data.length, DMA);
      this.k.mem.write32(desc + DESC.FLAGS, (flags & ~OWN) | STP | ENP, DMA);
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      this.dmaErrors++;
      this.k.log('nic', `${this.name} rx DMA error: ${e.message}`);
      return;
    }
    this.rxIdx = (this.rxIdx + 1) % this.rlen;
    this.cause(CSR0_RINT);
  }
}
