// The kernel's block layer for one disk: requests (kernel objects with a buffer), the request
// queue, and the driver interface (request_fn, end_request, ioctl, interrupt, and the IDE
// command timer). A request the driver accepted is held by its instance until it ends it.
import type { Kernel, DriverInstance, EntryContexts } from './kernel.js';
import type { ClassCore } from './class-core.js';
import { startHangWatchdog } from './hang-watchdog.js';
import { OWNER_KERNEL } from './skb.js';
import { fnv1a } from '../sim/memory.js';

export const DIR_READ = 1, DIR_WRITE = 2, DIR_FLUSH = 3;
export const BLK_OK = 0, BLK_BUSY = 1;
export const BLKCTL = { GET_CAPACITY: 1 } as const;
const EIO = -5;

export interface BlockOps {
  open(): number;
  release(): number;
  request(id: number, dir: number, sector: number, count: number, buf: number): number;
  ioctl(cmd: number, arg: number): number;
  interrupt(): void;
  /** The command timer expired: the driver re-issues or resets (ide_timer_expiry). */
  timeout(): void;
}

export interface BlockKernelApi {
  kmalloc(size: number): number;
  kfree(addr: number): void;
  requestIrq(line: number): void;
  freeIrq(line: number): void;
  /** end_request: the request is done (status 0) or failed (negative). */
  endRequest(id: number, status: number): void;
  /** The driver can take requests again. */
  queueReady(): void;
}

export const BLOCK_ENTRY_POINTS: Readonly<Record<keyof BlockOps, unknown>> = {
  open: EIO, release: EIO, request: EIO, ioctl: EIO, interrupt: undefined, timeout: undefined,
};

/** Where Linux 2.4 calls each entry: open, release and ioctl in the calling process (the big
 *  kernel lock they take is dropped when the process dies); the request function with
 *  io_request_lock held and interrupts off; the command timer in a softirq; the interrupt in hard-interrupt context. */
export const BLOCK_ENTRY_CONTEXTS: EntryContexts = {
  open: { context: 'process' }, release: { context: 'process' }, ioctl: { context: 'process' },
  request: { context: 'process', lock: 'io_request_lock' }, interrupt: { context: 'hardirq' }, timeout: { context: 'softirq' },
};

export interface Request {
  id: number; dir: number; sector: number; count: number; buf: number;
  /** Who holds it: 'kernel' or a driver slot. */
  owner: number;
  issuedUs: number;
  done(status: number, data: Uint8Array | null): void;
  /** Made again by a checkpoint restore after it had ended: nobody waits for it. */
  remade?: boolean;
}

export class BlockCore implements ClassCore<BlockOps, BlockKernelApi> {
  readonly cls = 'block';
  readonly entryPoints = BLOCK_ENTRY_POINTS;
  readonly observesService = false;
  readonly inServiceUs: number[] = [];
  ops: BlockOps | null = null;
  driver: DriverInstance | null = null;
  private readonly requests = new Map<number, Request>();
  private readonly queue: number[] = [];
  private nextId = 1;
  private stopped = false;
  private open = false;
  private ended = 0;

  constructor(private readonly k: Kernel) {
    k.entryContexts = BLOCK_ENTRY_CONTEXTS;
    // The IDE command timer: a request the driver has held longer than the command timeout.
    const held = () => [...this.requests.values()].filter((r) => r.owner === this.driverOwner());
    startHangWatchdog(k, {
      what: 'disk command', entry: 'timeout', periodUs: k.params.watchdogPeriodUs,
      stuck: () => held().some((r) => k.now - r.issuedUs > k.params.blockTimeoutUs),
      progress: () => this.ended,
      callTimeout: () => this.ops!.timeout(),
      rearm: () => { for (const r of held()) r.issuedUs = k.now; },
    }, () => this.driver);
  }

  // ---- what the filesystem calls ---------------------------------------------------------------
  /** Queue an I/O. Write data is copied into a kernel buffer; read data comes back in `done`. */
  submit(dir: number, sector: number, count: number, data: Uint8Array | null, done: (status: number, data: Uint8Array | null) => void): void {
    const buf = this.k.skbs.alloc(OWNER_KERNEL);
    if (buf === 0) { this.k.sched.schedule(1000, 'blk-wait-buffer', () => this.submit(dir, sector, count, data, done)); return; }
    if (data) this.k.mem.writeBytes(buf, data);
    const id = this.nextId++;
    this.requests.set(id, { id, dir, sector, count, buf, owner: OWNER_KERNEL, issuedUs: 0, done });
    this.queue.push(id);
    this.run();
  }

