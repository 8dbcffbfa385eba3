// The block class's request log for checkpoint-restart: open/release with their arguments, and
// every request the driver accepted, with a copy of a write's data. Held objects are the
// requests in the driver's ring. On restore, a request the failed driver still held is given
// back as it is; one that ended since is made again (its end goes nowhere: the file system has
// its answer) so the restored ring and the replay refer to requests the kernel knows. Writes
// are done again in order, so the disk ends up as it was; the disk itself is not restored.
import { BLK_BUSY, BLK_OK, DIR_WRITE, type BlockCore, type BlockOps } from '../../kernel/blockcore.js';
import type { Kernel, DriverInstance } from '../../kernel/kernel.js';
import { CALL_HEADER_BYTES, ClassRequestLog, HeldSnapshot, LoggedCall } from './request-log.js';
import { copyBytes } from '../../sim/slab.js';

interface HeldRequest { id: number; dir: number; sector: number; count: number; buf: number; data: Uint8Array }
const owner = (inst: DriverInstance) => 0x100 + inst.slot;

export class BlockRequestLog implements ClassRequestLog<BlockOps> {
  readonly unlogged = new Set(['ioctl', 'interrupt', 'timeout']);
  replayDropped = 0;
  /** Requests the restored driver refused that someone waits for: queued again on resume. */
  private refused: number[] = [];
  constructor(private readonly k: Kernel, private readonly blk: BlockCore) {}

  record(entry: string, args: unknown[]): LoggedCall {
    const nums = args as number[];
    if (entry === 'request') {
      const [, dir, , count, buf] = nums;
      const payload = dir === DIR_WRITE ? this.k.mem.readBytes(buf, count * 512) : null;
      if (payload) this.k.cpu.charge('upkeep', payload.length * this.k.params.copyNsPerByte);
      return { entry, args: [...nums], payload, bytes: CALL_HEADER_BYTES + 20 + (payload?.length ?? 0) };
    }
    return { entry, args: [...nums], payload: null, bytes: CALL_HEADER_BYTES + 4 * nums.length };
  }

  accepted(entry: string, result: unknown): boolean { return entry !== 'request' || result === BLK_OK; }

  /** Requests issued while the driver is restored wait in the kernel's queue. */
  whileRecovering(entry: string): unknown { return entry === 'request' ? BLK_BUSY : undefined; }

  snapshotHeld(inst: DriverInstance): HeldSnapshot {
    const objects: HeldRequest[] = [];
    for (const id of this.blk.heldBy(owner(inst))) {
      const d = this.blk.describe(id)!;
      objects.push({ id, dir: d.dir, sector: d.sector, count: d.count, buf: d.buf, data: copyBytes(this.k.mem.bytes.subarray(d.buf, d.buf + d.count * 512)) });
    }
    return { bytes: objects.reduce((n, o) => n + 20 + o.data.length, 0), objects };
  }

  /** Keep the requests the checkpoint or the log will give back; fail any other. */
  afterStop(held: number[], cp: HeldSnapshot, log: readonly LoggedCall[]): void {
    const kept = new Set([...(cp.objects as HeldRequest[]).map((o) => o.id), ...log.filter((c) => c.entry === 'request').map((c) => c.args[0])]);
    this.blk.release(held.filter((id) => !kept.has(id)));
  }

  restoreHeld(cp: HeldSnapshot, inst: DriverInstance): number {
    let conflicts = 0;
    for (const o of cp.objects as HeldRequest[]) {
      if (!this.blk.restoreRequest(o.id, o.dir, o.sector, o.count, o.buf, o.data, owner(inst))) conflicts++;
    }
    return conflicts;
  }

  replay(call: LoggedCall, ops: BlockOps, inst: DriverInstance): void {
    if (call.entry !== 'request') { (ops as unknown as Record<string, (...a: number[]) => unknown>)[call.entry](...call.args); return; }
    const [id, dir, sector, count] = call.args;
    const buf = this.blk.restoreRequest(id, dir, sector, count, null, call.payload, owner(inst));
    if (buf !== 0 && ops.request(id, dir, sector, count, buf) === BLK_OK) return;
    this.replayDropped++;
    // A refused write goes back to the queue even if its caller has its answer (it ended before
    // the failure): dropping it loses the write (found with AHCI, whose restored image refuses
    // every request while a flush it had accepted is pending).
    if (this.blk.takeBack(id, dir === DIR_WRITE)) this.refused.push(id);
  }

  resume(): void {
    this.blk.requeue(this.refused.splice(0));
    this.blk.resume();
  }
}
