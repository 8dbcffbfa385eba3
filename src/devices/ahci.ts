// An AHCI-like SATA host adapter with one port and its drive. The driver builds commands in host
// memory: a command list of up to 32 slots (32-byte headers), each pointing to a command table
// that holds the command FIS (a Register H2D FIS: ATA command, LBA, count, NCQ tag) and a PRD
// table (the buffer). It issues commands by setting bits in PxCI (and PxSACT for native command
// queueing, READ/WRITE FPDMA QUEUED); the HBA fetches each command when it is issued. The drive
// serves queued commands one at a time, nearest LBA first (NCQ reordering), but never reorders
// commands whose sectors overlap. A queued command completes by clearing its PxSACT bit and
// posting a Set Device Bits FIS; a non-queued one (FLUSH CACHE) by clearing its PxCI bit and
// posting a D2H FIS. PxIS/IS record why the HBA interrupts (write 1 to clear). Clearing
// PxCMD.ST aborts every command. The medium (platter and write cache) is the drive's persistent
// state. Simplification: a failed command is reported per slot in a vendor register (PxERR_SLOTS)
// instead of the READ LOG EXT page a driver would read, and the other commands go on.
import type { Kernel } from '../kernel/kernel.js';
import { DMA } from '../sim/memory.js';
import { MachineFault } from '../sim/faults.js';
import type { DeviceSnapshot } from './device-model.js';
import { Medium, SECTOR, type BlockDevice } from './medium.js';

export const AREG = { CAP: 0, GHC: 1, IS: 2, CAPACITY: 3, P_CLB: 4, P_FB: 5, P_IS: 6, P_IE: 7, P_CMD: 8, P_TFD: 9, P_SACT: 10, P_CI: 11, P_ERR_SLOTS: 12 } as const;
const NAREGS = 13;
export const CAP_SNCQ = 1 << 30;
export const GHC_HR = 0x1, GHC_IE = 0x2;
export const PCMD_ST = 0x1, PCMD_FRE = 0x10, PCMD_CR = 0x8000;
export const PIS_DHRS = 0x1, PIS_SDBS = 0x8, PIS_TFES = 1 << 30;
export const ATA = { READ_FPDMA: 0x60, WRITE_FPDMA: 0x61, FLUSH: 0xe7, READ_DMA_EXT: 0x25, WRITE_DMA_EXT: 0x35 } as const;
export const FIS_H2D = 0x27, FIS_D2H = 0x34, FIS_SDB = 0xa1;
/** Command header: DW0 = CFL | W<<6 | PRDTL<<16, DW1 = bytes transferred, DW2 = table address. */
export const HDR_BYTES = 32, HDR_WRITE = 1 << 6;
/** Command table: the FIS at 0, the PRD table at 0x80 (16 bytes an entry: address, 0, 0, bytes-1 | I). */
export const TABLE_PRDT = 0x80;
/** Received-FIS area: D2H FIS at 0x40, Set Device Bits FIS at 0x58. */
export const FB_D2H = 0x40, FB_SDB = 0x58;
const TFD_DRDY = 0x40, TFD_ERR = 0x01;

interface Command { slot: number; ncq: boolean; cmd: number; lba: number; count: number; addr: number; ok: boolean; seq: number }

export class AhciDisk implements BlockDevice {
  private regs = new Uint32Array(NAREGS);
  readonly medium = new Medium();
  private queue: Command[] = [];
  private serving: Command | null = null;
  private epoch = 0;
  private seq = 0;
  private head = 0;
  dmaErrors = 0;
  commands = 0;
  /** Most commands in the drive at once (issued and not complete). */
  maxQueued = 0;

  constructor(private readonly k: Kernel, readonly name: string, readonly irqLine: number, readonly capacitySectors: number, readonly slots: number) {
    this.reset();
  }

  private reset(): void {
    this.regs.fill(0);
    this.regs[AREG.CAP] = (((this.slots - 1) & 0x1f) << 8) | CAP_SNCQ;
    this.regs[AREG.CAPACITY] = this.capacitySectors;
    this.regs[AREG.P_TFD] = TFD_DRDY;
    this.abort();
  }

  private abort(): void { this.queue = []; this.serving = null; this.epoch++; }

  readReg(reg: number): number {
    if (!Number.isInteger(reg) || reg < 0 || reg >= NAREGS) return 0xffffffff;
    return this.regs[reg];
  }

