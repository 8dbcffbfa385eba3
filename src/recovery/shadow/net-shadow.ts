// The network-class shadow driver (Swift et al. 2004). It knows the kernel's network
// interface, never a driver's internals: the same shadow serves every NIC driver.
//
// Passive mode: taps call the driver, then log what changes its abstract state.
// Active mode (during recovery): taps answer for the driver (busy, drop, from the log, queue).
// Recovery: stop and release, reinitialise as the kernel would, replay, resubmit, reopen.
import { Binding } from '../binding.js';
import { RetryBudget } from '../retry-budget.js';
import { runPhases } from '../phases.js';
import { ShadowLog } from './log.js';
import { EIO, NETDEV_TX_BUSY, NETDEV_TX_OK, NetDeviceOps, NetKernelApi, NetStats, MAX_MC } from '../../kernel/netcore.js';
import { OWNER_KERNEL, ownerOfSlot } from '../../kernel/skb.js';
import type { NetWorld } from '../../trial/net-world.js';
import type { FailureReport } from '../../kernel/kernel.js';
import { StrategyReport, emptyReport } from '../types.js';

interface PendingTx { skb: number; len: number }
type Mode = 'passive' | 'active' | 'dead';

const ZERO_STATS: NetStats = { rxPackets: 0, txPackets: 0, rxBytes: 0, txBytes: 0, rxErrors: 0, txErrors: 0 };
const addStats = (a: NetStats, b: NetStats): NetStats => ({
  rxPackets: a.rxPackets + b.rxPackets, txPackets: a.txPackets + b.txPackets, rxBytes: a.rxBytes + b.rxBytes,
  txBytes: a.txBytes + b.txBytes, rxErrors: a.rxErrors + b.rxErrors, txErrors: a.txErrors + b.txErrors,
});


export class NetShadow {
  readonly log = new ShadowLog();
  private mode: Mode = 'passive';
  private binding!: Binding;
  private budget!: RetryBudget;
  /** Counters the application read before a restart reset them in the driver. */
  private statsOffset: NetStats = ZERO_STATS;
  private reiniting = false;
  readonly report: StrategyReport = emptyReport();
  proxied = { busy: 0, dropped: 0, answered: 0, queued: 0 };

  constructor(private readonly world: NetWorld) {}

  attach(): void {
    const { k } = this.world;
    this.budget = new RetryBudget(k.params.maxConsecutiveRecoveries, k.params.recoveryQuietUs);
    this.binding = Binding.load(this.world, this.tap);
    this.world.netdev.ops = this.taps();
    k.onDriverFailure = (f) => this.recover(f);
  }

  private get k() { return this.world.k; }
  private get drv(): NetDeviceOps { return this.binding.ops<NetDeviceOps>(); }
  private get failedNow(): boolean { return this.binding.inst.failed; }

  // ---- taps: the kernel's calls into the driver ----------------------------------------------
  private taps(): NetDeviceOps {
    const ops: NetDeviceOps = {
      open: () => this.config('open', 0, null, () => this.drv.open()),
      stop: () => { this.log.drop('open'); return this.mode === 'passive' ? this.drv.stop() : 0; },
      setMacAddress: (lo, hi) => this.config('mac', 8, { lo, hi }, () => this.drv.setMacAddress(lo, hi)),
      changeMtu: (mtu) => this.config('mtu', 4, mtu, () => this.drv.changeMtu(mtu)),
      setMulticastList: () => { const m = this.rxMode(); return this.config('rxmode', 4 + 8 * m.mc, m, () => this.drv.setMulticastList()); },
      startXmit: (skb, len) => this.startXmit(skb, len),
      getStats: () => this.getStats(),
      txTimeout: () => this.passiveOrDrop(() => this.drv.txTimeout()),
      interrupt: () => this.passiveOrDrop(() => this.drv.interrupt()),
      timer: () => this.passiveOrDrop(() => this.drv.timer()),
    };
    return this.charged(ops);
  }

