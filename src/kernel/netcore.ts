// The kernel's network core for one interface: the net_device struct in kernel memory, the
// transmit queue, receive backlog, packet taps, and the transmit watchdog. The driver is
// reached only through `ops`, which the recovery strategy provides (its taps or wrappers).
import { fnv1a } from '../sim/memory.js';
import { Mac, frameDst, frameType, macEq, BROADCAST } from '../net/eth.js';
import type { Kernel, DriverInstance, EntryContexts } from './kernel.js';
import { OWNER_KERNEL, ownerOfSlot } from './skb.js';
import * as L from './layout.js';
import type { ClassCore } from './class-core.js';
import { startHangWatchdog } from './hang-watchdog.js';

export const NETDEV_TX_OK = 0;
export const NETDEV_TX_BUSY = 1;
export const EIO = -5;
export const IFF_UP = 0x1;
export const IFF_PROMISC = 0x100;
export const MAX_MC = 8;
/** Byte offsets in the net_device struct. */
export const ND = { FLAGS: 0, MTU: 4, MAC_LO: 8, MAC_HI: 12, MC_COUNT: 16, MC_LIST: 20, SEAL: 0x1fc } as const;

export interface NetStats { rxPackets: number; txPackets: number; rxBytes: number; txBytes: number; rxErrors: number; txErrors: number }

/** The kernel-to-driver network interface (Linux net_device ops plus the interrupt). */
export interface NetDeviceOps {
  open(): number;
  stop(): number;
  startXmit(skb: number, len: number): number;
  setMacAddress(lo: number, hi: number): number;
  setMulticastList(): number;
  changeMtu(mtu: number): number;
  getStats(): NetStats | null;
  txTimeout(): void;
  interrupt(): void;
  /** The driver's own timer (set with modTimer) expired. */
  timer(): void;
}

/** What a network driver may call in the kernel (bound to one instance). */
export interface NetKernelApi {
  readonly netdevAddr: number;
  kmalloc(size: number): number;
  kfree(addr: number): void;
  allocSkb(): number;
  freeSkb(skb: number): void;
  netifRx(skb: number, len: number): void;
  stopQueue(): void;
  wakeQueue(): void;
  setCarrier(on: boolean): void;
  publishMac(lo: number, hi: number): void;
  requestIrq(line: number): void;
  freeIrq(line: number): void;
  /** Arm the driver's timer; the kernel calls ops.timer() when it expires. */
  modTimer(delayUs: number): void;
  delTimer(): void;
}

export type FrameHandler = (frame: Uint8Array) => void;

/** Entry points with what a call to a failed driver returns. */
export const NET_ENTRY_POINTS: Readonly<Record<keyof NetDeviceOps, unknown>> = {
  open: EIO, stop: EIO, startXmit: EIO, setMacAddress: EIO, setMulticastList: EIO, changeMtu: EIO,
  getStats: null, txTimeout: undefined, interrupt: undefined, timer: undefined,
};

/** Where Linux 2.4 calls each entry (oops semantics without isolation, kernel.ts): configuration
 *  under the rtnl semaphore in the calling process (a sleeping lock: a killed holder blocks later
 *  configuration, not the system); transmit and the multicast list under dev->xmit_lock with bottom
 *  halves off; statistics under dev_base_lock; the watchdog and driver timers in a softirq. */
export const NET_ENTRY_CONTEXTS: EntryContexts = {
  open: { context: 'process' }, stop: { context: 'process' }, setMacAddress: { context: 'process' }, changeMtu: { context: 'process' },
  setMulticastList: { context: 'process', lock: 'dev->xmit_lock' }, getStats: { context: 'process', lock: 'dev_base_lock' },
  startXmit: { context: 'softirq', lock: 'dev->xmit_lock' }, txTimeout: { context: 'softirq', lock: 'dev->xmit_lock' },
  interrupt: { context: 'hardirq' }, timer: { context: 'softirq' },
};

