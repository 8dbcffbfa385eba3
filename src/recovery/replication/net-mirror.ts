// Replication for the network class. The standby NIC sits on a mirror port, so it receives
// every frame the live one does; each frame the kernel transmits is copied into a buffer of
// the standby's and handed to it too. While a replica is a standby, its received packets are
// dropped, its carrier and queue state are its own, and what its NIC sends goes nowhere.
import { OWNER_KERNEL, ownerOfSlot } from '../../kernel/skb.js';
import { NETDEV_TX_BUSY, NETDEV_TX_OK, type NetDevice, type NetDeviceOps, type NetKernelApi } from '../../kernel/netcore.js';
import type { Kernel } from '../../kernel/kernel.js';
import { toBoth, countMirrored, type ClassMirror, type MirrorStats, type Replica, type ReplicaPair } from './replica.js';
import * as L from '../../kernel/layout.js';

const HEADER_BYTES = 16;

interface NetReplicaState {
  carrier: boolean;
  queueStopped: boolean;
  /** Copies of transmitted frames the standby could not take yet (its ring was full). */
  pending: Array<{ skb: number; len: number }>;
  /** The kernel API as the replica would see it when live. */
  api: NetKernelApi;
}

export class NetMirror implements ClassMirror<NetDeviceOps> {
  private readonly state = new Map<Replica, NetReplicaState>();
  constructor(private readonly k: Kernel, private readonly netdev: NetDevice, private readonly stats: MirrorStats) {}

  private st(r: Replica): NetReplicaState { return this.state.get(r)!; }

  tapApi<A extends object>(a: A, r: Replica): A {
    const api = a as unknown as NetKernelApi, k = this.k;
    const s: NetReplicaState = { carrier: false, queueStopped: false, pending: [], api };
    this.state.set(r, s);
    const inst = () => r.inst;
    const tapped: NetKernelApi = {
      ...api,
      // Each replica's interrupts and timer reach that replica, not whichever one is live.
      requestIrq: (line) => k.requestIrq(inst(), line, () => r.ops<NetDeviceOps>().interrupt()),
      modTimer: (delayUs) => k.modTimer(inst(), delayUs, () => r.ops<NetDeviceOps>().timer()),
      netifRx: (skb, len) => (r.live ? api.netifRx(skb, len) : this.dropReceived(r, skb, len)),
      freeSkb: (skb) => {
        if (r.live) return api.freeSkb(skb);
        if (!k.skbs.free(skb, ownerOfSlot(inst().slot))) k.badParam('dev_kfree_skb', `0x${skb.toString(16)} not held by ${inst().name}`, 'bug');
      },
      stopQueue: () => { s.queueStopped = true; if (r.live) api.stopQueue(); },
      wakeQueue: () => {
        s.queueStopped = false;
        if (r.live) api.wakeQueue();
        else k.sched.schedule(0, 'standby-tx', () => this.drainPending(r), 3);
      },
      setCarrier: (on) => { s.carrier = on; if (r.live) api.setCarrier(on); },
      publishMac: (lo, hi) => { if (r.live) api.publishMac(lo, hi); },
    };
    return tapped as unknown as A;
  }

  /** A standby's received packet: checked as the kernel would, then dropped. */
  private dropReceived(r: Replica, skb: number, len: number): void {
    if (len < 14 || len > L.SKB_SLOT) this.k.badParam('netif_rx', `length ${len}`, 'bug');
    if (!this.k.skbs.free(skb, ownerOfSlot(r.inst.slot))) this.k.badParam('netif_rx', `0x${skb.toString(16)} not held by ${r.inst.name}`, 'bug');
  }

  ops(pair: ReplicaPair): NetDeviceOps {
    const both = (call: (o: NetDeviceOps) => number, argBytes: number): number => toBoth(pair, call, () => this.count(argBytes));
    return {
      open: () => both((o) => o.open(), 0),
      stop: () => both((o) => o.stop(), 0),
      setMacAddress: (lo, hi) => both((o) => o.setMacAddress(lo, hi), 8),
      setMulticastList: () => both((o) => o.setMulticastList(), 0),
      changeMtu: (mtu) => both((o) => o.changeMtu(mtu), 4),
      startXmit: (skb, len) => this.xmit(pair, skb, len),
      getStats: () => pair.primary.ops<NetDeviceOps>().getStats(),
      txTimeout: () => pair.primary.ops<NetDeviceOps>().txTimeout(),
      interrupt: () => pair.primary.ops<NetDeviceOps>().interrupt(),
      timer: () => pair.primary.ops<NetDeviceOps>().timer(),
    };
  }

