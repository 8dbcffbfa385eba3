// Linux-Nooks: isolate, detect, unload and reload the driver. In-flight requests are lost,
// and the driver comes back with the configuration it has at boot: what applications set
// (promiscuous mode, multicast, MTU) is gone. A user-mode agent brings the interface up.
import { NetBinding } from './binding.js';
import { RetryBudget } from './retry-budget.js';
import { RecoveryStrategy, StrategyModule, StrategyReport, emptyLog } from './types.js';
import type { NetWorld } from '../trial/world.js';
import type { FailureReport } from '../kernel/kernel.js';

class Restart implements RecoveryStrategy {
  readonly id = 'restart';
  readonly isolation = true;
  private world!: NetWorld;
  private binding!: NetBinding;
  private budget!: RetryBudget;
  private readonly r: StrategyReport = { recoveriesAttempted: 0, recoveriesSucceeded: 0, gaveUp: false, log: emptyLog() };

  attach(world: NetWorld): void {
    this.world = world;
    this.budget = new RetryBudget(world.k.params.maxConsecutiveRecoveries, world.k.params.recoveryQuietUs);
    this.binding = NetBinding.load(world);
    world.netdev.ops = this.binding.ops();
    world.k.onDriverFailure = (f) => this.recover(f);
  }

  private recover(f: FailureReport): void {
    const { k, netdev } = this.world;
    if (f.instance !== this.binding.inst || this.r.gaveUp) return;
    if (!this.budget.admit(k.now)) {
      this.r.gaveUp = true;
      this.binding.destroy();
      netdev.flushQueue();
      k.log('recovery', `restart: giving up after ${k.params.maxConsecutiveRecoveries} attempts; the interface stays down`);
      return;
    }
    this.r.recoveriesAttempted++;
    k.log('recovery', `restart: unloading ${f.instance.name}`);
    this.binding.destroy();
    netdev.flushQueue();
    netdev.resetConfig();
    this.binding = NetBinding.load(this.world);
    netdev.ops = this.binding.ops();
    const r = this.binding.healthy ? netdev.open() : -5;
    if (r === 0 && this.binding.healthy) {
      this.r.recoveriesSucceeded++;
      k.log('recovery', `restart: ${this.binding.inst.name} reloaded and up (boot configuration)`);
    } else k.log('recovery', `restart: reload failed (${r})`);
  }

  report(): StrategyReport { return { ...this.r, log: { ...this.r.log } }; }
}

export const restart: StrategyModule = { id: 'restart', description: 'Linux-Nooks: isolate, unload and reload the driver; its state is lost', create: () => new Restart() };