  /** Every tapped call costs the tap's bookkeeping. */
  private charged<T extends object>(calls: T): T {
    const out = {} as Record<string, unknown>;
    for (const [name, fn] of Object.entries(calls)) {
      out[name] = typeof fn === 'function'
        ? (...args: unknown[]) => { this.k.cpu.charge('tap', this.k.params.tapNs); return (fn as (...a: unknown[]) => unknown)(...args); }
        : fn;
    }
    return out as T;
  }

  /** A configuration call: logged when it succeeds; during recovery queued for replay and acknowledged. */
  private config<T>(key: string, bytes: number, value: T, call: () => number): number {
    if (this.mode === 'dead') return EIO;
    if (this.mode === 'active') { this.log.put(key, bytes, value); this.proxied.queued++; return 0; }
    const r = call();
    if (this.failedNow) { this.log.put(key, bytes, value); return 0; } // conceal: replayed after recovery
    if (r === 0) this.log.put(key, bytes, value);
    return r;
  }

  private rxMode(): { flags: number; mc: number } {
    const nd = this.world.netdev;
    return { flags: nd.flags, mc: Math.min(nd.multicastList().length, MAX_MC) };
  }

  private startXmit(skb: number, len: number): number {
    if (this.mode === 'dead') return EIO;
    if (this.mode === 'active') return this.busy();
    const r = this.drv.startXmit(skb, len);
    if (this.failedNow) return this.busy(); // the kernel keeps the packet and retries after recovery
    if (r === NETDEV_TX_OK) this.log.put(`tx:${skb}`, 8, { skb, len } satisfies PendingTx);
    return r;
  }

  private busy(): number {
    this.proxied.busy++;
    if (this.proxied.busy <= 3) this.k.log('shadow', 'start_xmit answered busy during recovery');
    return NETDEV_TX_BUSY;
  }

  private getStats(): NetStats | null {
    if (this.mode !== 'passive') { this.proxied.answered++; return addStats(this.log.get<NetStats>('stats') ?? ZERO_STATS, this.statsOffset); }
    const s = this.drv.getStats();
    if (!s) return addStats(this.log.get<NetStats>('stats') ?? ZERO_STATS, this.statsOffset);
    this.log.put('stats', 24, s);
    return addStats(s, this.statsOffset);
  }

  private passiveOrDrop(call: () => void): void {
    if (this.mode === 'passive') { call(); return; }
    this.proxied.dropped++;
  }

  // ---- taps: the driver's calls into the kernel -----------------------------------------------
  private readonly tap = <A extends object>(api: A): A => this.tapApi(api as unknown as NetKernelApi) as unknown as A;

  private tapApi(api: NetKernelApi): NetKernelApi {
    return {
      ...api,
      ...this.charged({
        freeSkb: (skb: number) => { api.freeSkb(skb); this.log.drop(`tx:${skb}`); },
        // While reinitialising, the kernel keeps its view of the device (the MAC the
        // application may have set); replay gives the driver that MAC.
        publishMac: (lo: number, hi: number) => { if (!this.reiniting) api.publishMac(lo, hi); },
      }),
    };
  }

  // ---- recovery ---------------------------------------------------------------------------------
  private recover(f: FailureReport): void {
    const k = this.k;
    if (f.instance !== this.binding.inst || this.mode === 'dead') return;
    if (!this.budget.admit(k.now)) { this.giveUp(); return; }
    this.report.recoveriesAttempted++;
    this.mode = 'active';
    this.log.markFailure();
    this.report.log.atFailureEntries = this.log.atFailureEntries;
    this.report.log.atFailureBytes = this.log.atFailureBytes;
    k.log('recovery', `shadow: ${f.instance.name} failed (${f.kind}); active mode, ${this.log.size} log entries (${this.log.sizeBytes} B)`);
    let pending: PendingTx[] = [];
    const p = k.params;
    runPhases(k, [
      { name: 'stop', fixedUs: p.recoveryStopUs, run: () => { pending = this.stopDriver(); return true; } },
      { name: 'reinit', fixedUs: p.moduleLoadUs, run: () => this.reinit() },
      { name: 'replay', fixedUs: 0, run: () => this.replay() },
      { name: 'resubmit', fixedUs: 0, run: () => this.resubmit(pending) },
    ], this.report.phasesUs, () => {
      this.mode = 'passive';
      this.report.recoveriesSucceeded++;
      this.report.restoredAtUs.push(k.now);
      k.log('recovery', `shadow: ${this.binding.inst.name} recovered; replayed configuration, resubmitted ${pending.length} requests; taps reopened`);
      this.world.netdev.apiFor(this.binding.inst).wakeQueue();
    });
    // A phase that fails stops the chain: the new instance's failure report brings us back here.
  }

