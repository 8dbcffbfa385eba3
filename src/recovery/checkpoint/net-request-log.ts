// The network class's request log for checkpoint-restart: configuration calls with their
// arguments, and every transmitted frame with a copy of its bytes (the kernel frees its skb
// when the send completes, so replay needs its own copy).
import { NETDEV_TX_OK, type NetDeviceOps } from '../../kernel/netcore.js';
import { OWNER_KERNEL, ownerOfSlot } from '../../kernel/skb.js';
import type { Kernel, DriverInstance } from '../../kernel/kernel.js';
import { CALL_HEADER_BYTES, ClassRequestLog, LoggedCall } from './request-log.js';

export class NetRequestLog implements ClassRequestLog<NetDeviceOps> {
  readonly unlogged = new Set(['getStats', 'interrupt', 'timer']);
  /** Frames the restored driver would not take on replay (ring full, or no buffer). */
  replayDropped = 0;
  constructor(private readonly k: Kernel) {}

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
}