  private run(): void {
    while (!this.stopped && this.open && this.queue.length > 0) {
      const id = this.queue[0];
      const r = this.requests.get(id)!;
      r.owner = this.driverOwner();
      r.issuedUs = this.k.now;
      const res = this.ops!.request(r.id, r.dir, r.sector, r.count, r.buf);
      if (res === BLK_OK) { this.queue.shift(); continue; }
      r.owner = OWNER_KERNEL;
      if (res === BLK_BUSY) { this.stopped = true; return; } // request queue full: wait for queueReady
      this.queue.shift();
      this.finish(r, res);
    }
  }

  private driverOwner(): number { return 0x100 + (this.driver?.slot ?? 0xff); }

  private finish(r: Request, status: number): void {
    this.requests.delete(r.id);
    const data = status === 0 && r.dir === DIR_READ ? this.k.mem.readBytes(r.buf, r.count * 512) : null;
    this.k.skbs.free(r.buf, OWNER_KERNEL);
    this.ended++;
    r.done(status, data);
  }

  // ---- the driver's view ----------------------------------------------------------------------
  apiFor(inst: DriverInstance): BlockKernelApi {
    const k = this.k;
    const owner = 0x100 + inst.slot;
    return Object.assign(k.resourceApi(inst, () => this.ops?.interrupt()), { // see Kernel.resourceApi
      endRequest: (id: number, status: number) => {
        const r = this.requests.get(id);
        // Ending a request the driver does not hold corrupts the queue: the block layer's BUG checks.
        if (!r || r.owner !== owner) k.badParam('end_request', `request ${id} is not held by ${inst.name}`, 'bug');
        this.finish(r!, status < 0 ? EIO : 0);
      },
      queueReady: () => {
        if (!this.stopped) return;
        this.stopped = false;
        k.sched.schedule(0, 'blk-run-queue', () => this.run(), 3);
      },
    } satisfies Pick<BlockKernelApi, 'endRequest' | 'queueReady'>);
  }

  // ---- recovery strategies (ClassCore) ---------------------------------------------------------
  /** A request's tag: what it asks for (direction, place) and, for a write, the data. */
  requestTag(entry: string, args: readonly unknown[], exact = true): number {
    if (entry !== 'request') return 0;
    const [, dir, sector, count, buf] = args as number[];
    if (this.k.skbs.index(buf) < 0 || !(count >= 1 && count <= 4)) return 0;
    if (!exact) return 1; // some request: what a profile counts (see Kernel.exactRequestTags)
    const head = fnv1a(new Uint8Array(new Uint32Array([dir, sector, count]).buffer));
    const data = dir === DIR_WRITE ? fnv1a(this.k.mem.bytes.subarray(buf, buf + count * 512)) : 0;
    return ((head ^ Math.imul(data, 0x9e3779b1)) | 1) >>> 0;
  }

  /** Requests the instance holds go back to the kernel (ids, oldest first). */
  reclaim(inst: DriverInstance): number[] {
    const owner = 0x100 + inst.slot;
    const held = [...this.requests.values()].filter((r) => r.owner === owner).sort((a, b) => a.id - b.id);
    for (const r of held) r.owner = OWNER_KERNEL;
    return held.map((r) => r.id);
  }

  /** The kernel gives up on these requests: they fail with an I/O error. */
  release(ids: number[]): void {
    for (const id of ids) { const r = this.requests.get(id); if (r) this.finish(r, EIO); }
  }

  /** Put reclaimed requests back into the queue, in order, ahead of newer ones. */
  /** Bytes a request moves (0 if it is gone). */
  requestBytes(id: number): number { return (this.requests.get(id)?.count ?? 0) * 512; }

  requeue(ids: number[]): void { this.queue.unshift(...ids.filter((id) => this.requests.has(id))); }

  /** The driver was unloaded: queued requests fail. */
  unregister(): void {
    const queued = this.queue.splice(0);
    this.release(queued);
    this.open = false;
    this.stopped = false;
  }

  /** The kernel opens the disk (mounting the root file system) and starts the queue. */
  bringUp(): number {
    const r = this.ops!.open();
    if (r === 0) { this.open = true; this.k.sched.schedule(0, 'blk-run-queue', () => this.run(), 3); }
    return r;
  }