export class NetDevice implements ClassCore<NetDeviceOps, NetKernelApi> {
  readonly cls = 'network';
  readonly observesService = true;
  /** Packet delivery, freeing a sent buffer and waking the queue need no answer: batched
   *  under isolation. */
  readonly batchedCalls = ['netifRx', 'freeSkb', 'wakeQueue'] as const;
  /** Receive buffers come from a pool in the driver's domain that one crossing refills. */
  readonly pooledCalls = ['allocSkb'] as const;
  readonly entryPoints = NET_ENTRY_POINTS;
  readonly addr: number;
  /** Set by the recovery strategy: how the kernel reaches the driver. */
  ops: NetDeviceOps | null = null;
  /** The driver instance currently bound (for watchdog reports and skb ownership). */
  driver: DriverInstance | null = null;
  queueStopped = false;
  carrier = false;
  private transStartUs = 0;
  private readonly qdisc: Array<{ skb: number; len: number }> = [];
  private readonly backlog: Array<{ skb: number; len: number }> = [];
  private softirqPending = false;
  private readonly protocols = new Map<number, FrameHandler>();
  private readonly taps: FrameHandler[] = [];
  private seal = 0;
  txDropped = 0;
  /** When the carrier came up: the interface is in service again. */
  readonly inServiceUs: number[] = [];

  constructor(private readonly k: Kernel, readonly index: number) {
    k.entryContexts = NET_ENTRY_CONTEXTS;
    this.addr = L.NETDEV_BASE + index * L.NETDEV_STRIDE;
    this.resetConfig();
    k.addCheck(() => (this.sealOf() === this.seal ? null : `net_device ${index}`));
    // Linux's dev_watchdog: a stopped queue with no transmission for watchdog_timeo.
    startHangWatchdog(k, {
      what: 'transmit', entry: 'tx_timeout', periodUs: k.params.watchdogPeriodUs,
      stuck: () => this.isUp && this.carrier && this.queueStopped && k.now - this.transStartUs > k.params.txWatchdogUs,
      progress: () => this.txCompleted,
      callTimeout: () => this.ops!.txTimeout(),
      rearm: () => { this.transStartUs = k.now; },
    }, () => this.driver);
  }

  // ---- configuration held by the kernel (what Linux keeps in struct net_device) ------------
  private rd(off: number): number { return this.k.mem.view.getUint32(this.addr + off, true); }
  private wr(off: number, v: number): void { this.k.mem.view.setUint32(this.addr + off, v >>> 0, true); }
  private sealOf(): number { return fnv1a(this.k.mem.bytes.subarray(this.addr, this.addr + ND.SEAL)); }
  private reseal(): void { this.seal = this.sealOf(); this.wr(ND.SEAL, this.seal); }

  get flags(): number { return this.rd(ND.FLAGS); }
  get mtu(): number { return this.rd(ND.MTU); }
  get mac(): Mac { return { lo: this.rd(ND.MAC_LO), hi: this.rd(ND.MAC_HI) }; }
  get isUp(): boolean { return (this.flags & IFF_UP) !== 0; }
  multicastList(): Mac[] {
    const n = Math.min(this.rd(ND.MC_COUNT), MAX_MC);
    return Array.from({ length: n }, (_, i) => ({ lo: this.rd(ND.MC_LIST + i * 8), hi: this.rd(ND.MC_LIST + i * 8 + 4) }));
  }

  /** Back to what a freshly registered device has (after an unload the config is gone). */
  resetConfig(): void {
    this.k.mem.fill(this.addr, L.NETDEV_STRIDE, 0);
    this.wr(ND.MTU, 1500);
    this.queueStopped = false;
    this.carrier = false;
    this.reseal();
  }

  private setField(off: number, v: number): void { this.wr(off, v); this.reseal(); }

  // ---- what applications and the stack ask for (ioctl / ifconfig) -------------------------
  open(): number {
    const r = this.ops!.open();
    if (r === 0) { this.setField(ND.FLAGS, this.flags | IFF_UP); this.transStartUs = this.k.now; }
    this.k.log('netdev', `open -> ${r}`);
    return r;
  }

  close(): number {
    this.setField(ND.FLAGS, this.flags & ~IFF_UP);
    return this.ops!.stop();
  }

  setPromiscuous(on: boolean): number {
    this.setField(ND.FLAGS, on ? this.flags | IFF_PROMISC : this.flags & ~IFF_PROMISC);
    const r = this.ops!.setMulticastList();
    this.k.log('netdev', `promiscuous ${on ? 'on' : 'off'} -> ${r}`);
    return r;
  }

