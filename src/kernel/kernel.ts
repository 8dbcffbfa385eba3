// The simulated kernel: boots the address space, hosts driver instances in protection
// domains, runs their entry points under Nooks-like isolation, and checks its own data.
// It never knows which recovery strategy runs; whether isolation is on is its one switch.
import { Scheduler, EventHandle } from '../sim/scheduler.js';
import { AddressSpace, Domain, Region, fnv1a, DMA } from '../sim/memory.js';
import { RngStreams } from '../sim/rng.js';
import { ExecContext, SiteCoverage, SiteInterceptor } from '../sim/exec.js';
import { FailureKind, MachineFault, SystemCrash } from '../sim/faults.js';
import { Trace } from '../sim/trace.js';
import { Params } from '../params.js';
import { DriverHeap } from './heap.js';
import { Cpu } from './cpu.js';
import { SkbPool } from './skb.js';
import * as L from './layout.js';

export interface DriverInstance {
  /** e.g. `e1000#0`; a reload keeps the name and gets a new loadSeq. */
  name: string;
  slot: number;
  /** Order of loading over the whole trial: a transient fault lives only in instances loaded before it armed. */
  loadSeq: number;
  region: Region;
  domain: Domain;
  heap: DriverHeap;
  ctx: ExecContext;
  failed: boolean;
  destroyed: boolean;
}

export interface Registrations {
  irqs: Array<[number, () => void]>;
  timer: { inUs: number; fn: () => void } | null;
}

/** Where the kernel runs a driver entry point (Linux 2.4): in a process's system call, in a
 *  softirq (bottom half, timers), or in a hard interrupt; and which kernel lock it holds then. */
export type ExecutionContext = 'process' | 'softirq' | 'hardirq';
export interface EntryContext { context: ExecutionContext; lock?: string }
export type EntryContexts = Readonly<Record<string, EntryContext>>;

/** Module load runs in the insmod process, with no lock held. */
const PROBE_CONTEXT: EntryContext = { context: 'process' };

/** Without isolation, an oops in process context with no lock held kills the calling process and
 *  the kernel goes on (Linux's die() -> do_exit()). The exception unwinds to where that process
 *  was entered (trial/run.ts). */
export class ProcessKilled extends Error {
  constructor(readonly process: string, readonly reason: string) { super(`${process} killed: ${reason}`); }
}

/** What Linux does, without isolation, when a driver passes a kernel service a bad argument:
 *  `bug` (a BUG_ON or an oops in the service), `error` (an error return, or the bad value used
 *  as is with no harm beyond the driver), `corrupt` (unchecked: kernel data is damaged and the
 *  kernel trips on it later, or never). Under isolation every one is a detected bad-param. */
export type NativeMisuse = 'bug' | 'error' | 'corrupt';

/** A process-context oops that killed a process (the system stayed up). */
export interface Oops { process: string; entry: string; kind: FailureKind; message: string; atUs: number }

export interface FailureReport {
  instance: DriverInstance;
  kind: FailureKind;
  message: string;
  site: string | null;
  entry: string;
  atUs: number;
  /** Tag of the request the driver was handling when it failed (0 if none). */
  requestTag: number;
}

export class Kernel {
  readonly sched = new Scheduler();
  readonly cpu = new Cpu(this.sched);
  readonly mem = new AddressSpace();
  readonly kernelRegion: Region;
  readonly skbRegion: Region;
  readonly skbs: SkbPool;
  /** Union of the sites every instance executed, with counts. */
  readonly coverage = new Map<string, SiteCoverage>();
  readonly failures: FailureReport[] = [];
  crashReason: string | null = null;
  /** Set by the recovery strategy: told of each detected driver failure. */
  onDriverFailure: ((r: FailureReport) => void) | null = null;
  /** Set by the fault injector (from outside): sees every site execution. */
  interceptor: SiteInterceptor | null = null;
  /** Whether a request's tag must be its content hash (a request-triggered fault or a
   *  strategy that skips requests reads it). When nothing reads the value, the trial clears
   *  this and a request is tagged 1: what the profile counts (a request or none) is the same,
   *  and no payload is hashed on every call (several % of a trial's CPU). */
  exactRequestTags = true;
  /** The process on whose behalf process-context driver entries run (set by the trial: insmod,
   *  the boot scripts, then the application). */
  currentProcess = 'init';
  /** The execution context of each entry point of the class's interface (set by the class core). */
  entryContexts: EntryContexts = {};
  /** Processes killed by an oops (native only). */
  readonly oopses: Oops[] = [];
  private readonly slots: Array<DriverInstance | null> = new Array(L.DRIVER_SLOTS).fill(null);
  private loads = 0;
  private readonly pageSeal = new Map<number, number>();
  /** Generator state at the start of each kernel data page, to compute its seal when needed. */
  private readonly pageState = new Map<number, number>();
  private readonly irqHandlers = new Map<number, () => void>();
  private readonly checks: Array<() => string | null> = [];

