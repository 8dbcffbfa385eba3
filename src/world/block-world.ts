// The block world: kernel, the disk, the block layer, and the root file system on it.
import { Kernel } from '../kernel/kernel.js';
import { BlockCore } from '../kernel/blockcore.js';
import { FileSystem } from '../kernel/fs.js';
import type { BlockDevice } from '../devices/medium.js';
import type { DriverModule } from '../drivers/types.js';
import type { World } from './world.js';

export interface BlockDriverModule extends DriverModule { cls: 'block'; createDevice(k: Kernel, irq: number, sectors: number): BlockDevice }

export interface BlockWorld extends World {
  cls: 'block';
  disk: BlockDevice;
  blk: BlockCore;
  core: BlockCore;
  fs: FileSystem;
  /** Every disk of the array (one, or a mirror pair under replication). */
  disks: BlockDevice[];
  /** Install a file's sector before the trial, on every disk of the array. */
  install(n: number, data: Uint8Array): void;
}

export const DISK_IRQ = 14;
/** The standby disk's line (replication). */
export const STANDBY_DISK_IRQ = 15;

export function buildBlockWorld(k: Kernel, driver: BlockDriverModule): BlockWorld {
  const disk = driver.createDevice(k, DISK_IRQ, k.params.diskSectors);
  const blk = new BlockCore(k);
  const fs = new FileSystem(k, blk, k.params.diskSectors);
  const disks = [disk];
  // RAID-1: a second disk that is a copy of the first; a rebuild later is the strategy's to do.
  const replicaHardware = {
    makeStandby: () => { const d = driver.createDevice(k, STANDBY_DISK_IRQ, k.params.diskSectors); d.medium.copyFrom(disk.medium); disks.push(d); return d; },
    putInService: () => {},
  };
  return { k, cls: 'block', driver, device: disk, core: blk, disk, blk, fs, disks, install: (n, d) => { for (const x of disks) x.medium.install(n, d); }, replicaHardware };
}