  addMulticast(m: Mac): number {
    const n = this.rd(ND.MC_COUNT);
    if (n >= MAX_MC) return -28;
    this.wr(ND.MC_LIST + n * 8, m.lo); this.wr(ND.MC_LIST + n * 8 + 4, m.hi);
    this.setField(ND.MC_COUNT, n + 1);
    return this.ops!.setMulticastList();
  }

  setMtu(mtu: number): number {
    const r = this.ops!.changeMtu(mtu);
    if (r === 0) this.setField(ND.MTU, mtu);
    return r;
  }

  setMac(m: Mac): number {
    const r = this.ops!.setMacAddress(m.lo, m.hi);
    if (r === 0) { this.wr(ND.MAC_LO, m.lo); this.setField(ND.MAC_HI, m.hi); }
    return r;
  }

  stats(): NetStats | null { return this.ops!.getStats(); }

  // ---- transmit -----------------------------------------------------------------------------
  /** Queue a frame for transmission; false if it was dropped here. */
  xmit(frame: Uint8Array): boolean {
    if (!this.isUp) { this.txDropped++; return false; }
    const skb = this.k.skbs.alloc(OWNER_KERNEL);
    if (skb === 0) { this.txDropped++; return false; }
    this.k.cpu.charge('stack', this.k.params.stackPacketNs + frame.length * this.k.params.copyNsPerByte);
    this.k.mem.writeBytes(skb, frame);
    // Without carrier (link down, or resetting) frames wait in the queue, as in Linux.
    if (!this.carrier || this.queueStopped || this.qdisc.length > 0) {
      if (this.qdisc.length >= this.k.params.qdiscFrames) { this.k.skbs.free(skb, OWNER_KERNEL); this.txDropped++; return false; }
      this.qdisc.push({ skb, len: frame.length });
      return true;
    }
    this.xmitOne(skb, frame.length);
    return true;
  }

  private xmitOne(skb: number, len: number): void {
    const owner = ownerOfSlot(this.driver!.slot);
    this.k.skbs.transfer(skb, OWNER_KERNEL, owner);
    const r = this.ops!.startXmit(skb, len);
    if (r === NETDEV_TX_OK) { this.transStartUs = this.k.now; return; }
    const reclaimed = this.k.skbs.transfer(skb, owner, OWNER_KERNEL);
    if (r === NETDEV_TX_BUSY && reclaimed) {
      this.qdisc.unshift({ skb, len });
      this.queueStopped = true;
    } else if (reclaimed) {
      this.k.skbs.free(skb, OWNER_KERNEL);
      this.txDropped++;
    }
  }

  private runQueue(): void {
    while (!this.queueStopped && this.carrier && this.qdisc.length > 0 && this.isUp) {
      const { skb, len } = this.qdisc.shift()!;
      this.xmitOne(skb, len);
    }
  }

  // ---- what recovery strategies need of the class (ClassCore) -----------------------------
  /** A transmit carries a frame: its tag is a hash of the bytes. */
  requestTag(entry: string, args: readonly unknown[], exact = true): number {
    if (entry !== 'startXmit') return 0;
    const [skb, len] = args as number[];
    if (this.k.skbs.index(skb) < 0 || !(len > 0 && len <= L.SKB_SLOT)) return 0;
    if (!exact) return 1; // some request: what a profile counts (see Kernel.exactRequestTags)
    return (fnv1a(this.k.mem.bytes.subarray(skb, skb + len)) | 1) >>> 0;
  }

  reclaim(inst: DriverInstance): number[] {
    const owner = ownerOfSlot(inst.slot);
    const skbs = this.k.skbs.heldBy(owner);
    for (const s of skbs) this.k.skbs.transfer(s, owner, OWNER_KERNEL);
    return skbs;
  }

  release(skbs: number[]): void { for (const s of skbs) this.k.skbs.free(s, OWNER_KERNEL); }

  unregister(): void {
    this.flushQueue();
    this.resetConfig();
  }

  /** The boot scripts (or Nooks' user-mode agent) bring the interface up: ifup. */
  bringUp(): number { return this.open(); }

  /** A recovery that kept the carrier on (the kernel never saw the link go) ended: the
   *  interface carries traffic again from now. */
  resumedService(): void { if (this.carrier) this.inServiceUs.push(this.k.now); }

  /** Put a request back at the head of the queue (a recovery agent resubmitting it later). */
  requeueFront(skb: number, len: number): void {
    this.qdisc.unshift({ skb, len });
  }

