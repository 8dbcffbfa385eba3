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
  private readonly slots: Array<DriverInstance | null> = new Array(L.DRIVER_SLOTS).fill(null);
  private loads = 0;
  private readonly pageSeal = new Map<number, number>();
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

  /** A kernel service got an invalid argument from a driver. */
  badParam(service: string, message: string): never {
    if (this.isolation) throw new MachineFault('bad-param', `${service}: ${message}`);
    this.crash(`kernel oops in ${service}: ${message}`);
  }

  // ---- kernel services for drivers ---------------------------------------------------------

  kmalloc(inst: DriverInstance, size: number): number {
    if (!Number.isInteger(size) || size <= 0 || size > 0x8000) this.badParam('kmalloc', `size ${size}`);
    return inst.heap.alloc(size);
  }

  kfree(inst: DriverInstance, addr: number): void {
    if (!inst.heap.release(addr)) this.badParam('kfree', `0x${addr.toString(16)} is not an allocation of ${inst.name}`);
  }

  /** The services every class offers a driver instance: memory and its interrupt line, whose
   *  handler is the class's way into the driver (through the strategy's ops). */
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
    if (!Number.isInteger(delayUs) || delayUs <= 0 || delayUs > 60_000_000) this.badParam('mod_timer', `delay ${delayUs} us`);
    this.timers.get(inst)?.handle.cancel();
    this.timers.set(inst, { fn, handle: this.sched.schedule(delayUs, 'driver-timer', () => { this.timers.delete(inst); if (!inst.destroyed) fn(); }, 6) });
  }

  delTimer(inst: DriverInstance): void {
    this.timers.get(inst)?.handle.cancel();
    this.timers.delete(inst);
  }

  private readonly irqOwner = new Map<number, DriverInstance>();
  private readonly maskedIrqs = new Set<number>();

  requestIrq(inst: DriverInstance, line: number, handler: () => void): void {
    if (!Number.isInteger(line) || line < 1 || line > 15) this.badParam('request_irq', `line ${line}`);
    if (this.irqOwner.has(line) && this.irqOwner.get(line) !== inst) this.badParam('request_irq', `line ${line} is busy`);
    this.irqOwner.set(line, inst);
    this.irqHandlers.set(line, handler);
    this.maskedIrqs.delete(line);
  }

  freeIrq(inst: DriverInstance, line: number): void {
    if (this.irqOwner.get(line) !== inst) this.badParam('free_irq', `line ${line} not held by ${inst.name}`);
    this.irqOwner.delete(line);
    this.irqHandlers.delete(line);
    this.maskedIrqs.delete(line);
  }

  /** A device asserts its interrupt line; the handler runs after the delivery latency. */
  raiseIrq(line: number): void {
    const latency = this.params.irqLatencyUs + this.rng.get('env/irq').int(this.params.irqJitterUs + 1) + this.cpu.backlogUs();
    this.sched.schedule(latency, 'irq', () => {
      if (this.maskedIrqs.has(line)) return;
      this.irqHandlers.get(line)?.();
    }, 1);
  }

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
    // fast generator, since this is 184 KiB per trial), then sealed page by page.
    const words = new Uint32Array(this.mem.bytes.buffer, L.KERNEL_DATA_BASE, (L.KERNEL_BASE + L.KERNEL_SIZE - L.KERNEL_DATA_BASE) >>> 2);
    let x = (this.rng.get('kernel/data').int(0x7fffffff) | 1) >>> 0;
    for (let i = 0; i < words.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; words[i] = x >>> 0; }
    for (let a = L.KERNEL_DATA_BASE; a < L.KERNEL_BASE + L.KERNEL_SIZE; a += 0x1000) {
      this.pageSeal.set(a >> 12, fnv1a(this.mem.bytes.subarray(a, a + 0x1000)));
    }
  }

  private checkKernelData(): string | null {
    for (const page of this.mem.kernelPagesWritten) {
      const seal = this.pageSeal.get(page);
      if (seal === undefined) continue;
      const a = page << 12;
      if (fnv1a(this.mem.bytes.subarray(a, a + 0x1000)) !== seal) return `kernel data page 0x${a.toString(16)}`;
    }
    return null;
  }
}

export { DMA };
