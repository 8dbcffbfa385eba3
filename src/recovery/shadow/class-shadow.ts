// What every class's shadow driver shares (Swift et al. 2004): taps on both directions of the
// kernel-driver interface, a passive-mode log, active-mode proxying while recovering, and the
// recovery procedure: stop the driver and release what it held, reinitialise it as the kernel
// would, replay the logged configuration, resubmit pending requests, reopen the taps. Each class
// says what its taps log, how they proxy, and how it replays and resubmits.
import { Binding } from '../binding.js';
import { RetryBudget } from '../retry-budget.js';
import { runPhases, stopPhase, loadPhase, devicePhase, chargeRecovery } from '../phases.js';
import { ShadowLog } from './log.js';
import { StrategyReport, copyReport, emptyReport } from '../types.js';
import type { World } from '../../world/world.js';
import type { FailureReport } from '../../kernel/kernel.js';
import { young } from '../../sim/young.js';

export type ShadowMode = 'passive' | 'active' | 'dead';

export abstract class ClassShadow<Ops extends object, Api extends object> {
  readonly log = new ShadowLog();
  protected mode: ShadowMode = 'passive';
  protected binding!: Binding;
  private budget!: RetryBudget;
  /** True while the fresh instance runs its probe (taps may hide its calls from the kernel). */
  protected reiniting = false;
  readonly report: StrategyReport = emptyReport();
  readonly proxied: Record<string, number> = {};

  /** Rx-style skipping: requests on which recovery failed again are not given to the driver again. */
  private readonly failedOn = new Map<number, number>();
  private readonly poison = new Set<number>();
  private refusedCount = 0;
  /** Requests the driver completed since the last poison request was found. */
  private servedSincePoison = 1;

  /** `skipping`: the shadow-skip strategy (a request that fails again after recovery is skipped). */
  constructor(protected readonly world: World, protected readonly skipping = false) {}

  protected get k() { return this.world.k; }
  /** The live driver instance's entry points (under isolation). */
  protected get drv(): Ops { return this.binding.ops<Ops>(); }
  protected get failedNow(): boolean { return this.binding.inst.failed; }

  attach(): void {
    const k = this.k;
    this.budget = new RetryBudget(k.params.maxConsecutiveRecoveries, k.params.recoveryQuietUs);
    this.binding = Binding.load(this.world, { tapApi: this.tap });
    this.world.core.ops = this.charged(this.taps());
    k.onDriverFailure = young((f: FailureReport) => this.recover(f));
  }

  // ---- what each class provides -----------------------------------------------------------------
  /** The kernel's calls into the driver, as the shadow intercepts them. */
  protected abstract taps(): Ops;
  /** The driver's calls into the kernel, as the shadow intercepts them. */
  protected tapApi(api: Api): Api { return api; }
  /** From what the failed instance held, keep what will be resubmitted; release the rest. */
  protected abstract keepPending(held: number[]): void;
  /** Replay the logged configuration into the fresh instance; false if it failed again. */
  protected abstract replay(): boolean;
  /** Resubmit the requests kept from the failed instance; false if it failed again. */
  protected abstract resubmit(): boolean;
  /** Recovery is done: let waiting callers go on (wake queues, sleepers). */
  protected abstract resume(): void;
  /** Recovery keeps failing: take the device down in the class's way. */
  protected abstract shutDown(): void;

  // ---- shared machinery -----------------------------------------------------------------------------
  protected count(what: string): void {
    this.proxied[what] = (this.proxied[what] ?? 0) + 1;
    if (this.proxied[what] <= 3) this.k.log('shadow', `${what} during recovery`);
  }

  private readonly tap = <A extends object>(api: A): A => this.charged(this.tapApi(api as unknown as Api)) as unknown as A;

  /** Every tapped call costs the tap's bookkeeping. */
  protected charged<T extends object>(calls: T): T {
    const out = {} as Record<string, unknown>;
    for (const [name, fn] of Object.entries(calls)) {
      out[name] = typeof fn === 'function'
        ? (...args: unknown[]) => { this.k.cpu.charge('tap', this.k.params.tapNs); return (fn as (...a: unknown[]) => unknown)(...args); }
        : fn;
    }
    return out as T;
  }

