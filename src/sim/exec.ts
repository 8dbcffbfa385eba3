// The execution context through which driver code does every load, store, data-dependent
// branch, loop bound, allocation, kernel call and interrupt entry. Each goes through a named
// fault site (e.g. `e1000.xmit.ring_full`), so an interceptor (the SWIFI injector, plugged in
// from outside) can change what happens there, and a profiling run can list what executes.
import { AddressSpace, Domain } from './memory.js';
import { MachineFault } from './faults.js';
import { young } from './young.js';

/** Device registers as driver code sees them (memory-mapped I/O). */
export interface Mmio { readReg(reg: number): number; writeReg(reg: number, value: number): void }

/** The arguments of every site but a call: one shared empty list, not one per execution
 *  (an interceptor changes call arguments only, on their copy). */
const NO_ARGS: number[] = [];

export type SiteKind = 'load' | 'ptr' | 'store' | 'branch' | 'bound' | 'alloc' | 'call' | 'irq';

/** One execution of a site, mutable by the interceptor. */
export interface SiteExec {
  site: string;
  kind: SiteKind;
  /** Loaded/stored value, branch condition (1/0), loop bound, or allocation size. */
  value: number;
  /** Address for loads and stores. */
  addr: number;
  /** Arguments of a kernel call. */
  args: number[];
  /** Suppress the operation (deleted store, failed allocation, lost interrupt). */
  skip: boolean;
  /** Instance generation of the executing driver (bumped at every reload). */
  generation: number;
  /** Which driver instance runs (e.g. `e1000#0`). */
  instance: string;
  /** Tag of the request the driver is handling (a hash of its content), 0 if none. */
  request: number;
  /** Memory stores: what a 32-bit word holds now (undefined if unmapped), so a mutation can
   *  tell whether it changed anything. Absent for register writes and copies. */
  peek?: (addr: number) => number | undefined;
  /** Kernel calls: the part of the arguments the service reads (e.g. only a status's sign), if
   *  the service declared it; equal canon means the call behaves the same. */
  canon?: (args: readonly number[]) => number[];
}

/** The one SiteExec a context refills for every watched execution. A class with every field set
 *  in its constructor, so all of them share one hidden class: a literal given `peek` and `canon`
 *  later changed shape in every new context, and the optimised `show` was thrown away and
 *  recompiled some hundred times per 4000 trials (measured with --trace-deopt). */
class ScratchExec implements SiteExec {
  site = '';
  kind: SiteKind = 'load';
  value = 0;
  addr = 0;
  args: number[] = NO_ARGS;
  skip = false;
  request = 0;
  peek: ((addr: number) => number | undefined) | undefined = undefined;
  canon: ((args: readonly number[]) => number[]) | undefined = undefined;
  constructor(readonly generation: number, readonly instance: string) {}
}

/** A kernel service may say which part of its arguments it reads (see SiteExec.canon). */
export type KernelService<T> = ((...args: number[]) => T) & { canon?: (args: readonly number[]) => number[] };

export interface SiteInterceptor {
  /** Called before the operation for stores/calls/allocs/irqs, after it for loads. */
  onSite(exec: SiteExec): void;
  /** Whether `onSite` can do anything at `site` (asked once per site and context; absent: yes). */
  watches?(site: string): boolean;
}

/** A site as one context sees it: its entry in the shared coverage, and whether the
 *  interceptor watches it (one lookup per execution instead of two). */
interface SiteState { coverage: SiteCoverage; watched: boolean }

/** A site as the profile saw it: its kind, how often it ran, and (for calls) how many arguments. */
export interface SiteCoverage { kind: SiteKind; count: number; args: number; /** executions while handling a request */ withRequest: number }

export class ExecContext {
  /** Sites executed by this instance, with how often (the fault-free profile reads this). */
  readonly coverage: Map<string, SiteCoverage>;
  budgetLeft = 0;
  instructions = 0;
  /** Tag of the request the current entry point handles (set by the caller), 0 if none. */
  request = 0;
  /** Calls into the kernel (each is a crossing out of the driver's domain). */
  kernelCalls = 0;
  private readonly scratch: SiteExec;

  constructor(
    readonly mem: AddressSpace,
    readonly domain: Domain,
    readonly interceptor: SiteInterceptor | null,
    readonly generation: number,
    coverage: Map<string, SiteCoverage>,
  ) {
    this.coverage = coverage;
    this.scratch = new ScratchExec(generation, domain.name);
    this.peekWord = young((addr) => {
      const r = mem.regionOf(addr);
      return r && addr >= 0 && addr + 4 <= r.base + r.size ? mem.view.getUint32(addr, true) : undefined;
    });
  }

  private readonly peekWord: (addr: number) => number | undefined;

  /** Start a kernel-to-driver call with a fresh instruction budget. */
  enter(budget: number): void { this.budgetLeft = budget; }

  /** Count one instruction; running out of budget is a hang. */
  step(site: string, n = 1): void {
    this.instructions += n;
    this.budgetLeft -= n;
    if (this.budgetLeft < 0) throw new MachineFault('hang', `${this.domain.name} exceeded its instruction budget`, site);
  }

  private readonly sites = new Map<string, SiteState>();

