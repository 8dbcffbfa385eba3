// The kernel's sound layer (OSS /dev/dsp): open files, blocking read and write through kernel
// buffers, ioctls, and the driver interface. A write the driver cannot take yet waits for the
// driver's wake-up after the next period, as a process sleeping in write() does.
import type { Kernel, DriverInstance, EntryContexts } from './kernel.js';
import type { ClassCore } from './class-core.js';
import { OWNER_KERNEL } from './skb.js';
import { SKB_SLOT } from './layout.js';
import { fnv1a } from '../sim/memory.js';
import { newBytes } from '../sim/slab.js';

export const SNDCTL = { SET_FORMAT: 1, SET_CHANNELS: 2, SET_RATE: 3, SET_VOLUME: 4, GET_CAPS: 5, GET_OSPACE: 6, RESET: 7 } as const;
export const MODE_PLAY = 1, MODE_CAPTURE = 2;
/** The mixer level the boot scripts restore (alsactl/aumix restore at boot). */
export const BOOT_VOLUME = 75;
const ENODEV = -19, EIO = -5;

export interface SoundOps {
  open(mode: number): number;
  release(): number;
  write(buf: number, len: number): number;
  read(buf: number, len: number): number;
  ioctl(cmd: number, arg: number): number;
  interrupt(): void;
}

export interface SoundKernelApi {
  kmalloc(size: number): number;
  kfree(addr: number): void;
  requestIrq(line: number): void;
  freeIrq(line: number): void;
  /** A period elapsed: wake processes sleeping in read or write. */
  wakeUp(): void;
}

export const SOUND_ENTRY_POINTS: Readonly<Record<keyof SoundOps, unknown>> = {
  open: EIO, release: EIO, write: EIO, read: EIO, ioctl: EIO, interrupt: undefined,
};

/** Where Linux 2.4 calls each entry: OSS file operations in the calling process with no kernel
 *  lock held by the caller; the interrupt in hard-interrupt context. */
export const SOUND_ENTRY_CONTEXTS: EntryContexts = {
  open: { context: 'process' }, release: { context: 'process' }, write: { context: 'process' }, read: { context: 'process' },
  ioctl: { context: 'process' }, interrupt: { context: 'hardirq' },
};

/** An open /dev/dsp, as an application holds it. */
export class SoundFile {
  /** The driver generation it was opened on: after an unload it is stale. */
  constructor(private readonly core: SoundCore, readonly mode: number, readonly generation: number) {}
  ioctl(cmd: number, arg: number): number { return this.core.ioctl(this, cmd, arg); }
  write(data: Uint8Array, done: (r: number) => void): void { this.core.transfer(this, data, done); }
  read(len: number, done: (r: number, data: Uint8Array) => void): void { this.core.readInto(this, len, done); }
  close(): void { this.core.close(this); }
}

export class SoundCore implements ClassCore<SoundOps, SoundKernelApi> {
  readonly cls = 'sound';
  readonly entryPoints = SOUND_ENTRY_POINTS;
  readonly observesService = false;
  readonly inServiceUs: number[] = [];
  ops: SoundOps | null = null;
  driver: DriverInstance | null = null;
  private generation = 0;
  private waiters: Array<() => void> = [];
  private openFile: SoundFile | null = null;

  constructor(private readonly k: Kernel) { k.entryContexts = SOUND_ENTRY_CONTEXTS; }

  // ---- what applications call ---------------------------------------------------------------
  open(mode: number): SoundFile | number {
    if (this.openFile) return -16; // EBUSY: one open at a time, as OSS
    const r = this.ops!.open(mode);
    if (r < 0) return r;
    this.openFile = new SoundFile(this, mode, this.generation);
    return this.openFile;
  }

  private live(f: SoundFile): boolean { return f === this.openFile && f.generation === this.generation; }

  ioctl(f: SoundFile, cmd: number, arg: number): number {
    if (!this.live(f)) return ENODEV;
    return this.ops!.ioctl(cmd, arg);
  }

