// An IDE-like disk: one command at a time (read, write, flush, identify), an access time plus
// a transfer time, DMA to and from host memory, a volatile write cache, and an interrupt when a
// command completes. Sector contents live in the device (the platter): fail-stop persistent
// state that a driver failure does not touch.
import type { Kernel } from '../kernel/kernel.js';
import { DMA } from '../sim/memory.js';
import { MachineFault } from '../sim/faults.js';
import type { DeviceSnapshot } from './device-model.js';
import { Medium, SECTOR, type BlockDevice } from './medium.js';

export const DREG = { CMD: 0, LBA: 1, COUNT: 2, DMA: 3, STATUS: 4, IER: 5, ISR: 6, CAPACITY: 7, CACHE: 8 } as const;
const NDREGS = 9;
export const CMD_READ = 1, CMD_WRITE = 2, CMD_FLUSH = 3, CMD_RESET = 0x80;
export const ST_BSY = 0x80, ST_DRDY = 0x40, ST_ERR = 0x01;
export { SECTOR };
export const MAX_SECTORS_PER_CMD = 4;

export class Disk implements BlockDevice {
  private readonly regs = new Uint32Array(NDREGS);
  readonly medium = new Medium();
  private epoch = 0;
  dmaErrors = 0;
  commands = 0;

  constructor(private readonly k: Kernel, readonly name: string, readonly irqLine: number, readonly capacitySectors: number) {
    this.regs[DREG.STATUS] = ST_DRDY;
    this.regs[DREG.CAPACITY] = capacitySectors;
  }

  sector(n: number): Uint8Array { return this.medium.sector(n); }
  install(n: number, data: Uint8Array): void { this.medium.install(n, data); }

  readReg(reg: number): number {
    if (!Number.isInteger(reg) || reg < 0 || reg >= NDREGS) return 0xffffffff;
    const v = this.regs[reg];
    if (reg === DREG.ISR) this.regs[DREG.ISR] = 0;
    return v;
  }

  writeReg(reg: number, value: number): void {
    if (!Number.isInteger(reg) || reg < 0 || reg >= NDREGS || reg === DREG.STATUS || reg === DREG.CAPACITY) return;
    if (reg === DREG.CMD) { this.command(value); return; }
    this.regs[reg] = value;
  }

  quiesce(): void { this.regs[DREG.IER] = 0; this.regs[DREG.STATUS] = ST_DRDY; this.epoch++; this.inFlight = 0; }

  /** When the drive is ready again after a reset. */
  private readyAtUs = 0;
  readyInUs(): number { return Math.max(0, this.readyAtUs - this.k.now); }

  /** The command being executed (0 if idle): a restore issues it again. */
  private inFlight = 0;

  /** Registers and the command in flight; the platter and cache are the disk's persistent
   *  state and are not part of a driver checkpoint. */
  snapshot(): DeviceSnapshot {
    return { bytes: this.regs.byteLength + 4, state: { regs: Uint32Array.from(this.regs), inFlight: this.inFlight } };
  }

  restore(snap: DeviceSnapshot): void {
    const s = snap.state as { regs: Uint32Array; inFlight: number };
    this.epoch++;
    this.regs.set(s.regs);
    this.regs[DREG.STATUS] = ST_DRDY;
    this.inFlight = 0;
    if (s.inFlight) this.command(s.inFlight); // re-executed: reads and writes are idempotent
  }

  private command(cmd: number): void {
    if (cmd === CMD_RESET) {
      // A soft reset aborts the command in progress; the write cache survives (the drive keeps it).
      this.epoch++;
      this.inFlight = 0;
      this.regs[DREG.STATUS] = ST_DRDY; this.regs[DREG.ISR] = 0; this.regs[DREG.IER] = 0;
      // Diagnostics, then a recalibrating seek and the rotation to the sector: a command
      // written meanwhile is latched and starts when the drive is ready.
      const rng = this.k.rng.get('env/disk'), p = this.k.params;
      this.readyAtUs = this.k.now + p.diskResetUs + rng.int(p.diskSeekMaxUs + 1) + rng.int(p.diskRotationUs + 1);
      this.k.log('disk', `${this.name} reset`);
      return;
    }
    if (this.regs[DREG.STATUS] & ST_BSY) return; // busy: a command written now is lost
    const lba = this.regs[DREG.LBA], count = this.regs[DREG.COUNT], addr = this.regs[DREG.DMA];
    const p = this.k.params;
    const ok = cmd === CMD_FLUSH || (count >= 1 && count <= MAX_SECTORS_PER_CMD && lba + count <= this.capacitySectors && (cmd === CMD_READ || cmd === CMD_WRITE));
    const us = this.readyInUs() + (cmd === CMD_FLUSH ? p.diskFlushUs : p.diskAccessUs + Math.ceil((count * SECTOR) / p.diskMBps));
    this.regs[DREG.STATUS] = ST_BSY;
    this.commands++;
    this.inFlight = cmd;
    const epoch = this.epoch;
    this.k.sched.schedule(us, 'disk-done', () => {
      if (epoch !== this.epoch) return;
      this.inFlight = 0;
      this.regs[DREG.STATUS] = ok && this.transfer(cmd, lba, count, addr) ? ST_DRDY : ST_DRDY | ST_ERR;
      this.regs[DREG.ISR] |= 1;
      if (this.regs[DREG.IER] & 1) this.k.raiseIrq(this.irqLine);
    });
  }

  private transfer(cmd: number, lba: number, count: number, addr: number): boolean {
    try {
      if (cmd === CMD_FLUSH) { this.medium.flush(); return true; }
      for (let i = 0; i < count; i++) {
        if (cmd === CMD_READ) this.k.mem.writeBytes(addr + i * SECTOR, this.sector(lba + i), DMA);
        else {
          const data = this.k.mem.readBytes(addr + i * SECTOR, SECTOR);
          this.medium.write(lba + i, data, this.regs[DREG.CACHE] !== 0);
        }
      }
      return true;
    } catch (e) {
      if (!(e instanceof MachineFault)) throw e;
      this.dmaErrors++;
      this.k.log('disk', `${this.name} DMA error: ${e.message}`);
      return false;
    }
  }
}
