// An e1000-like NIC: registers, transmit and receive descriptor rings in host memory read and
// written by DMA, an address filter (unicast, multicast hash, promiscuous), interrupts on
// cause transitions, an EEPROM with the MAC, and a reset that takes the link down for a while.
import type { Kernel } from '../kernel/kernel.js';
import { DMA } from '../sim/memory.js';
import { MachineFault } from '../sim/faults.js';
import type { DeviceModel, DeviceSnapshot } from './device-model.js';
import { Wire, WirePort } from './wire.js';
import { LinkUpTimer, resetToLinkUpUs } from './link-timer.js';
import { IrqThrottle } from './irq-throttle.js';
import { Mac, frameDst, isMulticast, macEq, BROADCAST, ETH_HEADER, ETHERTYPE_STREAM, frameType } from '../net/eth.js';
import { offloadTxChecksum } from '../net/stream.js';

export const REG = {
  CTRL: 0, STATUS: 1, ICR: 2, IMS: 3, IMC: 4, RCTL: 5, TCTL: 6,
  TDBAL: 7, TDLEN: 8, TDH: 9, TDT: 10, RDBAL: 11, RDLEN: 12, RDH: 13, RDT: 14,
  RAL: 15, RAH: 16, MTA: 17 /* 8 words */, EERD: 25, GPRC: 26, GPTC: 27, MPC: 28,
} as const;
export const NREGS = 29;
export const CTRL_RST = 1 << 26;
export const STATUS_LU = 0x2;
export const ICR_TXDW = 0x1, ICR_LSC = 0x4, ICR_RXO = 0x40, ICR_RXT0 = 0x80;
export const RCTL_EN = 0x2, RCTL_UPE = 0x8, RCTL_MPE = 0x10;
export const TCTL_EN = 0x2;
export const RAH_AV = 0x80000000;
export const DESC_BYTES = 16;
export const DD = 0x1, EOP = 0x2;
export const RX_BUFFER_BYTES = 2048;
export const EERD_START = 0x1, EERD_DONE = 0x10;
const DESC_FETCH_US = 1;

/** Multicast hash as e1000 computes it (12 bits of the address; 8 words x 32 bits here). */
export function mtaBit(m: Mac): number { return ((m.hi >>> 4) ^ (m.lo >>> 24)) & 0xff; }

export class NicDevice implements DeviceModel {
  private readonly regs = new Uint32Array(NREGS);
  private txBusy = false;
  private resetEpoch = 0;
  dmaErrors = 0;
  /** Where this NIC is plugged in (live, or a mirror port for a standby). */
  readonly port: WirePort;

  constructor(
    private readonly k: Kernel,
    readonly name: string,
    wire: Wire,
    side: 0 | 1,
    readonly irqLine: number,
    private readonly eepromMac: Mac,
  ) {
    this.port = wire.attach(side, (f) => this.receive(f));
    this.irq = new IrqThrottle(k, irqLine, () => (this.regs[REG.ICR] & this.regs[REG.IMS]) !== 0);
    this.linkTimer = new LinkUpTimer(k.sched, () => {
      this.regs[REG.STATUS] |= STATUS_LU;
      this.cause(ICR_LSC);
      this.kickTx(); // descriptors queued while the link was down go out now
    });
  }

  readReg(reg: number): number {
    if (!Number.isInteger(reg) || reg < 0 || reg >= NREGS) return 0xffffffff; // unclaimed MMIO reads all ones
    const v = this.regs[reg];
    if (reg === REG.ICR || reg === REG.GPRC || reg === REG.GPTC || reg === REG.MPC) this.regs[reg] = 0; // clear on read
    return v;
  }

  writeReg(reg: number, value: number): void {
    if (!Number.isInteger(reg) || reg < 0 || reg >= NREGS) return;
    switch (reg) {
      case REG.CTRL: if (value & CTRL_RST) this.reset(); else this.regs[reg] = value; return;
      case REG.ICR: this.regs[REG.ICR] &= ~value; return;
      case REG.IMS: this.regs[REG.IMS] |= value; if (this.regs[REG.ICR] & value) this.irq.raise(); return;
      case REG.IMC: this.regs[REG.IMS] &= ~value; return;
      case REG.EERD: this.regs[REG.EERD] = (value & EERD_START) ? ((this.eeprom((value >>> 8) & 0xff) << 16) | EERD_DONE) : 0; return;
      case REG.TDT: this.regs[reg] = value; this.kickTx(); return;
      case REG.STATUS: return; // read-only
      default: this.regs[reg] = value;
    }
  }

  private eeprom(word: number): number {
    const m = this.eepromMac;
    return [m.lo & 0xffff, m.lo >>> 16, m.hi & 0xffff][word] ?? 0xffff;
  }

  private reset(): void {
    this.regs.fill(0);
    this.txBusy = false;
    ++this.resetEpoch;
    this.irq.cancel();
    this.k.log('nic', `${this.name} reset`);
    this.linkTimer.start(resetToLinkUpUs(this.k));
  }

  private readonly linkTimer: LinkUpTimer;
  private readonly irq: IrqThrottle;

  /** Until the link is up after a reset (0 when none is pending). */
  readyInUs(): number { return this.linkTimer.remainingUs() ?? 0; }

  snapshot(): DeviceSnapshot {
    return { bytes: this.regs.byteLength + 8, state: { regs: Uint32Array.from(this.regs), linkUpInUs: this.linkTimer.remainingUs() } };
  }