  constructor(readonly params: Params, readonly rng: RngStreams, readonly trace: Trace, isolation: boolean) {
    this.mem.isolation = isolation;
    this.kernelRegion = this.mem.map('kernel', 'kernel', L.KERNEL_BASE, L.KERNEL_SIZE);
    this.skbRegion = this.mem.map('skb', 'skb', L.SKB_BASE, L.SKB_SLOT * L.SKB_SLOTS);
    this.fillKernelData();
    this.skbs = new SkbPool(this);
    this.addCheck(() => this.checkKernelData());
    this.sched.schedule(params.kernelTickUs, 'tick', () => this.tick(), 10);
  }

  get now(): number { return this.sched.now; }
  /** Driver instructions executed so far, over all instances (site executions). */
  coverageTotal(): number {
    let n = 0;
    for (const c of this.coverage.values()) n += c.count;
    return n;
  }

  /** How many driver instances were loaded so far. */
  get loadCount(): number { return this.loads; }
  get isolation(): boolean { return this.mem.isolation; }

  log(kind: string, msg: string): void { this.trace.add(this.sched.now, kind, msg); }

  /** Kernel panic: the trial's system is down. */
  crash(reason: string): never {
    if (this.crashReason === null) {
      this.crashReason = reason;
      this.log('crash', reason);
    }
    this.sched.stop();
    throw new SystemCrash(reason);
  }

  // ---- driver instances -------------------------------------------------------------------

  createInstance(driverName: string, slot: number): DriverInstance {
    if (this.slots[slot]) throw new Error(`driver slot ${slot} is in use`);
    const base = L.DRIVER_BASE + slot * L.DRIVER_STRIDE;
    const region = this.mem.map(`${driverName}#${slot}`, 'driver', base, L.DRIVER_SIZE);
    this.mem.fill(base, L.DRIVER_SIZE, 0);
    const domain: Domain = { name: region.name, writable: [region, this.skbRegion] };
    const inst: DriverInstance = {
      name: region.name, slot, loadSeq: ++this.loads, region, domain,
      heap: new DriverHeap(base, L.DRIVER_SIZE),
      ctx: new ExecContext(this.mem, domain, this.interceptor, this.loads, this.coverage),
      failed: false, destroyed: false,
    };
    this.slots[slot] = inst;
    this.log('load', `${inst.name} loaded (load ${inst.loadSeq})`);
    return inst;
  }

  /** Tear an instance down: unmap its domain, free its IRQ; its skbs are the caller's to settle. */
  destroyInstance(inst: DriverInstance): void {
    if (inst.destroyed) return;
    inst.destroyed = true;
    inst.failed = true;
    for (const [line, owner] of [...this.irqOwner]) if (owner === inst) this.freeIrq(inst, line);
    this.delTimer(inst);
    const i = this.mem.regions.indexOf(inst.region);
    if (i >= 0) this.mem.regions.splice(i, 1);
    this.slots[inst.slot] = null;
    this.log('unload', `${inst.name} unloaded`);
  }

  freeSlot(): number {
    const i = this.slots.indexOf(null);
    if (i < 0) throw new Error('no free driver slot');
    return i;
  }

  /**
   * Run one kernel-to-driver entry point. Under isolation a machine fault marks the instance
   * failed, returns `failValue` to the caller, and tells the recovery strategy; without
   * isolation the same fault takes the system down.
   */
  invoke<T>(inst: DriverInstance, entry: string, fn: () => T, failValue: T): T {
    if (inst.failed) return failValue;
    const ctx = inst.ctx;
    ctx.enter(this.params.callBudgetInstructions);
    const instr0 = ctx.instructions, calls0 = ctx.kernelCalls, batched0 = this.batchedCalls;
    try {
      return fn();
    } catch (e) {
      if (e instanceof MachineFault) {
        if (!this.isolation) this.oops(inst, entry, e);
        this.driverFailed(inst, e.kind, e.message, e.site, entry);
        return failValue;
      }
      throw e;
    } finally {
      this.chargeDriverCall(ctx.instructions - instr0, ctx.kernelCalls - calls0 - (this.batchedCalls - batched0));
    }
  }

