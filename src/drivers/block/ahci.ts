// An AHCI-like SATA driver with native command queueing. It keeps a command list (one 32-byte
// header per slot), a received-FIS area and a command table per slot in its own domain; a
// request the kernel hands it takes a free slot, gets a Register H2D FIS (READ/WRITE FPDMA
// QUEUED with the slot as its tag) and a one-entry PRD table for its buffer, and is issued by
// setting its bit in PxSACT and PxCI: up to 32 requests are in the drive at once, and they end
// in the order the drive serves them. The interrupt handler compares what it issued with what
// PxCI|PxSACT still hold and ends the requests whose bits cleared. FLUSH CACHE is not queued:
// it waits until no command is in flight, and requests after it wait until it ends. The command
// timer restarts the port (PxCMD.ST off and on) and issues every outstanding slot again. Every
// access goes through a fault site; all state is in its private struct.
import type { ExecContext } from '../../sim/exec.js';
import type { BlockKernelApi } from '../../kernel/blockcore.js';
import { BLK_OK, BLK_BUSY, BLKCTL, DIR_READ, DIR_WRITE, DIR_FLUSH } from '../../kernel/blockcore.js';
import type { DeviceModel } from '../../devices/device-model.js';
import { AhciDisk, AREG, ATA, CAP_SNCQ, GHC_HR, GHC_IE, PCMD_ST, PCMD_FRE, PIS_DHRS, PIS_SDBS, PIS_TFES, FIS_H2D, HDR_BYTES, HDR_WRITE, TABLE_PRDT } from '../../devices/ahci.js';
import type { DriverModule } from '../types.js';
import { ENOMEM, EINVAL, ENODEV, EIO } from '../types.js';

const MAGIC = 0xa4c10001;
const MAX_SLOTS = 32;
const TABLE_BYTES = 0x100;
const CL_BYTES = MAX_SLOTS * HDR_BYTES, FB_BYTES = 0x100;
/** Command list (1 KiB aligned), FIS area, 32 tables, and room to align. */
const DMA_AREA = CL_BYTES + FB_BYTES + MAX_SLOTS * TABLE_BYTES + 1024;
/** Private struct layout: scalars, then the request id and direction of each slot. */
const P = {
  MAGIC: 0, OPEN: 4, CAPACITY: 8, NSLOTS: 12, CL: 16, FB: 20, TABLES: 24, BUSY: 28, ISSUED: 32, FULL: 36, IRQ: 40,
  FLUSH_SLOT: 44, FLUSHING: 48, READS: 52, WRITES: 56, ERRORS: 60, AREA: 64, IDS: 68, DIRS: 68 + 4 * MAX_SLOTS, SIZE: 68 + 8 * MAX_SLOTS,
} as const;

class Ahci {
  constructor(private readonly x: ExecContext, private readonly k: BlockKernelApi, private readonly dev: AhciDisk) {}

  probe(): number {
    const x = this.x, d = this.dev;
    const p = x.alloc('ahci.probe.alloc_port', P.SIZE, (n) => x.call('ahci.probe.kmalloc', [n], (z) => this.k.kmalloc(z)));
    if (x.br('ahci.probe.port_null', p === 0)) return ENOMEM;
    x.st('ahci.probe.magic', p + P.MAGIC, MAGIC);
    x.wrReg('ahci.probe.hba_reset', d, AREG.GHC, GHC_HR);
    const cap = x.rdReg('ahci.probe.read_cap', d, AREG.CAP);
    if (x.br('ahci.probe.no_ncq', (cap & CAP_SNCQ) === 0)) { x.call('ahci.probe.unwind_ncq', [p], (q) => this.k.kfree(q)); return ENODEV; }
    x.st('ahci.probe.nslots', p + P.NSLOTS, ((cap >>> 8) & 0x1f) + 1);
    x.st('ahci.probe.capacity', p + P.CAPACITY, x.rdReg('ahci.probe.read_capacity', d, AREG.CAPACITY));
    const area = x.alloc('ahci.probe.alloc_dma', DMA_AREA, (n) => x.call('ahci.probe.dma_kmalloc', [n], (z) => this.k.kmalloc(z)));
    if (x.br('ahci.probe.dma_null', area === 0)) { x.call('ahci.probe.unwind', [p], (q) => this.k.kfree(q)); return ENOMEM; }
    x.st('ahci.probe.area', p + P.AREA, area);
    const cl = (area + 1023) & ~1023; // the command list is 1 KiB aligned
    x.st('ahci.probe.cl', p + P.CL, cl);
    x.st('ahci.probe.fb', p + P.FB, cl + CL_BYTES);
    x.st('ahci.probe.tables', p + P.TABLES, cl + CL_BYTES + FB_BYTES);
    for (const off of [P.BUSY, P.ISSUED, P.FULL, P.FLUSH_SLOT, P.FLUSHING]) x.st('ahci.probe.reset_queue', p + off, 0);
    x.st('ahci.probe.irq', p + P.IRQ, d.irqLine);
    x.wrReg('ahci.probe.write_clb', d, AREG.P_CLB, x.ldp('ahci.probe.read_cl', p + P.CL));
    x.wrReg('ahci.probe.write_fb', d, AREG.P_FB, x.ldp('ahci.probe.read_fb', p + P.FB));
    this.startPort('ahci.probe.start');
    return p;
  }

