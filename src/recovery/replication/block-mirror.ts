// Replication for the block class, as RAID-1 below the driver: the standby driver runs its own
// disk, a mirror of the live one. Every request the kernel gives the primary is copied into a
// request of the standby's (a write with its data, a read with a fresh buffer); the copy's end
// is kept from the kernel while the replica is a standby. After a failover, a request the failed
// primary held ends when its copy ends on the new primary (a read returns the copy's data).
import { BLK_BUSY, BLK_OK, DIR_WRITE, type BlockCore, type BlockKernelApi, type BlockOps } from '../../kernel/blockcore.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { BlockDevice } from '../../devices/medium.js';
import { toBoth, countMirrored, type ClassMirror, type MirrorStats, type Replica, type ReplicaPair } from './replica.js';

const HEADER_BYTES = 24;
const owner = (r: Replica) => 0x100 + r.inst.slot;

interface BlockReplicaState {
  queueStopped: boolean;
  /** Copies the standby could not take yet (its queue was full), oldest first. */
  pending: number[];
}

export class BlockMirror implements ClassMirror<BlockOps> {
  private readonly state = new Map<Replica, BlockReplicaState>();
  /** Copy id -> the kernel request it mirrors, and the replica that holds the copy. */
  private readonly origin = new Map<number, { orig: number; replica: Replica }>();
  private pair!: ReplicaPair;

  constructor(private readonly k: Kernel, private readonly blk: BlockCore, private readonly stats: MirrorStats) {}

  tapApi<A extends object>(a: A, r: Replica): A {
    const api = a as unknown as BlockKernelApi, k = this.k;
    const s: BlockReplicaState = { queueStopped: false, pending: [] };
    this.state.set(r, s);
    const tapped: BlockKernelApi = {
      ...api,
      requestIrq: (line) => k.requestIrq(r.inst, line, () => r.ops<BlockOps>().interrupt()),
      queueReady: () => {
        s.queueStopped = false;
        // Copies it holds from its standby days go first: writes must not overtake each other.
        k.sched.schedule(0, 'replica-blk-run', () => { this.drain(r); if (r.live && !s.queueStopped && s.pending.length === 0) api.queueReady(); }, 3);
      },
    };
    return tapped as unknown as A;
  }

  ops(pair: ReplicaPair): BlockOps {
    this.pair = pair;
    const both = (call: (o: BlockOps) => number): number => toBoth(pair, call, () => this.count(0));
    return {
      open: () => both((o) => o.open()),
      release: () => both((o) => o.release()),
      ioctl: (cmd, arg) => pair.primary.ops<BlockOps>().ioctl(cmd, arg),
      request: (id, dir, sector, count, buf) => this.request(pair, id, dir, sector, count, buf),
      interrupt: () => pair.primary.ops<BlockOps>().interrupt(),
      timeout: () => pair.primary.ops<BlockOps>().timeout(),
    };
  }

  private count(bytes: number): void { countMirrored(this.k, this.stats, HEADER_BYTES, bytes); }

  private request(pair: ReplicaPair, id: number, dir: number, sector: number, count: number, buf: number): number {
    const p = pair.primary, s = pair.standby?.ready ? pair.standby : null;
    const copy = s ? this.copyFor(s, id, dir, sector, count, buf) : 0;
    const r = p.ops<BlockOps>().request(id, dir, sector, count, buf);
    if (!copy) return r;
    if (r === BLK_BUSY && !p.inst.failed) { this.drop(copy); return r; } // the kernel will issue it again
    const taken = this.toStandby(s!, copy);
    return p.inst.failed && taken ? BLK_OK : r;
  }

  private copyFor(s: Replica, orig: number, dir: number, sector: number, count: number, buf: number): number {
    const data = dir === DIR_WRITE ? this.k.mem.readBytes(buf, count * 512) : null;
    const copy = this.blk.detached(dir, sector, count, data, owner(s), (status, d) => this.copyEnded(copy, status, d));
    if (copy === 0) { this.stats.mirrorDrops++; return 0; }
    this.origin.set(copy, { orig, replica: s });
    this.count(data?.length ?? 0);
    return copy;
  }

  private drop(copy: number): void { this.origin.delete(copy); this.blk.dropDetached(copy); }

  /** A copy ended on its replica: nothing while that replica is a standby; once it took over,
   *  the request it mirrors (if the failed primary had not ended it) ends with its result. */
  private copyEnded(copy: number, status: number, data: Uint8Array | null): void {
    const o = this.origin.get(copy);
    this.origin.delete(copy);
    if (o && o.replica.live) this.blk.completeFrom(o.orig, status, data);
  }

  private toStandby(s: Replica, copy: number): boolean {
    const st = this.state.get(s)!;
    if (st.queueStopped || st.pending.length > 0) { st.pending.push(copy); return true; }
    return this.standbyRequest(s, copy);
  }

  private standbyRequest(s: Replica, copy: number): boolean {
    const d = this.blk.describe(copy);
    if (!d) return false;
    const r = s.ops<BlockOps>().request(copy, d.dir, d.sector, d.count, d.buf);
    if (r === BLK_OK && !s.inst.failed) return true;
    if (r === BLK_BUSY && !s.inst.failed) { const st = this.state.get(s)!; st.queueStopped = true; st.pending.unshift(copy); return true; }
    this.drop(copy);
    return false;
  }

  private drain(s: Replica): void {
    const st = this.state.get(s);
    if (!st) return;
    while (!st.queueStopped && st.pending.length > 0 && !s.inst.failed) {
      if (!this.standbyRequest(s, st.pending.shift()!)) continue;
    }
  }

  /** The failed primary's requests: those with a copy on the new primary end when it does (a
   *  copy it has not taken yet is handed to it first, in order); the rest go back to the head of
   *  the kernel's queue. A copy whose request the failed primary already ended still runs: the
   *  write must reach the disk that is now in service. */
  handOver(held: number[], r: Replica): void {
    const covered = new Set([...this.origin.values()].filter((o) => o.replica === r).map((o) => o.orig));
    this.blk.requeue(held.filter((id) => !covered.has(id)));
  }

  sync(r: Replica): number {
    const live = this.pair.primary;
    // Rebuild the mirror: the new standby's disk becomes a copy of the live one.
    let bytes = (r.device as BlockDevice).medium.copyFrom((live.device as BlockDevice).medium);
    const o = r.ops<BlockOps>();
    o.open();
    bytes += HEADER_BYTES;
    // Writes the live driver has in flight are not on its disk yet: give the standby them too.
    for (const id of this.blk.heldBy(owner(live))) {
      const d = this.blk.describe(id);
      if (!d || d.dir !== DIR_WRITE || r.inst.failed) continue;
      const copy = this.copyFor(r, id, d.dir, d.sector, d.count, d.buf);
      if (copy && this.toStandby(r, copy)) bytes += HEADER_BYTES + d.count * 512;
    }
    return bytes;
  }

  promoted(r: Replica): void {
    const st = this.state.get(r)!;
    this.drain(r);
    if (!st.queueStopped && st.pending.length === 0) this.blk.resume();
  }

  forget(r: Replica): void {
    const st = this.state.get(r);
    if (st) for (const copy of st.pending.splice(0)) this.drop(copy);
    this.state.delete(r);
  }

  heldBytes(): number {
    let n = 0;
    for (const st of this.state.values()) for (const c of st.pending) n += HEADER_BYTES + (this.blk.describe(c)?.count ?? 0) * 512;
    return n;
  }
}