  /** Driver-to-kernel calls the isolation layer batched onto the return crossing (Nooks'
   *  deferred calls); they cost no crossing of their own. */
  batchedCalls = 0;

  /** CPU for one kernel-to-driver call: the driver's instructions and every crossing it made
   *  (the call in, and each kernel call out that the driver waits on). */
  private chargeDriverCall(instructions: number, kernelCalls: number): void {
    const p = this.params;
    this.cpu.charge('driver', instructions * p.instructionNs);
    this.cpu.crossings.in++;
    this.cpu.crossings.out += kernelCalls;
    this.cpu.charge('crossing', (1 + kernelCalls) * (this.isolation ? p.isolatedCrossingNs : p.directCallNs));
  }

  /**
   * Linux without isolation: an exception in driver code is an oops. A 2.4 kernel does not preempt
   * kernel code, so a driver that never returns hangs the machine. In interrupt or softirq context
   * the oops panics ("Aiee, killing interrupt handler!"); with a spinlock held the lock is never
   * released and the next taker deadlocks. In process context with no lock held, the calling
   * process is killed and the kernel goes on, with the driver's state and objects as they were.
   */
  private oops(inst: DriverInstance, entry: string, e: MachineFault): never {
    const where = `${inst.name}.${entry}${e.site ? ` at ${e.site}` : ''}`;
    if (e.kind === 'hang') this.crash(`system hung: ${where} never returned (${e.message}); the kernel does not preempt kernel code`);
    const c = entry === 'probe' ? PROBE_CONTEXT : this.entryContexts[entry] ?? PROBE_CONTEXT;
    if (c.context !== 'process') this.crash(`oops in ${c.context} context (${e.kind} in ${where}: ${e.message}): panic, killing interrupt handler`);
    if (c.lock) this.crash(`oops with ${c.lock} held (${e.kind} in ${where}: ${e.message}): the lock is never released, the next taker deadlocks`);
    const reason = `oops in process context (${e.kind} in ${where}: ${e.message})`;
    this.oopses.push({ process: this.currentProcess, entry, kind: e.kind, message: e.message, atUs: this.now });
    this.log('oops', `${reason}: killed ${this.currentProcess}; the kernel goes on`);
    throw new ProcessKilled(this.currentProcess, reason);
  }

  /** Run `fn` on behalf of process `name`: an oops that kills it (native, process context) ends
   *  only its work. Returns the reason it was killed, or null. */
  runAs(name: string, fn: () => void): string | null {
    const outer = this.currentProcess;
    this.currentProcess = name;
    try { fn(); return null; } catch (e) { if (e instanceof ProcessKilled) return e.reason; throw e; } finally { this.currentProcess = outer; }
  }

  /** A detected driver failure (from an exception, a rejected kernel call, or a watchdog). */
  driverFailed(inst: DriverInstance, kind: FailureKind, message: string, site: string | null, entry: string): void {
    if (!this.isolation) this.crash(`${kind} in ${inst.name}.${entry}: ${message}`);
    if (inst.failed) return;
    inst.failed = true;
    const report: FailureReport = { instance: inst, kind, message, site, entry, atUs: this.now, requestTag: inst.ctx.request };
    this.failures.push(report);
    this.log('detect', `${kind} in ${inst.name}.${entry}${site ? ` at ${site}` : ''}: ${message}`);
    for (const [line, owner] of this.irqOwner) if (owner === inst) this.maskedIrqs.add(line);
    this.sched.schedule(0, 'failure', () => this.onDriverFailure?.(report), -10);
  }

  /**
   * A kernel service got an invalid argument from a driver. Under isolation Nooks' wrappers reject
   * it (a detected failure). Without isolation the kernel does what Linux does (`NativeMisuse`):
   * a BUG is an oops in the caller's context; otherwise this returns and the service goes on.
   */
  badParam(service: string, message: string, native: NativeMisuse): void {
    if (this.isolation) throw new MachineFault('bad-param', `${service}: ${message}`);
    if (native === 'bug') throw new MachineFault('bad-param', `kernel BUG in ${service}: ${message}`);
    this.log('misuse', `${service}: ${message} (${native === 'error' ? 'error returned' : 'unchecked: kernel data corrupted'})`);
    if (native === 'corrupt') this.corruptKernelData(service, message);
  }

