// Linux-Native: no isolation. A driver fault is a kernel fault, and the system goes down.
import { Binding } from './binding.js';
import { RecoveryStrategy, StrategyModule, StrategyReport, emptyReport } from './types.js';
import type { World } from '../world/world.js';

class Native implements RecoveryStrategy {
  readonly id = 'native';
  readonly isolation = false;
  attach(world: World): void {
    world.core.ops = Binding.load(world).ops();
  }
  report(): StrategyReport { return emptyReport(); }
}

export const native: StrategyModule = { id: 'native', description: 'Linux-Native: no isolation; a driver failure crashes the system', create: () => new Native() };