  close(f: SoundFile): void {
    if (this.live(f)) this.ops!.release();
    if (this.openFile === f) this.openFile = null;
  }

  /** Return from a system call: the process runs again once the CPU has done the call. */
  private complete(fn: () => void): void {
    this.k.cpu.charge('stack', this.k.params.syscallNs);
    this.k.sched.schedule(this.k.cpu.backlogUs(), 'syscall-return', fn, 3);
  }

  /** Blocking write: hand the data over in buffer-sized pieces, sleeping while the driver is full. */
  transfer(f: SoundFile, data: Uint8Array, cb: (r: number) => void): void {
    const done = (r: number) => this.complete(() => cb(r));
    let off = 0;
    const step = (): void => {
      if (!this.live(f)) { done(off > 0 ? off : ENODEV); return; }
      while (off < data.length) {
        const chunk = data.subarray(off, off + SKB_SLOT);
        const buf = this.k.skbs.alloc(OWNER_KERNEL);
        if (buf === 0) { this.sleep(step); return; }
        this.k.mem.writeBytes(buf, chunk);
        this.k.cpu.charge('stack', chunk.length * this.k.params.copyNsPerByte);
        const n = this.ops!.write(buf, chunk.length);
        this.k.skbs.free(buf, OWNER_KERNEL);
        if (n < 0) { done(n); return; }
        off += n;
        if (n < chunk.length) { this.sleep(step); return; }
      }
      done(off);
    };
    step();
  }

  /** Blocking read of up to `len` bytes (waits until some data is there). */
  readInto(f: SoundFile, len: number, cb: (r: number, data: Uint8Array) => void): void {
    const done = (r: number, data: Uint8Array) => this.complete(() => cb(r, data));
    const step = (): void => {
      if (!this.live(f)) { done(ENODEV, newBytes(0)); return; }
      const buf = this.k.skbs.alloc(OWNER_KERNEL);
      if (buf === 0) { this.sleep(step); return; }
      const n = this.ops!.read(buf, Math.min(len, SKB_SLOT));
      const data = n > 0 ? this.k.mem.readBytes(buf, n) : newBytes(0);
      this.k.skbs.free(buf, OWNER_KERNEL);
      if (n < 0) { done(n, data); return; }
      if (n === 0) { this.sleep(step); return; }
      done(n, data);
    };
    step();
  }

  private sleep(retry: () => void): void { this.waiters.push(retry); }

  /** Wake sleepers (from the driver's interrupt, or a shadow finishing recovery). */
  wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const retry of w) this.k.sched.schedule(0, 'sound-wake', retry, 3);
  }

  // ---- the driver's view ----------------------------------------------------------------------
  apiFor(inst: DriverInstance): SoundKernelApi {
    const k = this.k;
    return Object.assign(k.resourceApi(inst, () => this.ops?.interrupt()), { wakeUp: () => this.wakeAll() } satisfies Pick<SoundKernelApi, 'wakeUp'>); // see Kernel.resourceApi
  }

  // ---- recovery strategies (ClassCore) ---------------------------------------------------------
  /** A sound driver holds no kernel objects beyond its own memory. */
  /** A write carries a piece of audio: its tag is a hash of the bytes. */
  requestTag(entry: string, args: readonly unknown[], exact = true): number {
    if (entry !== 'write') return 0;
    const [buf, len] = args as number[];
    if (this.k.skbs.index(buf) < 0 || !(len > 0 && len <= SKB_SLOT)) return 0;
    if (!exact) return 1; // some request: what a profile counts (see Kernel.exactRequestTags)
    return (fnv1a(this.k.mem.bytes.subarray(buf, buf + len)) | 1) >>> 0;
  }

  reclaim(): number[] { return []; }
  release(): void {}

  /** The driver was unloaded: open files refer to code that is gone (their calls fail). */
  unregister(): void {
    this.generation++;
    this.wakeAll();
  }

  /** At boot (and after a driver reload) the init scripts restore the saved mixer level. */
  bringUp(): number { return this.ops!.ioctl(SNDCTL.SET_VOLUME, BOOT_VOLUME); }
}