  /** Move a buffer the kernel holds (queued to send, or received and not yet consumed) to
   *  another slot, so that `skb` is free: a checkpoint restore needs the driver's old buffers. */
  relocate(skb: number): boolean {
    const entry = this.qdisc.find((e) => e.skb === skb) ?? this.backlog.find((e) => e.skb === skb);
    if (!entry) return false;
    const moved = this.k.skbs.alloc(OWNER_KERNEL);
    if (moved === 0) return false;
    this.k.mem.writeBytes(moved, this.k.mem.readBytes(skb, entry.len));
    entry.skb = moved;
    this.k.skbs.free(skb, OWNER_KERNEL);
    return true;
  }

  /** Drop everything queued (the interface went away). */
  flushQueue(): void {
    for (const { skb } of this.qdisc.splice(0)) this.k.skbs.free(skb, OWNER_KERNEL);
  }

  private txCompleted = 0;

  // ---- receive ------------------------------------------------------------------------------
  onProtocol(ethertype: number, handler: FrameHandler): void { this.protocols.set(ethertype, handler); }
  /** A packet socket that sees every frame the interface receives (what a sniffer opens). */
  addTap(handler: FrameHandler): () => void {
    this.taps.push(handler);
    return () => { const i = this.taps.indexOf(handler); if (i >= 0) this.taps.splice(i, 1); };
  }

  private deliver(frame: Uint8Array): void {
    for (const tap of this.taps) tap(frame);
    const dst = frameDst(frame);
    if (!macEq(dst, this.mac) && !macEq(dst, BROADCAST)) return;
    this.protocols.get(frameType(frame))?.(frame);
  }

  private softirq(): void {
    this.softirqPending = false;
    for (const { skb, len } of this.backlog.splice(0)) {
      this.k.cpu.charge('stack', this.k.params.stackPacketNs + len * this.k.params.copyNsPerByte);
      const frame = this.k.mem.readBytes(skb, len);
      this.k.skbs.free(skb, OWNER_KERNEL);
      this.deliver(frame);
    }
  }

  // ---- the kernel API a driver instance calls -----------------------------------------------
  apiFor(inst: DriverInstance): NetKernelApi {
    const k = this.k;
    const owner = ownerOfSlot(inst.slot);
    return {
      netdevAddr: this.addr,
      ...k.resourceApi(inst, () => this.ops?.interrupt()),
      allocSkb: () => k.skbs.alloc(owner),
      freeSkb: (skb) => {
        // kfree_skb of a buffer the driver does not hold trips the skb layer's BUG checks.
        if (!k.skbs.free(skb, owner)) k.badParam('dev_kfree_skb', `0x${skb.toString(16)} not held by ${inst.name}`, 'bug');
        this.txCompleted++;
      },
      netifRx: (skb, len) => {
        if (len < 14 || len > L.SKB_SLOT) {
          // Linux queues it; the protocol layer drops a frame with a bad length.
          k.badParam('netif_rx', `length ${len}`, 'error');
          k.skbs.free(skb, owner);
          return;
        }
        if (!k.skbs.transfer(skb, owner, OWNER_KERNEL)) k.badParam('netif_rx', `0x${skb.toString(16)} not held by ${inst.name}`, 'bug');
        this.backlog.push({ skb, len });
        if (!this.softirqPending) { this.softirqPending = true; k.sched.schedule(k.cpu.backlogUs(), 'net_rx_softirq', () => this.softirq(), 2); }
      },
      stopQueue: () => { this.queueStopped = true; },
      wakeQueue: () => {
        if (!this.queueStopped) return;
        this.queueStopped = false;
        k.sched.schedule(0, 'net_tx_action', () => this.runQueue(), 3);
      },
      setCarrier: (on) => {
        if (on && !this.carrier) { this.inServiceUs.push(k.now); k.log('netdev', 'carrier on'); }
        if (!on && this.carrier) k.log('netdev', 'carrier off');
        this.carrier = on;
        if (on) k.sched.schedule(0, 'net_tx_action', () => this.runQueue(), 3);
      },
      publishMac: (lo, hi) => { this.wr(ND.MAC_LO, lo); this.setField(ND.MAC_HI, hi); },
      modTimer: (delayUs) => k.modTimer(inst, delayUs, () => this.ops?.timer()),
      delTimer: () => k.delTimer(inst),
    };
  }
}