  writeReg(reg: number, value: number): void {
    if (!Number.isInteger(reg) || reg < 0 || reg >= NAREGS) return;
    const r = this.regs, v = value >>> 0;
    switch (reg) {
      case AREG.GHC:
        if (v & GHC_HR) { this.reset(); this.k.log('disk', `${this.name} HBA reset`); return; }
        r[AREG.GHC] = v & GHC_IE;
        return;
      case AREG.IS: case AREG.P_IS: case AREG.P_ERR_SLOTS: r[reg] &= ~v; return; // write 1 to clear
      case AREG.P_CMD: {
        const was = r[AREG.P_CMD];
        r[AREG.P_CMD] = (v & (PCMD_ST | PCMD_FRE)) | (v & PCMD_ST ? PCMD_CR : 0);
        if ((was & PCMD_ST) && !(v & PCMD_ST)) { r[AREG.P_CI] = 0; r[AREG.P_SACT] = 0; this.abort(); }
        return;
      }
      case AREG.P_SACT: if (r[AREG.P_CMD] & PCMD_ST) r[AREG.P_SACT] |= v; return;
      case AREG.P_CI: this.issue(v & ~r[AREG.P_CI]); return;
      case AREG.CAP: case AREG.CAPACITY: case AREG.P_TFD: return;
      default: r[reg] = v;
    }
  }

  quiesce(): void { this.regs[AREG.GHC] = 0; this.regs[AREG.P_IE] = 0; this.regs[AREG.P_CI] = 0; this.regs[AREG.P_SACT] = 0; this.abort(); }

  /** The HBA fetches each newly issued command from host memory. */
  private issue(bits: number): void {
    const r = this.regs;
    if (!(r[AREG.P_CMD] & PCMD_ST) || bits === 0) return;
    for (let slot = 0; slot < this.slots; slot++) {
      if (!(bits & (1 << slot))) continue;
      const c = this.fetch(slot);
      if (c.ncq) r[AREG.P_CI] &= ~(1 << slot); // a queued command is accepted at once
      else r[AREG.P_CI] |= 1 << slot;
      this.queue.push(c);
    }
    this.maxQueued = Math.max(this.maxQueued, this.queue.length + (this.serving ? 1 : 0));
    this.serve();
  }

  private fetch(slot: number): Command {
    const m = this.k.mem, r = this.regs;
    const c: Command = { slot, ncq: false, cmd: 0, lba: 0, count: 0, addr: 0, ok: false, seq: this.seq++ };
    try {
      const hdr = r[AREG.P_CLB] + slot * HDR_BYTES;
      const dw0 = m.read32(hdr), table = m.read32(hdr + 8);
      const fis = m.readBytes(table, 20);
      c.cmd = fis[2];
      c.lba = fis[4] | (fis[5] << 8) | (fis[6] << 16) | (fis[8] << 24);
      c.ncq = c.cmd === ATA.READ_FPDMA || c.cmd === ATA.WRITE_FPDMA;
      c.count = c.ncq ? fis[3] | (fis[11] << 8) : fis[12] | (fis[13] << 8);
      const write = c.cmd === ATA.WRITE_FPDMA || c.cmd === ATA.WRITE_DMA_EXT;
      if (c.cmd === ATA.FLUSH) { c.ok = fis[0] === FIS_H2D && !(r[AREG.P_SACT]); return c; }
      const prdtl = dw0 >>> 16;
      c.addr = m.read32(table + TABLE_PRDT);
      const bytes = (m.read32(table + TABLE_PRDT + 12) & 0x3fffff) + 1;
      c.ok = fis[0] === FIS_H2D && prdtl >= 1 && c.count >= 1 && bytes >= c.count * SECTOR && c.lba + c.count <= this.capacitySectors
        && ((dw0 & HDR_WRITE) !== 0) === write && (!c.ncq || (fis[12] >>> 3) === slot && (r[AREG.P_SACT] & (1 << slot)) !== 0)
        && (c.ncq || c.cmd === ATA.READ_DMA_EXT || c.cmd === ATA.WRITE_DMA_EXT);
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      this.dmaErrors++;
      this.k.log('disk', `${this.name} command fetch from slot ${slot} failed: ${e.message}`);
    }
    return c;
  }