  private recover(f: FailureReport): void {
    const k = this.k;
    if (f.instance !== this.binding.inst || this.mode === 'dead') return;
    this.notePoison(f);
    if (!this.budget.admit(k.now)) { this.giveUp(); return; }
    this.report.recoveriesAttempted++;
    this.mode = 'active';
    this.log.markFailure();
    this.report.log.atFailureEntries = this.log.atFailureEntries;
    this.report.log.atFailureBytes = this.log.atFailureBytes;
    k.log('recovery', `shadow: ${f.instance.name} failed (${f.kind}); active mode, ${this.log.size} log entries (${this.log.sizeBytes} B)`);
    runPhases(k, [
      stopPhase(k, 'stop', () => { const held = this.binding.reclaimAndDestroy(); this.keepPending(held); return held.length; }),
      loadPhase(k, () => this.reinit()),
      devicePhase(this.world.device),
      { name: 'replay', fixedUs: 0, run: () => this.replay() },
      { name: 'resubmit', fixedUs: 0, run: () => this.resubmit() },
    ], this.report.phasesUs, () => {
      this.mode = 'passive';
      this.report.recoveriesSucceeded++;
      this.report.restoredAtUs.push(k.now);
      k.log('recovery', `shadow: ${this.binding.inst.name} recovered; configuration replayed, requests resubmitted; taps reopened`);
      this.resume();
    });
    // A phase that fails stops the chain: the new instance's failure report brings us back here.
  }

  /** A failure on a request that already made the driver fail once (recovery resubmitted it, or
   *  its sender sent it again): the request is poison; it will not reach the driver again. */
  private notePoison(f: FailureReport): void {
    if (!this.skipping || f.requestTag === 0) return;
    const n = (this.failedOn.get(f.requestTag) ?? 0) + 1;
    this.failedOn.set(f.requestTag, n);
    if (n >= 2 && !this.poison.has(f.requestTag)) {
      this.poison.add(f.requestTag);
      // The cause is found and will be bypassed: if the driver served other requests since the
      // last one was found (skipping helps), this recovery starts a new episode. Otherwise the
      // budget runs out as for the shadow: a fault that hits every request is not worked around.
      if (this.servedSincePoison > 0) this.budget.reset();
      this.servedSincePoison = 0;
      this.k.log('shadow', `request ${f.requestTag.toString(16)} failed the driver again (${f.entry}); skipping it from now on`);
    }
  }

  /** The driver completed a request (progress that makes skipping worth it). */
  protected served(): void { this.servedSincePoison++; }

  /** Skip this call: it carries a poison request (its caller gets an error instead). */
  protected refused(entry: string, args: readonly unknown[]): boolean {
    if (this.poison.size === 0) return false;
    const tag = this.world.core.requestTag?.(entry, args) ?? 0;
    if (!this.poison.has(tag)) return false;
    this.refusedCount++;
    this.count('poison request refused');
    return true;
  }

  /** Reinitialise: load a fresh instance and probe it, as the kernel does at module load. */
  private reinit(): boolean {
    this.reiniting = true;
    try { this.binding = Binding.load(this.world, { tapApi: this.tap }); } finally { this.reiniting = false; }
    if (!this.binding.healthy) { if (!this.failedNow) this.giveUp(); return false; }
    return true;
  }

  /** Replay the logged calls named in `keys`, in order, through `call`. */
  protected replayLogged(steps: Array<[string, () => number]>): boolean {
    for (const [key, call] of steps) {
      if (!this.log.has(key)) continue;
      chargeRecovery(this.k, this.k.params.replayCallNs);
      const r = call();
      if (this.failedNow) return false;
      if (r < 0) this.k.log('recovery', `shadow: replaying ${key} returned ${r}`);
    }
    return true;
  }

  /** Resubmitting one pending request of `bytes` costs the shadow its bookkeeping and remapping. */
  protected chargeResubmit(bytes: number): void {
    const p = this.k.params;
    chargeRecovery(this.k, p.resubmitRequestNs + bytes * p.resubmitByteNs);
  }

  protected giveUp(): void {
    if (this.mode === 'dead') return;
    this.mode = 'dead';
    this.report.gaveUp = true;
    if (!this.binding.inst.destroyed) this.world.core.release(this.binding.reclaimAndDestroy());
    this.shutDown();
    this.k.log('recovery', `shadow: giving up after ${this.k.params.maxConsecutiveRecoveries} attempts; the device is down`);
    this.resume();
  }

  strategyReport(): StrategyReport {
    const stats: Record<string, number> = this.skipping ? { poisonRequests: this.poison.size, requestsRefused: this.refusedCount } : {};
    return copyReport({ ...this.report, stats }, { ...this.report.log, peakEntries: this.log.peakEntries, peakBytes: this.log.peakBytes });
  }
}