  private count(bytes: number): void { countMirrored(this.k, this.stats, HEADER_BYTES, bytes); }

  private xmit(pair: ReplicaPair, skb: number, len: number): number {
    const p = pair.primary, s = pair.standby?.ready ? pair.standby : null;
    // Copy the frame before the primary sees it: what the standby gets is what the kernel sent.
    const copy = s ? this.copyFor(s, skb, len) : 0;
    const r = p.ops<NetDeviceOps>().startXmit(skb, len);
    if (!copy) return r;
    if (r === NETDEV_TX_BUSY && !p.inst.failed) { this.k.skbs.free(copy, ownerOfSlot(s!.inst.slot)); return r; } // the kernel will send it again
    const taken = this.toStandby(s!, copy, len);
    return p.inst.failed && taken ? NETDEV_TX_OK : r; // the standby carries the frame the primary failed on
  }

  private copyFor(s: Replica, skb: number, len: number): number {
    const copy = this.k.skbs.alloc(ownerOfSlot(s.inst.slot));
    if (copy === 0) { this.stats.mirrorDrops++; return 0; }
    this.k.mem.writeBytes(copy, this.k.mem.readBytes(skb, len));
    this.count(len);
    return copy;
  }

  /** Hand a copy to the standby, or hold it while the standby's queue is stopped. */
  private toStandby(s: Replica, copy: number, len: number): boolean {
    const st = this.st(s);
    if (st.queueStopped || st.pending.length > 0) {
      if (st.pending.length >= this.k.params.qdiscFrames) { this.k.skbs.free(copy, ownerOfSlot(s.inst.slot)); this.stats.mirrorDrops++; return false; }
      st.pending.push({ skb: copy, len });
      return true;
    }
    return this.standbyXmit(s, copy, len);
  }

  private standbyXmit(s: Replica, copy: number, len: number): boolean {
    const r = s.ops<NetDeviceOps>().startXmit(copy, len);
    if (r === NETDEV_TX_OK) return true;
    const owner = ownerOfSlot(s.inst.slot);
    if (r === NETDEV_TX_BUSY && this.k.skbs.ownerOf(copy) === owner) { this.st(s).pending.unshift({ skb: copy, len }); return true; }
    if (this.k.skbs.ownerOf(copy) === owner) this.k.skbs.free(copy, owner);
    return false;
  }

  private drainPending(s: Replica): void {
    const st = this.st(s);
    while (!s.live && !st.queueStopped && st.pending.length > 0 && !s.inst.failed) {
      const { skb, len } = st.pending.shift()!;
      this.standbyXmit(s, skb, len);
    }
  }

  sync(r: Replica): number {
    const nd = this.netdev, o = r.ops<NetDeviceOps>();
    let bytes = 0;
    const step = (payload: number, call: () => number): void => { if (!r.inst.failed) { call(); bytes += HEADER_BYTES + payload; } };
    const mac = nd.mac;
    step(8, () => o.setMacAddress(mac.lo, mac.hi));
    if (nd.mtu !== 1500) step(4, () => o.changeMtu(nd.mtu));
    if (nd.isUp) step(0, () => o.open());
    step(4 + 8 * nd.multicastList().length, () => o.setMulticastList());
    return bytes;
  }

  promoted(r: Replica): void {
    const st = this.st(r), nd = this.netdev;
    // Frames the standby had not taken yet go back to the head of the kernel's queue.
    const owner = ownerOfSlot(r.inst.slot);
    for (const { skb, len } of st.pending.splice(0).reverse()) {
      if (this.k.skbs.transfer(skb, owner, OWNER_KERNEL)) nd.requeueFront(skb, len);
    }
    if (nd.carrier !== st.carrier) st.api.setCarrier(st.carrier);
    nd.queueStopped = true;
    if (!st.queueStopped) st.api.wakeQueue();
  }

  /** The standby sends its own copies of the frames the failed primary held: free those. */
  handOver(held: number[]): void { this.netdev.release(held); }

  forget(r: Replica): void { this.state.delete(r); }

  heldBytes(): number {
    let n = 0;
    for (const st of this.state.values()) for (const p of st.pending) n += HEADER_BYTES + p.len;
    return n;
  }
}