  /** The next command: nearest LBA to the head, but never ahead of an earlier one it overlaps. */
  private next(): Command | null {
    let best: Command | null = null;
    for (const c of this.queue) {
      const blocked = this.queue.some((o) => o.seq < c.seq && (!c.ncq || !o.ncq || (o.lba < c.lba + c.count && c.lba < o.lba + o.count)));
      if (blocked) continue;
      if (!best || Math.abs(c.lba - this.head) < Math.abs(best.lba - this.head)) best = c;
    }
    return best;
  }

  private serve(): void {
    if (this.serving) return;
    const c = this.next();
    if (!c) return;
    this.queue.splice(this.queue.indexOf(c), 1);
    this.serving = c;
    this.commands++;
    const p = this.k.params;
    const us = c.cmd === ATA.FLUSH ? p.diskFlushUs : p.diskAccessUs + Math.ceil((c.count * SECTOR) / p.diskMBps);
    const epoch = this.epoch;
    this.k.sched.schedule(us, 'ahci-done', () => {
      if (epoch !== this.epoch) return;
      this.serving = null;
      this.complete(c, c.ok && this.transfer(c));
      this.serve();
    });
  }

  private transfer(c: Command): boolean {
    try {
      if (c.cmd === ATA.FLUSH) { this.medium.flush(); return true; }
      const write = c.cmd === ATA.WRITE_FPDMA || c.cmd === ATA.WRITE_DMA_EXT;
      for (let i = 0; i < c.count; i++) {
        if (write) this.medium.write(c.lba + i, this.k.mem.readBytes(c.addr + i * SECTOR, SECTOR), true);
        else this.k.mem.writeBytes(c.addr + i * SECTOR, this.medium.sector(c.lba + i), DMA);
      }
      this.head = c.lba + c.count;
      return true;
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      this.dmaErrors++;
      this.k.log('disk', `${this.name} DMA error: ${e.message}`);
      return false;
    }
  }

  /** Post the completion: status FIS, the slot's bit, the interrupt status. */
  private complete(c: Command, ok: boolean): void {
    const r = this.regs, bit = 1 << c.slot;
    r[AREG.P_TFD] = ok ? TFD_DRDY : TFD_DRDY | TFD_ERR;
    if (!ok) { r[AREG.P_ERR_SLOTS] |= bit; r[AREG.P_IS] |= PIS_TFES; }
    try {
      if (ok) this.k.mem.write32(r[AREG.P_CLB] + c.slot * HDR_BYTES + 4, c.count * SECTOR, DMA); // bytes transferred
      if (r[AREG.P_CMD] & PCMD_FRE) {
        if (c.ncq) { this.k.mem.write32(r[AREG.P_FB] + FB_SDB, FIS_SDB | (r[AREG.P_TFD] << 16), DMA); this.k.mem.write32(r[AREG.P_FB] + FB_SDB + 4, bit, DMA); }
        else this.k.mem.write32(r[AREG.P_FB] + FB_D2H, FIS_D2H | (r[AREG.P_TFD] << 16), DMA);
      }
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      this.dmaErrors++;
    }
    if (c.ncq) { r[AREG.P_SACT] &= ~bit; r[AREG.P_IS] |= PIS_SDBS; } else { r[AREG.P_CI] &= ~bit; r[AREG.P_IS] |= PIS_DHRS; }
    if (!(r[AREG.P_IS] & r[AREG.P_IE])) return;
    const before = r[AREG.IS];
    r[AREG.IS] |= 1;
    if (!before && (r[AREG.GHC] & GHC_IE)) this.k.raiseIrq(this.irqLine);
  }

  /** Registers and the commands in the drive; the medium is persistent and not part of it. */
  snapshot(): DeviceSnapshot {
    const cmds = [...(this.serving ? [this.serving] : []), ...this.queue].map((c) => ({ ...c }));
    return { bytes: this.regs.byteLength + cmds.length * 28, state: { regs: Uint32Array.from(this.regs), cmds, head: this.head } };
  }

  /** Back to a snapshot: its commands are executed again (reads and writes are idempotent). */
  restore(snap: DeviceSnapshot): void {
    const s = snap.state as { regs: Uint32Array; cmds: Command[]; head: number };
    this.abort();
    this.regs.set(s.regs);
    this.head = s.head;
    this.queue = s.cmds.map((c) => ({ ...c }));
    this.serve();
  }
}