  // ---- replication: requests the kernel makes for a standby driver ------------------------------
  /** A request outside the queue, held by `owner` from the start (a copy for a standby); `done`
   *  runs when that driver ends it. Returns its id, or 0 when no buffer is free. */
  detached(dir: number, sector: number, count: number, data: Uint8Array | null, owner: number, done: (status: number, data: Uint8Array | null) => void): number {
    const buf = this.k.skbs.alloc(OWNER_KERNEL);
    if (buf === 0) return 0;
    if (data) this.k.mem.writeBytes(buf, data);
    const id = this.nextId++;
    this.requests.set(id, { id, dir, sector, count, buf, owner, issuedUs: this.k.now, done });
    return id;
  }

  /** Forget a detached request without running its callback (it was never handed over). */
  dropDetached(id: number): void {
    const r = this.requests.get(id);
    if (!r) return;
    this.requests.delete(id);
    this.k.skbs.free(r.buf, OWNER_KERNEL);
  }

  /** A request's parameters and, for a write, its data. */
  describe(id: number): { dir: number; sector: number; count: number; buf: number; data: Uint8Array | null } | null {
    const r = this.requests.get(id);
    if (!r) return null;
    return { dir: r.dir, sector: r.sector, count: r.count, buf: r.buf, data: r.dir === DIR_WRITE ? this.k.mem.readBytes(r.buf, r.count * 512) : null };
  }

  /** Requests held by a driver slot's owner id, oldest first. */
  heldBy(owner: number): number[] {
    return [...this.requests.values()].filter((r) => r.owner === owner).sort((a, b) => a.id - b.id).map((r) => r.id);
  }

  /** End a kernel-held request with another request's result (a standby's copy of it). */
  completeFrom(id: number, status: number, data: Uint8Array | null): boolean {
    const r = this.requests.get(id);
    if (!r || r.owner !== OWNER_KERNEL || this.queue.includes(id)) return false;
    if (status === 0 && data && r.dir === DIR_READ) this.k.mem.writeBytes(r.buf, data);
    this.finish(r, status < 0 ? EIO : 0);
    return true;
  }

  // ---- checkpoint restore --------------------------------------------------------------------
  /** Give request `id` to `owner` again as it was: a live one (the failed instance held it) keeps
   *  its buffer; one that ended since is made again, its end going nowhere, in buffer `buf` (or
   *  any free one when null) filled with `data`. Returns the buffer, or 0 if none could be had. */
  restoreRequest(id: number, dir: number, sector: number, count: number, buf: number | null, data: Uint8Array | null, owner: number): number {
    const live = this.requests.get(id);
    if (live) { live.owner = owner; live.issuedUs = this.k.now; return live.buf; }
    let at = 0;
    if (buf === null) at = this.k.skbs.alloc(OWNER_KERNEL);
    else if (this.k.skbs.reclaimAddress(buf, OWNER_KERNEL, (a) => this.relocate(a))) at = buf;
    if (at === 0) return 0;
    if (data) this.k.mem.writeBytes(at, data);
    this.requests.set(id, { id, dir, sector, count, buf: at, owner, issuedUs: this.k.now, done: () => {}, remade: true });
    return at;
  }

  /** A restored driver would not take request `id`: one that is waited for goes back to the
   *  kernel (the caller requeues it); one made again is dropped, unless `keepRemade` (a write
   *  whose caller already has its answer must still reach the disk). True if it goes back. */
  takeBack(id: number, keepRemade = false): boolean {
    const r = this.requests.get(id);
    if (!r) return false;
    if (r.remade && !keepRemade) { this.dropDetached(id); return false; }
    r.owner = OWNER_KERNEL;
    return true;
  }

  /** Move the buffer of a request the kernel holds to another slot, so that `buf` is free. */
  relocate(buf: number): boolean {
    const r = [...this.requests.values()].find((x) => x.buf === buf && x.owner === OWNER_KERNEL);
    if (!r) return false;
    const moved = this.k.skbs.alloc(OWNER_KERNEL);
    if (moved === 0) return false;
    this.k.mem.writeBytes(moved, this.k.mem.readBytes(buf, 4 * 512));
    r.buf = moved;
    this.k.skbs.free(buf, OWNER_KERNEL);
    return true;
  }

  /** Restart the queue (a shadow finished recovery). */
  resume(): void { this.stopped = false; this.k.sched.schedule(0, 'blk-run-queue', () => this.run(), 3); }
}
