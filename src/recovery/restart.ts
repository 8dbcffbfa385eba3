// Linux-Nooks: isolate, detect, unload and reload the driver. In-flight requests are lost,
// and the driver comes back with the configuration it has at boot: what applications set
// (promiscuous mode, multicast, MTU) is gone. A user-mode agent brings the interface up.
import { NetBinding } from './binding.js';
import { RetryBudget } from './retry-budget.js';
import { runPhases } from './phases.js';
import { RecoveryStrategy, StrategyModule, StrategyReport, emptyReport } from './types.js';
import type { NetWorld } from '../trial/world.js';
import type { FailureReport } from '../kernel/kernel.js';

class Restart implements RecoveryStrategy {
  readonly id = 'restart';
  readonly isolation = true;
  private world!: NetWorld;
  private binding!: NetBinding;
  private budget!: RetryBudget;
  private readonly r: StrategyReport = emptyReport();

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
    const p = k.params;
    runPhases(k, [
      { name: 'unload', fixedUs: p.recoveryStopUs, run: () => {
        k.log('recovery', `restart: unloading ${f.instance.name}; its requests are lost`);
        this.binding.destroy();
        netdev.flushQueue();
        netdev.resetConfig();
        return true;
      } },
      { name: 'reload', fixedUs: p.moduleLoadUs, run: () => {
        this.binding = NetBinding.load(this.world);
        netdev.ops = this.binding.ops();
        return this.binding.healthy;
      } },
      { name: 'ifup', fixedUs: 0, run: () => netdev.open() === 0 && this.binding.healthy },
    ], this.r.phasesUs, () => {
      this.r.recoveriesSucceeded++;
      k.log('recovery', `restart: ${this.binding.inst.name} reloaded and up (boot configuration)`);
    });
  }

  report(): StrategyReport { return { ...this.r, log: { ...this.r.log }, phasesUs: { ...this.r.phasesUs } }; }
}

export const restart: StrategyModule = { id: 'restart', description: 'Linux-Nooks: isolate, unload and reload the driver; its state is lost', create: () => new Restart() };
