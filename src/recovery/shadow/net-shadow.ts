// The network-class shadow driver. It knows the kernel's network interface, never a driver's
// internals: the same shadow serves every NIC driver.
// Passive: logs open, MAC, MTU, rx mode (flags and multicast list), the last statistics, and
// each transmit until the driver frees it. Active: sends are answered busy (the kernel keeps
// the packet), interrupts and timers are dropped, statistics come from the log, configuration
// is queued and acknowledged. Recovery replays configuration, resubmits pending transmits, and
// patches statistics counters that a restart resets.
import { ClassShadow } from './class-shadow.js';
import { EIO, NETDEV_TX_BUSY, NETDEV_TX_OK, NetDeviceOps, NetKernelApi, NetStats, MAX_MC } from '../../kernel/netcore.js';
import { OWNER_KERNEL, ownerOfSlot } from '../../kernel/skb.js';
import type { NetWorld } from '../../world/net-world.js';

interface PendingTx { skb: number; len: number }

const ZERO_STATS: NetStats = { rxPackets: 0, txPackets: 0, rxBytes: 0, txBytes: 0, rxErrors: 0, txErrors: 0 };
const addStats = (a: NetStats, b: NetStats): NetStats => ({
  rxPackets: a.rxPackets + b.rxPackets, txPackets: a.txPackets + b.txPackets, rxBytes: a.rxBytes + b.rxBytes,
  txBytes: a.txBytes + b.txBytes, rxErrors: a.rxErrors + b.rxErrors, txErrors: a.txErrors + b.txErrors,
});

export class NetShadow extends ClassShadow<NetDeviceOps, NetKernelApi> {
  /** Counters the application read before a restart reset them in the driver. */
  private statsOffset: NetStats = ZERO_STATS;
  private pending: PendingTx[] = [];
  /** An interrupt came during recovery and was not given to the driver. */
  private irqDropped = false;

  constructor(private readonly net: NetWorld, skipping = false) { super(net, skipping); }

  protected taps(): NetDeviceOps {
    return {
      open: () => this.config('open', 0, null, () => this.drv.open()),
      stop: () => { this.log.drop('open'); return this.mode === 'passive' ? this.drv.stop() : 0; },
      setMacAddress: (lo, hi) => this.config('mac', 8, { lo, hi }, () => this.drv.setMacAddress(lo, hi)),
      changeMtu: (mtu) => this.config('mtu', 4, mtu, () => this.drv.changeMtu(mtu)),
      setMulticastList: () => {
        const nd = this.net.netdev;
        const m = { flags: nd.flags, mc: Math.min(nd.multicastList().length, MAX_MC) };
        return this.config('rxmode', 4 + 8 * m.mc, m, () => this.drv.setMulticastList());
      },
      startXmit: (skb, len) => this.startXmit(skb, len),
      getStats: () => this.getStats(),
      txTimeout: () => this.passiveOrDrop('tx_timeout dropped', () => this.drv.txTimeout()),
      interrupt: () => { if (this.mode !== 'passive') this.irqDropped = true; this.passiveOrDrop('interrupt dropped', () => this.drv.interrupt()); },
      timer: () => this.passiveOrDrop('timer dropped', () => this.drv.timer()),
    };
  }

  /** A configuration call: logged when it succeeds; during recovery queued for replay and acknowledged. */
  private config<T>(key: string, bytes: number, value: T, call: () => number): number {
    if (this.mode === 'dead') return EIO;
    if (this.mode === 'active') { this.log.put(key, bytes, value); this.count(`${key} queued`); return 0; }
    const r = call();
    if (this.failedNow) { this.log.put(key, bytes, value); return 0; } // conceal: replayed after recovery
    if (r === 0) this.log.put(key, bytes, value);
    return r;
  }

  private startXmit(skb: number, len: number): number {
    if (this.mode === 'dead') return EIO;
    if (this.mode === 'active') { this.count('start_xmit answered busy'); return NETDEV_TX_BUSY; }
    if (this.refused('startXmit', [skb, len])) return EIO; // the kernel drops it: one error
    const r = this.drv.startXmit(skb, len);
    if (this.failedNow) { this.count('start_xmit answered busy'); return NETDEV_TX_BUSY; } // the kernel keeps the packet
    if (r === NETDEV_TX_OK) { this.log.put(`tx:${skb}`, 8, { skb, len } satisfies PendingTx); this.served(); }
    return r;
  }