  /** Unchecked misuse damages kernel data the model does not structure (e.g. a slab's free list):
   *  one sealed word, chosen by the message, so the kernel's next consistency check trips on it. */
  private corruptKernelData(service: string, message: string): void {
    const words = (L.KERNEL_BASE + L.KERNEL_SIZE - L.KERNEL_DATA_BASE) >>> 2;
    const a = L.KERNEL_DATA_BASE + 4 * (fnv1a(new TextEncoder().encode(`${service}:${message}`)) % words);
    this.mem.view.setUint32(a, ~this.mem.view.getUint32(a, true) >>> 0, true);
    this.mem.kernelPagesWritten.add(a >> 12);
  }

  // ---- kernel services for drivers ---------------------------------------------------------

  /** kmalloc: a size no cache fits gets NULL in Linux. */
  kmalloc(inst: DriverInstance, size: number): number {
    if (!Number.isInteger(size) || size <= 0 || size > 0x8000) { this.badParam('kmalloc', `size ${size}`, 'error'); return 0; }
    return inst.heap.alloc(size);
  }

  /** kfree of something that is not an allocation: the slab allocator does not check (without
   *  slab debugging) and its free list is damaged. */
  kfree(inst: DriverInstance, addr: number): void {
    if (!inst.heap.release(addr)) this.badParam('kfree', `0x${addr.toString(16)} is not an allocation of ${inst.name}`, 'corrupt');
  }

  /** The services every class offers a driver instance: memory and its interrupt line, whose
   *  handler is the class's way into the driver (through the strategy's ops). A class adds its
   *  own services with Object.assign, not `{ ...resourceApi(), more }`: V8 (11.3) gives an object
   *  literal that starts with a spread and adds keys a new hidden class on every call (one per
   *  trial here; `--log-maps`). A literal with a key before the spread (netcore's) does not. */
  resourceApi(inst: DriverInstance, onInterrupt: () => void) {
    return {
      kmalloc: (size: number) => this.kmalloc(inst, size),
      kfree: (addr: number) => this.kfree(inst, addr),
      requestIrq: (line: number) => this.requestIrq(inst, line, onInterrupt),
      freeIrq: (line: number) => this.freeIrq(inst, line),
    };
  }

  private readonly timers = new Map<DriverInstance, { handle: EventHandle; fn: () => void }>();

  /** What the kernel has registered for an instance (its IRQ handlers, its pending timer). */
  registrationsOf(inst: DriverInstance): Registrations {
    const irqs: Array<[number, () => void]> = [];
    for (const [line, owner] of this.irqOwner) if (owner === inst) irqs.push([line, this.irqHandlers.get(line)!]);
    const t = this.timers.get(inst);
    return { irqs, timer: t ? { inUs: Math.max(1, t.handle.time - this.now), fn: t.fn } : null };
  }

  /** Register the same handlers and timer for another instance (a checkpoint restore). */
  restoreRegistrations(inst: DriverInstance, r: Registrations): void {
    for (const [line, handler] of r.irqs) this.requestIrq(inst, line, handler);
    if (r.timer) this.modTimer(inst, r.timer.inUs, r.timer.fn);
  }

  /** mod_timer: (re)arm the instance's timer; it dies with the instance. */
  modTimer(inst: DriverInstance, delayUs: number, fn: () => void): void {
    if (!Number.isInteger(delayUs) || delayUs <= 0 || delayUs > 60_000_000) {
      // Linux does not check a timer's expiry: a past one fires at the next tick, a far one much later.
      this.badParam('mod_timer', `delay ${delayUs} us`, 'error');
      if (!Number.isFinite(delayUs) || delayUs > 60_000_000) { this.delTimer(inst); return; }
      delayUs = Math.max(1, Math.floor(delayUs));
    }
    this.timers.get(inst)?.handle.cancel();
    this.timers.set(inst, { fn, handle: this.sched.schedule(delayUs, 'driver-timer', () => { this.timers.delete(inst); if (!inst.destroyed) fn(); }, 6) });
  }

  delTimer(inst: DriverInstance): void {
    this.timers.get(inst)?.handle.cancel();
    this.timers.delete(inst);
  }

  private readonly irqOwner = new Map<number, DriverInstance>();
  private readonly maskedIrqs = new Set<number>();

