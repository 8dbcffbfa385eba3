// Linux-Nooks: isolate, detect, unload and reload the driver. In-flight requests fail, and
// the driver comes back with the configuration it has at load: what applications set is
// gone. The kernel (or a user-mode agent) brings the device up as at boot.
import { Binding } from './binding.js';
import { RetryBudget } from './retry-budget.js';
import { runPhases, stopPhase, loadPhase, devicePhase } from './phases.js';
import { RecoveryStrategy, StrategyModule, StrategyReport, copyReport, emptyReport } from './types.js';
import type { World } from '../world/world.js';
import type { FailureReport } from '../kernel/kernel.js';
import { young } from '../sim/young.js';

class Restart implements RecoveryStrategy {
  readonly id = 'restart';
  readonly isolation = true;
  private world!: World;
  private binding!: Binding;
  private budget!: RetryBudget;
  private readonly r: StrategyReport = emptyReport();

  attach(world: World): void {
    this.world = world;
    this.budget = new RetryBudget(world.k.params.maxConsecutiveRecoveries, world.k.params.recoveryQuietUs);
    this.binding = Binding.load(world);
    world.core.ops = this.binding.ops();
    world.k.onDriverFailure = young((f: FailureReport) => this.recover(f));
  }

  private recover(f: FailureReport): void {
    const { k, core } = this.world;
    if (f.instance !== this.binding.inst || this.r.gaveUp) return;
    if (!this.budget.admit(k.now)) {
      this.r.gaveUp = true;
      if (!this.binding.inst.destroyed) this.binding.destroy();
      core.unregister();
      k.log('recovery', `restart: giving up after ${k.params.maxConsecutiveRecoveries} attempts; the device stays down`);
      return;
    }
    this.r.recoveriesAttempted++;
    runPhases(k, [
      stopPhase(k, 'unload', () => {
        k.log('recovery', `restart: unloading ${f.instance.name}; its requests fail`);
        const held = this.binding.reclaimAndDestroy();
        core.release(held);
        core.unregister();
        return held.length;
      }),
      loadPhase(k, () => {
        this.binding = Binding.load(this.world);
        core.ops = this.binding.ops();
        return this.binding.healthy;
      }),
      devicePhase(this.world.device),
      { name: 'bring-up', fixedUs: 0, run: () => core.bringUp() === 0 && this.binding.healthy },
    ], this.r.phasesUs, () => {
      this.r.recoveriesSucceeded++;
      this.r.restoredAtUs.push(k.now);
      k.log('recovery', `restart: ${this.binding.inst.name} reloaded and up (load-time configuration)`);
    });
  }

  report(): StrategyReport { return copyReport(this.r); }
}

export const restart: StrategyModule = { id: 'restart', description: 'Linux-Nooks: isolate, unload and reload the driver; its state is lost', create: () => new Restart() };