  /** Count an execution of `site`; whether the interceptor watches it. */
  private countSite(site: string, kind: SiteKind, args: number): boolean {
    let s = this.sites.get(site);
    if (s === undefined) {
      let c = this.coverage.get(site);
      if (c === undefined) { c = { kind, count: 0, args, withRequest: 0 }; this.coverage.set(site, c); }
      s = { coverage: c, watched: this.interceptor !== null && (this.interceptor.watches?.(site) ?? true) };
      this.sites.set(site, s);
    }
    s.coverage.count++;
    if (this.request !== 0) s.coverage.withRequest++;
    return s.watched;
  }

  /** One execution of a site: an instruction, counted; whether the interceptor must see it.
   *  Most executions are of sites where no fault is planted: each operation below then takes its
   *  plain path, with no SiteExec filled in (the interceptor would have left it unchanged). */
  private seen(site: string, kind: SiteKind, args: number): boolean {
    this.step(site);
    return this.countSite(site, kind, args);
  }

  /** Show a watched execution to the interceptor (after `seen`); `peek` for memory stores. */
  private show(site: string, kind: SiteKind, value: number, addr: number, args: number[], peek?: (addr: number) => number | undefined): SiteExec {
    const e = this.scratch;
    e.site = site; e.kind = kind; e.value = value; e.addr = addr; e.args = args; e.skip = false; e.request = this.request;
    e.peek = peek; e.canon = undefined;
    this.interceptor!.onSite(e);
    return e;
  }

  /** Load a 32-bit value. */
  ld(site: string, addr: number): number {
    const v = this.mem.read32(addr, this.domain, site);
    if (!this.seen(site, 'load', 0)) return v >>> 0;
    return this.show(site, 'load', v, addr, NO_ARGS).value >>> 0;
  }

  /** Load a pointer (a pointer-corruption site). */
  ldp(site: string, addr: number): number {
    const v = this.mem.read32(addr, this.domain, site);
    if (!this.seen(site, 'ptr', 0)) return v >>> 0;
    return this.show(site, 'ptr', v, addr, NO_ARGS).value >>> 0;
  }

  /** Store a 32-bit value (the interceptor may look at what the word holds now). */
  st(site: string, addr: number, value: number): void {
    if (!this.seen(site, 'store', 0)) { this.mem.write32(addr, value, this.domain, site); return; }
    const e = this.show(site, 'store', value, addr, NO_ARGS, this.peekWord);
    if (!e.skip) this.mem.write32(e.addr, e.value, this.domain, site);
  }

  /** Copy `len` bytes (a memcpy: one store site whose destination, or the whole copy, a
   *  fault can change). Costs an instruction per word. */
  copy(site: string, dst: number, src: number, len: number): void {
    this.step(site, len >>> 2);
    if (!this.seen(site, 'store', 0)) { this.mem.copy(dst, src, len, this.domain, site); return; }
    const e = this.show(site, 'store', len, dst, NO_ARGS);
    if (e.skip) return;
    this.mem.copy(e.addr, src, len, this.domain, site);
  }

  /** A data-dependent branch: returns the (possibly mutated) condition. */
  br(site: string, cond: boolean): boolean {
    if (!this.seen(site, 'branch', 0)) return cond;
    return this.show(site, 'branch', cond ? 1 : 0, 0, NO_ARGS).value !== 0;
  }

  /** A loop bound. */
  bound(site: string, n: number): number {
    if (!this.seen(site, 'bound', 0)) return n;
    return this.show(site, 'bound', n, 0, NO_ARGS).value;
  }

  /** A kernel call: the interceptor may corrupt an argument before the kernel sees it. */
  call<T>(site: string, args: number[], fn: KernelService<T>): T {
    this.kernelCalls++;
    if (!this.seen(site, 'call', args.length)) return fn(...args);
    const e = this.scratch;
    e.site = site; e.kind = 'call'; e.value = 0; e.addr = 0; e.args = args.slice(); e.skip = false; e.request = this.request;
    e.peek = undefined; e.canon = fn.canon ?? (fn.length < args.length ? (a) => a.slice(0, fn.length) : undefined); // arguments a call never reads
    this.interceptor!.onSite(e);
    return fn(...e.args);
  }

  /** An allocation: returns 0 when the allocation fails. */
  alloc(site: string, size: number, fn: (size: number) => number): number {
    if (!this.seen(site, 'alloc', 0)) return fn(size);
    const e = this.show(site, 'alloc', size, 0, NO_ARGS);
    return e.skip ? 0 : fn(e.value);
  }

  /** Read a device register (a load site). */
  rdReg(site: string, dev: Mmio, reg: number): number {
    const v = dev.readReg(reg) >>> 0;
    if (!this.seen(site, 'load', 0)) return v;
    return this.show(site, 'load', v, 0, NO_ARGS).value >>> 0;
  }

  /** Write a device register (a store site; a deleted store never reaches the device). */
  wrReg(site: string, dev: Mmio, reg: number, value: number): void {
    if (!this.seen(site, 'store', 0)) { dev.writeReg(reg, value >>> 0); return; }
    const e = this.show(site, 'store', value, reg, NO_ARGS);
    if (!e.skip) dev.writeReg(e.addr, e.value >>> 0); // a corrupted destination hits another register
  }

  /** Interrupt entry: false when the interrupt is lost. */
  irq(site: string): boolean {
    if (!this.seen(site, 'irq', 0)) return true;
    return !this.show(site, 'irq', 1, 0, NO_ARGS).skip;
  }
}