  /** Registers back as they were; a transmission in flight restarts from the restored head. */
  restore(snap: DeviceSnapshot): void {
    const s = snap.state as { regs: Uint32Array; linkUpInUs: number | null };
    this.regs.set(s.regs);
    this.txBusy = false;
    this.resetEpoch++;
    this.linkTimer.restore(s.linkUpInUs);
    if (this.regs[REG.ICR] & this.regs[REG.IMS]) this.k.raiseIrq(this.irqLine);
    this.kickTx();
  }

  /** A ring programmed out of range: the engine stops (no descriptor is processed) until reset. */
  private engineError(which: 'tx' | 'rx', why: string): void {
    this.dmaErrors++;
    this.regs[which === 'tx' ? REG.TCTL : REG.RCTL] = 0;
    this.k.log('nic', `${this.name} ${which} engine stopped: ${why}`);
  }

  /** The kernel disabled the device (driver unloaded): no DMA, no interrupts, link down. */
  quiesce(): void {
    this.regs.fill(0);
    this.txBusy = false;
    this.resetEpoch++;
    this.irq.cancel();
    this.linkTimer.cancel();
  }

  private cause(bits: number): void {
    const before = this.regs[REG.ICR] & this.regs[REG.IMS];
    this.regs[REG.ICR] |= bits;
    if (!before && (bits & this.regs[REG.IMS])) this.irq.raise();
  }

  private get linkUp(): boolean { return (this.regs[REG.STATUS] & STATUS_LU) !== 0; }

  // ---- transmit: fetch descriptors by DMA, put frames on the wire ------------------------
  private kickTx(): void {
    if (this.txBusy || !(this.regs[REG.TCTL] & TCTL_EN) || !this.linkUp) return;
    const count = Math.floor(this.regs[REG.TDLEN] / DESC_BYTES);
    const head = this.regs[REG.TDH], tail = this.regs[REG.TDT];
    if (count === 0 || head === tail) return;
    if (head >= count || tail >= count) { this.engineError('tx', `head ${head} / tail ${tail} outside a ${count}-descriptor ring`); return; }
    const desc = this.regs[REG.TDBAL] + head * DESC_BYTES;
    let frame: Uint8Array;
    try {
      const addr = this.k.mem.read32(desc);
      const len = this.k.mem.read32(desc + 4);
      frame = len >= 14 && len <= 16288 ? this.k.mem.readBytes(addr, len) : new Uint8Array(0);
      // The stack leaves the transport checksum to this NIC (e1000 offloads it).
      if (this.k.params.txChecksumOffload) offloadTxChecksum(frame, ETH_HEADER, frame.length > ETH_HEADER && frameType(frame) === ETHERTYPE_STREAM);
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      this.dmaErrors++; // master abort: the transmit engine stops, as a real NIC hangs
      this.k.log('nic', `${this.name} tx DMA error: ${e.message}`);
      return;
    }
    this.txBusy = true;
    const epoch = this.resetEpoch;
    // An empty or invalid descriptor still costs a descriptor fetch.
    const done = frame.length > 0 ? this.port.send(frame) : this.k.now + DESC_FETCH_US;
    this.k.sched.schedule(done - this.k.now, 'nic-tx-done', () => {
      if (epoch !== this.resetEpoch) return;
      this.txBusy = false;
      try { this.k.mem.write32(desc + 12, DD, DMA); } catch (e) { if (!(e instanceof MachineFault)) throw e; this.dmaErrors++; return; }
      this.regs[REG.TDH] = (head + 1) % count;
      if (frame.length > 0) this.regs[REG.GPTC]++;
      this.cause(ICR_TXDW);
      this.kickTx();
    });
  }

  // ---- receive: filter, DMA into the next free buffer, interrupt ---------------------------
  private accepts(dst: Mac): boolean {
    const rctl = this.regs[REG.RCTL];
    if (rctl & RCTL_UPE) return true;
    if (macEq(dst, BROADCAST)) return true;
    if ((this.regs[REG.RAH] & RAH_AV) && dst.lo === this.regs[REG.RAL] && dst.hi === (this.regs[REG.RAH] & 0xffff)) return true;
    if (isMulticast(dst)) {
      if (rctl & RCTL_MPE) return true;
      const bit = mtaBit(dst);
      return (this.regs[REG.MTA + (bit >>> 5)] & (1 << (bit & 31))) !== 0;
    }
    return false;
  }

  private receive(frame: Uint8Array): void {
    if (!(this.regs[REG.RCTL] & RCTL_EN) || !this.linkUp) return;
    if (!this.accepts(frameDst(frame))) return;
    const count = Math.floor(this.regs[REG.RDLEN] / DESC_BYTES);
    const head = this.regs[REG.RDH];
    if (count > 0 && (head >= count || this.regs[REG.RDT] >= count)) { this.engineError('rx', `head ${head} / tail ${this.regs[REG.RDT]} outside a ${count}-descriptor ring`); return; }
    if (count === 0 || head === this.regs[REG.RDT]) { this.regs[REG.MPC]++; this.cause(ICR_RXO); return; }
    const desc = this.regs[REG.RDBAL] + head * DESC_BYTES;
    try {
      const buf = this.k.mem.read32(desc);
      this.k.mem.writeBytes(buf, frame.subarray(0, RX_BUFFER_BYTES), DMA);
      this.k.mem.write32(desc + 4, Math.min(frame.length, RX_BUFFER_BYTES), DMA);
      this.k.mem.write32(desc + 8, DD | EOP, DMA);
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      this.dmaErrors++;
      this.k.log('nic', `${this.name} rx DMA error: ${e.message}`);
      return;
    }
    this.regs[REG.RDH] = (head + 1) % count;
    this.regs[REG.GPRC]++;
    this.cause(ICR_RXT0);
  }
}