  private getStats(): NetStats | null {
    const logged = (): NetStats => addStats(this.log.get<NetStats>('stats') ?? ZERO_STATS, this.statsOffset);
    if (this.mode !== 'passive') { this.count('get_stats answered from the log'); return logged(); }
    const s = this.drv.getStats();
    if (!s) return logged();
    this.log.put('stats', 24, s);
    return addStats(s, this.statsOffset);
  }

  private passiveOrDrop(what: string, call: () => void): void {
    if (this.mode === 'passive') call(); else this.count(what);
  }

  protected override tapApi(api: NetKernelApi): NetKernelApi {
    return {
      ...api,
      freeSkb: (skb: number) => { api.freeSkb(skb); this.log.drop(`tx:${skb}`); },
      // While reinitialising, the kernel keeps its view of the device (the MAC the
      // application may have set); replay gives the driver that MAC.
      publishMac: (lo: number, hi: number) => { if (!this.reiniting) api.publishMac(lo, hi); },
    };
  }

  /** Keep the transmits the failed driver had accepted; free its receive buffers. */
  protected keepPending(held: number[]): void {
    const logged = this.log.withPrefix<PendingTx>('tx:').map((e) => e.value);
    for (const p of logged) this.log.drop(`tx:${p.skb}`);
    const heldSet = new Set(held);
    this.pending = logged.filter((p) => heldSet.has(p.skb));
    const kept = new Set(this.pending.map((p) => p.skb));
    this.world.core.release(held.filter((s) => !kept.has(s)));
    if (this.log.has('stats')) { this.statsOffset = addStats(this.statsOffset, this.log.get<NetStats>('stats')!); this.log.drop('stats'); }
  }

  protected replay(): boolean {
    return this.replayLogged([
      ['open', () => this.drv.open()],
      ['mac', () => { const m = this.log.get<{ lo: number; hi: number }>('mac')!; return this.drv.setMacAddress(m.lo, m.hi); }],
      ['mtu', () => this.drv.changeMtu(this.log.get<number>('mtu')!)],
      ['rxmode', () => this.drv.setMulticastList()],
    ]);
  }

  protected resubmit(): boolean {
    const pending = this.pending;
    this.pending = [];
    for (let i = 0; i < pending.length; i++) {
      const { skb, len } = pending[i];
      if (this.refused('startXmit', [skb, len])) { this.k.skbs.free(skb, OWNER_KERNEL); continue; }
      this.chargeResubmit(len);
      const owner = ownerOfSlot(this.binding.inst.slot);
      this.k.skbs.transfer(skb, OWNER_KERNEL, owner);
      const r = this.drv.startXmit(skb, len);
      if (r === NETDEV_TX_OK && !this.failedNow) { this.log.put(`tx:${skb}`, 8, { skb, len }); continue; }
      // Not taken: back to the kernel's queue, with everything after it, in order.
      if (this.k.skbs.transfer(skb, owner, OWNER_KERNEL)) this.net.netdev.requeueFront(skb, len);
      for (const rest of pending.slice(i + 1).reverse()) this.net.netdev.requeueFront(rest.skb, rest.len);
      return !this.failedNow;
    }
    this.k.log('shadow', `resubmitted ${pending.length} pending transmits`);
    return true;
  }

  protected resume(): void {
    this.net.netdev.resumedService();
    this.net.netdev.apiFor(this.binding.inst).wakeQueue();
    // A PCI interrupt line is level-triggered: one the shadow held back during recovery is
    // still asserted (the cause register unread), so the recovered driver gets it now.
    if (this.irqDropped && this.mode === 'passive') { this.irqDropped = false; this.drv.interrupt(); }
  }

  protected shutDown(): void {
    this.net.netdev.apiFor(this.binding.inst).setCarrier(false);
    this.net.netdev.flushQueue();
  }
}