  /** FIS receive on, then the command list engine. */
  private startPort(site: string): void {
    this.x.wrReg(`${site}.fre`, this.dev, AREG.P_CMD, PCMD_FRE);
    this.x.wrReg(`${site}.st`, this.dev, AREG.P_CMD, PCMD_FRE | PCMD_ST);
  }

  open(p: number): number {
    const x = this.x, d = this.dev;
    x.call('ahci.open.request_irq', [x.ld('ahci.open.irq', p + P.IRQ)], (line) => this.k.requestIrq(line));
    x.wrReg('ahci.open.port_ie', d, AREG.P_IE, PIS_DHRS | PIS_SDBS | PIS_TFES);
    x.wrReg('ahci.open.ghc_ie', d, AREG.GHC, GHC_IE);
    x.st('ahci.open.mark_open', p + P.OPEN, 1);
    return 0;
  }

  release(p: number): number {
    const x = this.x, d = this.dev;
    x.wrReg('ahci.release.ghc', d, AREG.GHC, 0);
    x.wrReg('ahci.release.port_ie', d, AREG.P_IE, 0);
    x.call('ahci.release.free_irq', [x.ld('ahci.release.irq', p + P.IRQ)], (line) => this.k.freeIrq(line));
    x.st('ahci.release.mark_closed', p + P.OPEN, 0);
    return 0;
  }

  request(p: number, id: number, dir: number, sector: number, count: number, buf: number): number {
    const x = this.x;
    if (x.br('ahci.request.bad_dir', dir !== DIR_READ && dir !== DIR_WRITE && dir !== DIR_FLUSH)) return EINVAL;
    const busy = x.ld('ahci.request.busy', p + P.BUSY);
    // A flush is a barrier: nothing new goes in while one waits or runs.
    const barrier = x.ld('ahci.request.flushing', p + P.FLUSHING) !== 0;
    const n = x.ld('ahci.request.nslots', p + P.NSLOTS);
    let slot = -1;
    if (!x.br('ahci.request.barrier', barrier)) {
      const bound = x.bound('ahci.request.scan', Math.min(n, MAX_SLOTS));
      for (let i = 0; i < bound; i++) if (!x.br('ahci.request.slot_busy', (busy & (1 << i)) !== 0)) { slot = i; break; }
    }
    if (x.br('ahci.request.full', slot < 0)) { x.st('ahci.request.set_full', p + P.FULL, 1); return BLK_BUSY; }
    const bit = (1 << slot) >>> 0;
    x.st('ahci.request.id', p + P.IDS + slot * 4, id);
    x.st('ahci.request.dir', p + P.DIRS + slot * 4, dir);
    x.st('ahci.request.claim', p + P.BUSY, (busy | bit) >>> 0);
    this.build(p, slot, dir, sector, count, buf);
    if (x.br('ahci.request.is_flush', dir === DIR_FLUSH)) {
      x.st('ahci.request.set_flushing', p + P.FLUSHING, 1);
      // FLUSH CACHE is not queued: it waits for the commands in flight.
      if (x.br('ahci.request.defer_flush', x.ld('ahci.request.issued', p + P.ISSUED) !== 0)) { x.st('ahci.request.flush_slot', p + P.FLUSH_SLOT, slot + 1); return BLK_OK; }
    }
    this.issue(p, slot, dir !== DIR_FLUSH, 'ahci.request.issue');
    return BLK_OK;
  }