  /** Stop: unload the failed instance; keep its pending requests, free everything else it held. */
  private stopDriver(): PendingTx[] {
    const k = this.k;
    const pending = this.log.withPrefix<PendingTx>('tx:').map((e) => e.value);
    const held = new Set(this.binding.reclaimAndDestroy());
    for (const p of pending) this.log.drop(`tx:${p.skb}`);
    const keep = pending.filter((p) => held.has(p.skb));
    for (const skb of held) if (!keep.some((p) => p.skb === skb)) k.skbs.free(skb, OWNER_KERNEL);
    if (this.log.has('stats')) { this.statsOffset = addStats(this.statsOffset, this.log.get<NetStats>('stats')!); this.log.drop('stats'); }
    return keep;
  }

  /** Reinitialise: load a fresh instance and probe it, as the kernel does at module load. */
  private reinit(): boolean {
    this.reiniting = true;
    try { this.binding = Binding.load(this.world, this.tap); } finally { this.reiniting = false; }
    if (!this.binding.healthy) { if (!this.failedNow) this.giveUp(); return false; }
    return true;
  }

  /** Replay the configuration the kernel and applications had given the driver. */
  private replay(): boolean {
    const calls: Array<[string, () => number]> = [
      ['open', () => this.drv.open()],
      ['mac', () => { const m = this.log.get<{ lo: number; hi: number }>('mac')!; return this.drv.setMacAddress(m.lo, m.hi); }],
      ['mtu', () => this.drv.changeMtu(this.log.get<number>('mtu')!)],
      ['rxmode', () => this.drv.setMulticastList()],
    ];
    for (const [key, call] of calls) {
      if (!this.log.has(key)) continue;
      const r = call();
      if (this.failedNow) return false;
      if (r !== 0) this.k.log('recovery', `shadow: replaying ${key} returned ${r}`);
    }
    return true;
  }

  /** Resubmit the requests the failed driver had accepted but not completed. */
  private resubmit(pending: PendingTx[]): boolean {
    for (let i = 0; i < pending.length; i++) {
      const { skb, len } = pending[i];
      const owner = ownerOfSlot(this.binding.inst.slot);
      this.k.skbs.transfer(skb, OWNER_KERNEL, owner);
      const r = this.drv.startXmit(skb, len);
      if (r === NETDEV_TX_OK && !this.failedNow) { this.log.put(`tx:${skb}`, 8, { skb, len }); continue; }
      // Not taken: back to the kernel's queue, with everything after it, in order.
      if (this.k.skbs.transfer(skb, owner, OWNER_KERNEL)) this.world.netdev.requeueFront(skb, len);
      for (const rest of pending.slice(i + 1).reverse()) this.world.netdev.requeueFront(rest.skb, rest.len);
      return !this.failedNow;
    }
    return true;
  }

  /** Recovery keeps failing: stop cleanly. The interface goes down and callers get errors. */
  private giveUp(): void {
    if (this.mode === 'dead') return;
    this.mode = 'dead';
    this.report.gaveUp = true;
    const api = this.world.netdev.apiFor(this.binding.inst);
    api.setCarrier(false);
    if (!this.binding.inst.destroyed) for (const skb of this.binding.reclaimAndDestroy()) this.k.skbs.free(skb, OWNER_KERNEL);
    this.world.netdev.flushQueue();
    this.k.log('recovery', `shadow: giving up after ${this.k.params.maxConsecutiveRecoveries} attempts; the interface is down`);
  }

  strategyReport(): StrategyReport {
    return { ...this.report, log: { ...this.report.log, peakEntries: this.log.peakEntries, peakBytes: this.log.peakBytes }, phasesUs: { ...this.report.phasesUs }, restoredAtUs: [...this.report.restoredAtUs] };
  }
}

