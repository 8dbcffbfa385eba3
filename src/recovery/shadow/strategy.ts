// Linux-SD: isolation plus a shadow driver per class that conceals failures from the kernel
// and applications (Swift et al., OSDI 2004, section 4). The network class is implemented in shadow/net-shadow.ts.
import { NetShadow } from './net-shadow.js';
import { SoundShadow } from './sound-shadow.js';
import type { ClassShadow } from './class-shadow.js';
import type { SoundWorld } from '../../world/sound-world.js';
import { BlockShadow } from './block-shadow.js';
import type { BlockWorld } from '../../world/block-world.js';
import { RecoveryStrategy, StrategyModule, StrategyReport } from '../types.js';
import type { World } from '../../world/world.js';
import type { NetWorld } from '../../world/net-world.js';

class Shadow implements RecoveryStrategy {
  readonly isolation = true;
  private shadow: ClassShadow<object, object> | null = null;
  constructor(readonly id: string, private readonly skipping: boolean) {}
  get readsRequestTags(): boolean { return this.skipping; }
  attach(world: World): void {
    // One shadow per driver class, as in the paper; none knows a particular driver.
    const s = this.skipping;
    const shadows = {
      network: () => new NetShadow(world as NetWorld, s),
      sound: () => new SoundShadow(world as SoundWorld, s),
      block: () => new BlockShadow(world as BlockWorld, s),
    } as Record<string, () => ClassShadow<object, object>>;
    const make = shadows[world.cls];
    if (!make) throw new Error(`no shadow driver for class ${world.cls}`);
    this.shadow = make();
    this.shadow.attach();
  }
  report(): StrategyReport { return this.shadow!.strategyReport(); }
  retainedBytes(): number { return this.shadow!.log.sizeBytes; }
  /** Extra detail for the record: how the shadow proxied and what recovery cost. */
}

export const shadow: StrategyModule = {
  id: 'shadow',
  description: 'Linux-SD: shadow driver logs state passively, proxies during recovery, restarts and replays',
  create: () => new Shadow('shadow', false),
};

/** Beyond the paper, in the spirit of Rx (Qin et al., SOSP 2005): when recovery fails again on
 *  the same request, complete everything except that request; its caller gets one error. */
export const shadowSkip: StrategyModule = {
  id: 'shadow-skip',
  description: 'shadow drivers that skip a request on which the driver failed again after recovery (its caller gets an error), in the spirit of Rx',
  create: () => new Shadow('shadow-skip', true),
};