  /** Fill the slot's command table (FIS and PRD) and its header. */
  private build(p: number, slot: number, dir: number, sector: number, count: number, buf: number): void {
    const x = this.x;
    const table = x.ldp('ahci.build.tables', p + P.TABLES) + slot * TABLE_BYTES;
    const flush = dir === DIR_FLUSH, write = dir === DIR_WRITE;
    const cmd = flush ? ATA.FLUSH : write ? ATA.WRITE_FPDMA : ATA.READ_FPDMA;
    // Register H2D FIS; for FPDMA the count is in the features field and the tag in the count field.
    x.st('ahci.build.fis_cmd', table, (FIS_H2D | (0x80 << 8) | (cmd << 16) | (flush ? 0 : (count & 0xff) << 24)) >>> 0);
    x.st('ahci.build.fis_lba', table + 4, ((sector & 0xffffff) | (0x40 << 24)) >>> 0);
    x.st('ahci.build.fis_lba_hi', table + 8, ((sector >>> 24) & 0xff) | (flush ? 0 : ((count >>> 8) & 0xff) << 24));
    x.st('ahci.build.fis_tag', table + 12, flush ? 0 : slot << 3);
    x.st('ahci.build.fis_rest', table + 16, 0);
    if (!x.br('ahci.build.no_data', flush)) {
      x.st('ahci.build.prd_addr', table + TABLE_PRDT, buf);
      x.st('ahci.build.prd_addr_hi', table + TABLE_PRDT + 4, 0);
      x.st('ahci.build.prd_bytes', table + TABLE_PRDT + 12, ((count * 512 - 1) | (1 << 31)) >>> 0);
    }
    const hdr = x.ldp('ahci.build.cl', p + P.CL) + slot * HDR_BYTES;
    x.st('ahci.build.hdr_flags', hdr, 5 | (write ? HDR_WRITE : 0) | ((flush ? 0 : 1) << 16));
    x.st('ahci.build.hdr_prdbc', hdr + 4, 0);
    x.st('ahci.build.hdr_table', hdr + 8, table);
  }

  /** Hand the slot to the HBA (a queued command first marks its tag active). */
  private issue(p: number, slot: number, ncq: boolean, site: string): void {
    const x = this.x, d = this.dev, bit = (1 << slot) >>> 0;
    x.st(`${site}.mark`, p + P.ISSUED, (x.ld(`${site}.issued`, p + P.ISSUED) | bit) >>> 0);
    if (x.br(`${site}.queued`, ncq)) x.wrReg(`${site}.sact`, d, AREG.P_SACT, bit);
    x.wrReg(`${site}.ci`, d, AREG.P_CI, bit);
  }