  /** request_irq: Linux returns -EINVAL or -EBUSY, which these drivers do not check (no handler). */
  requestIrq(inst: DriverInstance, line: number, handler: () => void): void {
    if (!Number.isInteger(line) || line < 1 || line > 15) { this.badParam('request_irq', `line ${line}`, 'error'); return; }
    if (this.irqOwner.has(line) && this.irqOwner.get(line) !== inst) { this.badParam('request_irq', `line ${line} is busy`, 'error'); return; }
    this.irqOwner.set(line, inst);
    this.irqHandlers.set(line, handler);
    this.maskedIrqs.delete(line);
  }

  /** free_irq of a line not held: Linux warns ("Trying to free free IRQ") and returns. */
  freeIrq(inst: DriverInstance, line: number): void {
    if (this.irqOwner.get(line) !== inst) { this.badParam('free_irq', `line ${line} not held by ${inst.name}`, 'error'); return; }
    this.irqOwner.delete(line);
    this.irqHandlers.delete(line);
    this.maskedIrqs.delete(line);
  }

  /** A device asserts its interrupt line; the handler runs after the delivery latency. */
  raiseIrq(line: number): void {
    const latency = this.params.irqLatencyUs + this.rng.get('env/irq').int(this.params.irqJitterUs + 1) + this.cpu.backlogUs();
    this.sched.schedule(latency, 'irq', this.irqDelivery(line), 1);
  }

  /** The event that delivers an interrupt on `line`: one per line (devices raise thousands). */
  private irqDelivery(line: number): () => void {
    let deliver = this.irqDeliveries.get(line);
    if (!deliver) {
      deliver = () => { if (!this.maskedIrqs.has(line)) this.irqHandlers.get(line)?.(); };
      this.irqDeliveries.set(line, deliver);
    }
    return deliver;
  }
  private readonly irqDeliveries = new Map<number, () => void>();

  // ---- the kernel's own consistency checks -------------------------------------------------

  /** Register a check that returns a description of corruption, or null. */
  addCheck(check: () => string | null): void { this.checks.push(check); }

  /** Run every consistency check now; corruption found is a panic. */
  checkIntegrity(): void {
    for (const check of this.checks) {
      const problem = check();
      if (problem) this.crash(`kernel found corrupted data: ${problem}`);
    }
    this.mem.kernelPagesWritten.clear();
  }

  private tick(): void {
    if (this.mem.kernelPagesWritten.size > 0) this.checkIntegrity();
    this.sched.schedule(this.params.kernelTickUs, 'tick', () => this.tick(), 10);
  }

  /** The part of kernel memory this model does not structure is filled and sealed per page. */
  private fillKernelData(): void {
    // Stand-in for the kernel's other data: bytes drawn from the `kernel/data` stream (seeding a
    // fast generator, since this is 184 KiB per trial), sealed page by page. A seal is the hash
    // of the page as filled; it is computed the first time the page is checked (most trials never
    // write kernel data), from the generator state saved at the page's start: the same bytes,
    // so the same seal as hashing every page here.
    const words = new Uint32Array(this.mem.bytes.buffer, L.KERNEL_DATA_BASE, (L.KERNEL_BASE + L.KERNEL_SIZE - L.KERNEL_DATA_BASE) >>> 2);
    let x = (this.rng.get('kernel/data').int(0x7fffffff) | 1) >>> 0;
    for (let page = 0; page << 10 < words.length; page++) {
      this.pageState.set((L.KERNEL_DATA_BASE >> 12) + page, x);
      for (let i = page << 10, end = Math.min(words.length, i + 1024); i < end; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; words[i] = x; }
    }
  }

  /** The seal of a kernel data page (the hash of its bytes as filled), or undefined. */
  private seal(page: number): number | undefined {
    let seal = this.pageSeal.get(page);
    if (seal !== undefined) return seal;
    let x = this.pageState.get(page);
    if (x === undefined) return undefined;
    const words = new Uint32Array(1024);
    for (let i = 0; i < 1024; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; words[i] = x >>> 0; }
    seal = fnv1a(new Uint8Array(words.buffer)); // little-endian, as the memory's view
    this.pageSeal.set(page, seal);
    return seal;
  }

  private checkKernelData(): string | null {
    for (const page of this.mem.kernelPagesWritten) {
      const seal = this.seal(page);
      if (seal === undefined) continue;
      const a = page << 12;
      if (fnv1a(this.mem.bytes.subarray(a, a + 0x1000)) !== seal) return `kernel data page 0x${a.toString(16)}`;
    }
    return null;
  }
}

export { DMA };
