// An ide-disk-like driver: requests the kernel hands it wait in a ring in its own domain; it
// issues them to the disk one at a time (programming LBA, count, DMA address, command) and ends
// each on the completion interrupt. Every access goes through a fault site.
import type { ExecContext } from '../../sim/exec.js';
import type { BlockKernelApi } from '../../kernel/blockcore.js';
import { BLK_OK, BLK_BUSY, BLKCTL, DIR_READ, DIR_WRITE, DIR_FLUSH } from '../../kernel/blockcore.js';
import type { DeviceModel } from '../../devices/device-model.js';
import { Disk, DREG, CMD_READ, CMD_WRITE, CMD_FLUSH, CMD_RESET, ST_ERR } from '../../devices/disk.js';
import type { DriverModule } from '../types.js';
import { ENOMEM, EINVAL } from '../types.js';
import { statusCall } from '../services.js';

const MAGIC = 0x1de0d15c;
const SLOTS = 8;
const SLOT_BYTES = 20; // id, dir, sector, count, buf
const NONE = 0xffffffff;
/** Private struct layout. */
const D = { MAGIC: 0, OPEN: 4, CAPACITY: 8, RING: 12, HEAD: 16, COUNT: 20, ACTIVE: 24, FULL: 28, IRQ: 32, READS: 36, WRITES: 40, ERRORS: 44, SIZE: 64 } as const;

class IdeDisk {
  constructor(private readonly x: ExecContext, private readonly k: BlockKernelApi, private readonly dev: Disk) {}

  probe(): number {
    const x = this.x, d = this.dev;
    const p = x.alloc('ide.probe.alloc_drive', D.SIZE, (n) => x.call('ide.probe.kmalloc', [n], (z) => this.k.kmalloc(z)));
    if (x.br('ide.probe.drive_null', p === 0)) return ENOMEM;
    x.st('ide.probe.magic', p + D.MAGIC, MAGIC);
    x.wrReg('ide.probe.reset', d, DREG.CMD, CMD_RESET);
    x.st('ide.probe.capacity', p + D.CAPACITY, x.rdReg('ide.probe.read_capacity', d, DREG.CAPACITY));
    x.wrReg('ide.probe.enable_cache', d, DREG.CACHE, 1);
    const ring = x.alloc('ide.probe.alloc_ring', SLOTS * SLOT_BYTES, (n) => x.call('ide.probe.ring_kmalloc', [n], (z) => this.k.kmalloc(z)));
    if (x.br('ide.probe.ring_null', ring === 0)) { x.call('ide.probe.unwind', [p], (q) => this.k.kfree(q)); return ENOMEM; }
    x.st('ide.probe.ring', p + D.RING, ring);
    for (const off of [D.HEAD, D.COUNT, D.FULL]) x.st('ide.probe.reset_queue', p + off, 0);
    x.st('ide.probe.idle', p + D.ACTIVE, NONE);
    x.st('ide.probe.irq', p + D.IRQ, d.irqLine);
    return p;
  }

  open(p: number): number {
    const x = this.x;
    x.call('ide.open.request_irq', [x.ld('ide.open.irq', p + D.IRQ)], (line) => this.k.requestIrq(line));
    x.wrReg('ide.open.ier', this.dev, DREG.IER, 1);
    x.st('ide.open.mark_open', p + D.OPEN, 1);
    return 0;
  }

  release(p: number): number {
    const x = this.x;
    x.wrReg('ide.release.ier', this.dev, DREG.IER, 0);
    x.call('ide.release.free_irq', [x.ld('ide.release.irq', p + D.IRQ)], (line) => this.k.freeIrq(line));
    x.st('ide.release.mark_closed', p + D.OPEN, 0);
    return 0;
  }

  request(p: number, id: number, dir: number, sector: number, count: number, buf: number): number {
    const x = this.x;
    const n = x.ld('ide.request.count', p + D.COUNT);
    if (x.br('ide.request.full', n >= SLOTS)) { x.st('ide.request.set_full', p + D.FULL, 1); return BLK_BUSY; }
    if (x.br('ide.request.bad_dir', dir !== DIR_READ && dir !== DIR_WRITE && dir !== DIR_FLUSH)) return EINVAL;
    const ring = x.ldp('ide.request.ring', p + D.RING);
    const slot = ring + ((x.ld('ide.request.head', p + D.HEAD) + n) % SLOTS) * SLOT_BYTES;
    x.st('ide.request.id', slot, id);
    x.st('ide.request.dir', slot + 4, dir);
    x.st('ide.request.sector', slot + 8, sector);
    x.st('ide.request.sectors', slot + 12, count);
    x.st('ide.request.buf', slot + 16, buf);
    x.st('ide.request.enqueue', p + D.COUNT, n + 1);
    if (x.br('ide.request.idle', x.ld('ide.request.active', p + D.ACTIVE) === NONE)) this.startNext(p);
    return BLK_OK;
  }