  interrupt(p: number): void {
    const x = this.x, d = this.dev;
    if (!x.irq('ahci.isr.entry')) return;
    if (!x.br('ahci.isr.ours', (x.rdReg('ahci.isr.is', d, AREG.IS) & 1) !== 0)) return;
    x.wrReg('ahci.isr.clear_port_is', d, AREG.P_IS, x.rdReg('ahci.isr.port_is', d, AREG.P_IS));
    x.wrReg('ahci.isr.clear_is', d, AREG.IS, 1);
    const errs = x.rdReg('ahci.isr.err_slots', d, AREG.P_ERR_SLOTS);
    if (x.br('ahci.isr.errors', errs !== 0)) x.wrReg('ahci.isr.clear_errs', d, AREG.P_ERR_SLOTS, errs);
    const outstanding = x.rdReg('ahci.isr.ci', d, AREG.P_CI) | x.rdReg('ahci.isr.sact', d, AREG.P_SACT);
    const issued = x.ld('ahci.isr.issued', p + P.ISSUED);
    const done = (issued & ~outstanding) >>> 0;
    const n = x.bound('ahci.isr.scan', Math.min(x.ld('ahci.isr.nslots', p + P.NSLOTS), MAX_SLOTS));
    for (let slot = 0; slot < n; slot++) {
      if (!x.br('ahci.isr.slot_done', (done & (1 << slot)) !== 0)) continue;
      const dir = x.ld('ahci.isr.dir', p + P.DIRS + slot * 4);
      const failed = x.br('ahci.isr.slot_error', (errs & (1 << slot)) !== 0);
      const counter = failed ? P.ERRORS : dir === DIR_READ ? P.READS : P.WRITES;
      x.st('ahci.isr.count', p + counter, x.ld('ahci.isr.read_count', p + counter) + 1);
      if (x.br('ahci.isr.flush_done', dir === DIR_FLUSH)) x.st('ahci.isr.clear_flushing', p + P.FLUSHING, 0);
      x.call('ahci.isr.end_request', [x.ld('ahci.isr.id', p + P.IDS + slot * 4), failed ? EIO : 0], (id, st) => this.k.endRequest(id, st | 0));
    }
    x.st('ahci.isr.store_issued', p + P.ISSUED, (x.ld('ahci.isr.reload_issued', p + P.ISSUED) & ~done) >>> 0);
    x.st('ahci.isr.free_slots', p + P.BUSY, (x.ld('ahci.isr.busy', p + P.BUSY) & ~done) >>> 0);
    // A flush that waited for the queue to drain goes now.
    const waiting = x.ld('ahci.isr.flush_slot', p + P.FLUSH_SLOT);
    if (x.br('ahci.isr.issue_flush', waiting !== 0 && x.ld('ahci.isr.drained', p + P.ISSUED) === 0)) {
      x.st('ahci.isr.clear_flush_slot', p + P.FLUSH_SLOT, 0);
      this.issue(p, waiting - 1, false, 'ahci.isr.flush');
    }
    if (x.br('ahci.isr.was_full', x.ld('ahci.isr.full', p + P.FULL) !== 0 && done !== 0)) {
      x.st('ahci.isr.clear_full', p + P.FULL, 0);
      x.call('ahci.isr.queue_ready', [], () => this.k.queueReady());
    }
  }

  ioctl(p: number, cmd: number): number {
    const x = this.x;
    if (x.br('ahci.ioctl.capacity', cmd === BLKCTL.GET_CAPACITY)) return x.ld('ahci.ioctl.read_capacity', p + P.CAPACITY);
    return EINVAL;
  }

  /** The command timer: restart the port (which aborts every command) and issue them all again. */
  timeout(p: number): void {
    const x = this.x, d = this.dev;
    x.wrReg('ahci.timeout.stop', d, AREG.P_CMD, PCMD_FRE);
    this.startPort('ahci.timeout.start');
    x.wrReg('ahci.timeout.ie', d, AREG.GHC, GHC_IE);
    const issued = x.ld('ahci.timeout.issued', p + P.ISSUED);
    x.st('ahci.timeout.clear_issued', p + P.ISSUED, 0);
    const n = x.bound('ahci.timeout.scan', Math.min(x.ld('ahci.timeout.nslots', p + P.NSLOTS), MAX_SLOTS));
    for (let slot = 0; slot < n; slot++) {
      if (!x.br('ahci.timeout.outstanding', (issued & (1 << slot)) !== 0)) continue;
      this.issue(p, slot, x.ld('ahci.timeout.dir', p + P.DIRS + slot * 4) !== DIR_FLUSH, 'ahci.timeout.reissue');
    }
  }
}

export const ahci: DriverModule & { createDevice(k: import('../../kernel/kernel.js').Kernel, irq: number, sectors: number): AhciDisk } = {
  id: 'ahci',
  cls: 'block',
  description: 'AHCI-like SATA driver: 32-slot command list, FIS, NCQ with several requests in flight (block class)',
  createDevice: (k, irq, sectors) => new AhciDisk(k, 'ahci-disk0', irq, sectors, k.params.ahciSlots),
  create: (ctx, api, dev: DeviceModel) => new Ahci(ctx, api as BlockKernelApi, dev as AhciDisk),
};
