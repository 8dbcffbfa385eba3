// One replica of the driver for primary/backup replication: a driver instance on its own
// device, serving the kernel (live) or shadowing every input as a standby.
import type { Binding } from '../binding.js';
import type { DeviceModel } from '../../devices/device-model.js';
import type { DriverInstance, Kernel } from '../../kernel/kernel.js';

export class Replica {
  binding!: Binding;
  /** Brought to the kernel's configuration (a standby only takes over once it is). */
  synced = false;
  constructor(readonly device: DeviceModel, public live: boolean) {}
  get inst(): DriverInstance { return this.binding.inst; }
  /** Able to take over: loaded, configured, and not failed. */
  get ready(): boolean { return this.synced && this.binding.healthy; }
  ops<O extends object>(): O { return this.binding.ops<O>(); }
}

/** The replicas as the class's mirror sees them (the strategy swaps them on failover). */
export interface ReplicaPair {
  readonly primary: Replica;
  readonly standby: Replica | null;
}

/** A call that goes to both replicas (a configuration call): if the primary fails on it, the
 *  standby's answer is the one that counts (it is about to take over). */
export function toBoth<O extends object>(pair: ReplicaPair, call: (o: O) => number, mirrored: () => void): number {
  const p = pair.primary, s = pair.standby?.ready ? pair.standby : null;
  const r = call(p.ops<O>());
  if (!s) return r;
  mirrored();
  const rs = call(s.ops<O>());
  return p.inst.failed && !s.inst.failed ? rs : r;
}

/** Account one input copied for the standby: its bookkeeping and the bytes copied. */
export function countMirrored(k: Kernel, stats: MirrorStats, headerBytes: number, bytes: number): void {
  stats.mirroredCalls++;
  stats.mirroredBytes += headerBytes + bytes;
  k.cpu.charge('upkeep', k.params.tapNs + bytes * k.params.copyNsPerByte);
}

/** Counters a mirror adds to as it works. */
export interface MirrorStats {
  mirroredCalls: number;
  mirroredBytes: number;
  /** Inputs the standby could not be given (no buffer): it has diverged from the primary. */
  mirrorDrops: number;
}

/** What replication needs of a driver class: how inputs are copied to the standby, how its
 *  outputs are kept out of the kernel, and how a replica is brought in sync or put in service. */
export interface ClassMirror<Ops extends object> {
  /** Tap one replica's kernel API: while it is a standby, its outputs stay out of the kernel. */
  tapApi<A extends object>(api: A, r: Replica): A;
  /** The ops the kernel calls: every input goes to the primary and a copy to a ready standby. */
  ops(pair: ReplicaPair): Ops;
  /** Bring a freshly loaded replica to the kernel's current configuration; bytes transferred. */
  sync(r: Replica): number;
  /** The replica now serves the kernel: hand the kernel its view (carrier, queue, held inputs). */
  promoted(r: Replica): void;
  /** The failed primary's kernel objects, reclaimed: release them, or keep what the new
   *  primary `r` will complete from its own copies. */
  handOver(held: number[], r: Replica): void;
  /** The replica was unloaded: drop what the mirror kept about it. */
  forget(r: Replica): void;
  /** Bytes of inputs held for the standby outside the driver (copies it has not taken yet). */
  heldBytes(): number;
}
