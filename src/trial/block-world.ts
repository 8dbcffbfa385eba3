// The block world: kernel, the disk, the block layer, and the root file system on it.
import { Kernel } from '../kernel/kernel.js';
import { BlockCore } from '../kernel/blockcore.js';
import { FileSystem } from '../kernel/fs.js';
import type { Disk } from '../devices/disk.js';
import type { DriverModule } from '../drivers/types.js';
import type { World } from './world.js';

export interface BlockDriverModule extends DriverModule { cls: 'block'; createDevice(k: Kernel, irq: number, sectors: number): Disk }

export interface BlockWorld extends World {
  cls: 'block';
  disk: Disk;
  blk: BlockCore;
  core: BlockCore;
  fs: FileSystem;
}

export const DISK_IRQ = 14;

export function buildBlockWorld(k: Kernel, driver: BlockDriverModule): BlockWorld {
  const disk = driver.createDevice(k, DISK_IRQ, k.params.diskSectors);
  const blk = new BlockCore(k);
  const fs = new FileSystem(k, blk, k.params.diskSectors);
  return { k, cls: 'block', driver, device: disk, core: blk, disk, blk, fs };
}
