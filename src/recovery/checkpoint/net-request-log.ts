// The network class's request log for checkpoint-restart: configuration calls with their
// arguments, and every transmitted frame with a copy of its bytes (the kernel frees its skb
// when the send completes, so replay needs its own copy). Held objects are the driver's skbs
// (receive buffers, frames in its transmit ring): the restore takes the same buffers back, and
// one the kernel holds meanwhile is moved aside by the kernel.
import { NETDEV_TX_BUSY, NETDEV_TX_OK, type NetDevice, type NetDeviceOps } from '../../kernel/netcore.js';
import { OWNER_KERNEL, ownerOfSlot } from '../../kernel/skb.js';
import type { Kernel, DriverInstance } from '../../kernel/kernel.js';
import * as L from '../../kernel/layout.js';
import { CALL_HEADER_BYTES, ClassRequestLog, HeldSnapshot, LoggedCall } from './request-log.js';
import { copyBytes } from '../../sim/slab.js';

interface HeldSkb { addr: number; data: Uint8Array }

export class NetRequestLog implements ClassRequestLog<NetDeviceOps> {
  readonly unlogged = new Set(['getStats', 'interrupt', 'timer']);
  replayDropped = 0;
  constructor(private readonly k: Kernel, private readonly netdev: NetDevice) {}

  record(entry: string, args: unknown[]): LoggedCall {
    const nums = args as number[];
    if (entry === 'startXmit') {
      const [skb, len] = nums;
      const payload = this.k.mem.readBytes(skb, len);
      this.k.cpu.charge('upkeep', len * this.k.params.copyNsPerByte);
      return { entry, args: [len], payload, bytes: CALL_HEADER_BYTES + 4 + len };
    }
    return { entry, args: [...nums], payload: null, bytes: CALL_HEADER_BYTES + 4 * nums.length };
  }

  accepted(entry: string, result: unknown): boolean { return entry !== 'startXmit' || result === NETDEV_TX_OK; }

  /** A frame sent while the driver is restored waits in the kernel's queue. */
  whileRecovering(entry: string): unknown { return entry === 'startXmit' ? NETDEV_TX_BUSY : undefined; }

  snapshotHeld(inst: DriverInstance): HeldSnapshot {
    const objects: HeldSkb[] = this.k.skbs.heldBy(ownerOfSlot(inst.slot)).map((addr) => ({ addr, data: copyBytes(this.k.mem.bytes.subarray(addr, addr + L.SKB_SLOT)) }));
    return { bytes: objects.length * L.SKB_SLOT, objects };
  }

  /** Frames the failed driver held are either in the checkpoint's buffers or in the log: free them. */
  afterStop(held: number[]): void { this.netdev.release(held); }

  restoreHeld(cp: HeldSnapshot, inst: DriverInstance): number {
    const k = this.k, owner = ownerOfSlot(inst.slot);
    let conflicts = 0;
    for (const { addr, data } of cp.objects as HeldSkb[]) {
      const mine = k.skbs.ownerOf(addr) === owner || k.skbs.reclaimAddress(addr, owner, (a) => this.netdev.relocate(a));
      if (!mine) { conflicts++; continue; }
      k.mem.bytes.set(data, addr);
    }
    return conflicts;
  }

  replay(call: LoggedCall, ops: NetDeviceOps, inst: DriverInstance): void {
    const fn = (ops as unknown as Record<string, (...a: number[]) => unknown>)[call.entry];
    if (call.entry !== 'startXmit') { fn(...call.args); return; }
    const skbs = this.k.skbs, owner = ownerOfSlot(inst.slot);
    const skb = skbs.alloc(OWNER_KERNEL);
    if (skb === 0) { this.replayDropped++; return; }
    this.k.mem.writeBytes(skb, call.payload!);
    skbs.transfer(skb, OWNER_KERNEL, owner);
    if (ops.startXmit(skb, call.args[0]) === NETDEV_TX_OK) return;
    this.replayDropped++;
    if (skbs.transfer(skb, owner, OWNER_KERNEL)) skbs.free(skb, OWNER_KERNEL);
  }

  resume(inst: DriverInstance): void { this.netdev.apiFor(inst).wakeQueue(); }
}