  /** Program the disk with the request at the head of the ring. */
  private startNext(p: number): void {
    const x = this.x, d = this.dev;
    if (x.br('ide.start.empty', x.ld('ide.start.count', p + D.COUNT) === 0)) { x.st('ide.start.idle', p + D.ACTIVE, NONE); return; }
    const head = x.ld('ide.start.head', p + D.HEAD);
    const slot = x.ldp('ide.start.ring', p + D.RING) + head * SLOT_BYTES;
    const dir = x.ld('ide.start.dir', slot + 4);
    x.wrReg('ide.start.lba', d, DREG.LBA, x.ld('ide.start.sector', slot + 8));
    x.wrReg('ide.start.nsect', d, DREG.COUNT, x.ld('ide.start.sectors', slot + 12));
    x.wrReg('ide.start.dma', d, DREG.DMA, x.ldp('ide.start.buf', slot + 16));
    const cmd = x.br('ide.start.is_read', dir === DIR_READ) ? CMD_READ : x.br('ide.start.is_write', dir === DIR_WRITE) ? CMD_WRITE : CMD_FLUSH;
    x.st('ide.start.active', p + D.ACTIVE, head);
    x.wrReg('ide.start.command', d, DREG.CMD, cmd);
  }

  interrupt(p: number): void {
    const x = this.x, d = this.dev;
    if (!x.irq('ide.isr.entry')) return;
    if (!x.br('ide.isr.ours', (x.rdReg('ide.isr.isr', d, DREG.ISR) & 1) !== 0)) return;
    const status = x.rdReg('ide.isr.status', d, DREG.STATUS);
    const active = x.ld('ide.isr.active', p + D.ACTIVE);
    if (x.br('ide.isr.spurious', active === NONE)) return;
    const slot = x.ldp('ide.isr.ring', p + D.RING) + active * SLOT_BYTES;
    const failed = x.br('ide.isr.error', (status & ST_ERR) !== 0);
    const counter = failed ? D.ERRORS : x.ld('ide.isr.dir', slot + 4) === DIR_READ ? D.READS : D.WRITES;
    x.st('ide.isr.count', p + counter, x.ld('ide.isr.read_count', p + counter) + 1);
    x.call('ide.isr.end_request', [x.ld('ide.isr.id', slot), failed ? -5 : 0], statusCall((id, st) => this.k.endRequest(id, st)));
    let head = x.ld('ide.isr.head', p + D.HEAD) + 1;
    if (x.br('ide.isr.wrap', head >= SLOTS)) head = 0;
    x.st('ide.isr.store_head', p + D.HEAD, head);
    x.st('ide.isr.dequeue', p + D.COUNT, x.ld('ide.isr.read_queued', p + D.COUNT) - 1);
    this.startNext(p);
    if (x.br('ide.isr.was_full', x.ld('ide.isr.full', p + D.FULL) !== 0)) {
      x.st('ide.isr.clear_full', p + D.FULL, 0);
      x.call('ide.isr.queue_ready', [], () => this.k.queueReady());
    }
  }

  ioctl(p: number, cmd: number): number {
    const x = this.x;
    if (x.br('ide.ioctl.capacity', cmd === BLKCTL.GET_CAPACITY)) return x.ld('ide.ioctl.read_capacity', p + D.CAPACITY);
    return EINVAL;
  }

  /** ide_timer_expiry: the interrupt never came; reset the drive and issue the request again. */
  timeout(p: number): void {
    const x = this.x;
    x.wrReg('ide.timeout.reset', this.dev, DREG.CMD, CMD_RESET);
    x.wrReg('ide.timeout.ier', this.dev, DREG.IER, 1);
    if (!x.br('ide.timeout.active', x.ld('ide.timeout.read_active', p + D.ACTIVE) !== NONE)) return;
    this.startNext(p);
  }
}

export const ideDisk: DriverModule & { createDevice(k: import('../../kernel/kernel.js').Kernel, irq: number, sectors: number): Disk } = {
  id: 'ide-disk',
  cls: 'block',
  description: 'IDE disk-like driver: request ring, one command at a time, DMA, write cache flush (block class)',
  createDevice: (k, irq, sectors) => new Disk(k, 'ide-disk0', irq, sectors),
  create: (ctx, api, dev: DeviceModel) => new IdeDisk(ctx, api as BlockKernelApi, dev as Disk),
};
