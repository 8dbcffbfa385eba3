// What a disk stores, whatever its interface (IDE or AHCI): the platter and the drive's volatile
// write cache. Fail-stop persistent state that a driver failure does not touch. Every block
// device model offers it, so the block world and RAID-1 replication work on any of them.
import type { DeviceModel } from './device-model.js';
import { newBytes, copyBytes } from '../sim/slab.js';

export const SECTOR = 512;

export class Medium {
  private readonly platter = new Map<number, Uint8Array>();
  private readonly cache = new Map<number, Uint8Array>();

  /** What is really on the disk (the platter, plus the cache a flush would write). */
  sector(n: number): Uint8Array { return this.cache.get(n) ?? this.platter.get(n) ?? newBytes(SECTOR); }
  /** Put data on the platter directly (files installed before the trial). */
  install(n: number, data: Uint8Array): void { this.platter.set(n, copyBytes(data.subarray(0, SECTOR))); }
  /** A sector written by a command: into the write cache when it is on. */
  write(n: number, data: Uint8Array, cached: boolean): void { (cached ? this.cache : this.platter).set(n, data); }
  /** FLUSH CACHE: the cache goes to the platter. */
  flush(): void { for (const [n, d] of this.cache) this.platter.set(n, d); this.cache.clear(); }

  /** Make this medium a copy of `other` (a mirror rebuild); returns the bytes copied. */
  copyFrom(other: Medium): number {
    this.platter.clear(); this.cache.clear();
    for (const [n, d] of other.platter) this.platter.set(n, copyBytes(d));
    for (const [n, d] of other.cache) this.platter.set(n, copyBytes(d));
    return this.platter.size * SECTOR;
  }
}

/** A disk as the block world and the strategies see it, whatever its programming model. */
export interface BlockDevice extends DeviceModel {
  readonly medium: Medium;
  readonly capacitySectors: number;
  /** Commands the drive executed. */
  commands: number;
}
