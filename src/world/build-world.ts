// Build the world a driver's class needs.
import { Kernel } from '../kernel/kernel.js';
import type { RngStreams } from '../sim/rng.js';
import type { Trace } from '../sim/trace.js';
import type { Params } from '../params.js';
import type { DriverModule } from '../drivers/types.js';
import type { NetDriverModule } from '../drivers/net/types.js';
import type { World } from './world.js';
import { buildNetWorld } from './net-world.js';
import { buildSoundWorld, SoundDriverModule } from './sound-world.js';
import { buildBlockWorld, BlockDriverModule } from './block-world.js';

export function buildWorld(params: Params, rng: RngStreams, trace: Trace, isolation: boolean, driver: DriverModule): World {
  const k = new Kernel(params, rng, trace, isolation);
  switch (driver.cls) {
    case 'network': return buildNetWorld(k, driver as NetDriverModule);
    case 'sound': return buildSoundWorld(k, driver as SoundDriverModule);
    case 'block': return buildBlockWorld(k, driver as BlockDriverModule);
  }
}
