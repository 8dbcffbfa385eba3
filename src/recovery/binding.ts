// One loaded driver instance and the isolation wrappers (Nooks' stubs) through which the
// kernel calls it, generated from the class's entry points. Every strategy builds on this;
// none reaches into a driver's internals.
import type { DriverInstance } from '../kernel/kernel.js';
import type { DriverCode } from '../drivers/types.js';
import type { World } from '../trial/world.js';

const EIO = -5;

export class Binding {
  private constructor(readonly world: World, readonly inst: DriverInstance, readonly code: DriverCode, readonly priv: number) {}

  /** Load a fresh instance and run its probe (as the kernel does at module load). A strategy
   *  may tap the driver's calls into the kernel by wrapping its API. */
  static load(world: World, tapApi: <A extends object>(api: A) => A = (a) => a): Binding {
    const { k, core } = world;
    const inst = k.createInstance(world.driver.id, k.freeSlot());
    const code = world.driver.create(inst.ctx, tapApi(core.apiFor(inst)), world.device);
    core.driver = inst;
    const priv = k.invoke(inst, 'probe', () => code.probe(), EIO);
    if (priv <= 0 && !inst.failed) k.log('load', `${inst.name} probe returned ${priv}`);
    return new Binding(world, inst, code, priv);
  }

  get healthy(): boolean { return this.priv > 0 && !this.inst.failed; }

  /** The kernel's calls into this instance, each run under isolation. */
  ops<Ops extends object>(): Ops {
    const { k, core } = this.world;
    const out: Record<string, unknown> = {};
    for (const [entry, fail] of Object.entries(core.entryPoints)) {
      const fn = (this.code as unknown as Record<string, (...a: unknown[]) => unknown>)[entry];
      out[entry] = (...args: unknown[]) => (this.priv > 0 ? k.invoke(this.inst, entry, () => fn.call(this.code, this.priv, ...args), fail) : fail);
    }
    return out as Ops;
  }

  /** Take the instance's kernel objects back for the kernel and unload it. */
  reclaimAndDestroy(): number[] {
    const objects = this.world.core.reclaim(this.inst);
    this.world.k.destroyInstance(this.inst);
    this.world.device.quiesce(); // unloading disables the device, as pci_disable_device does
    return objects;
  }

  /** Unload and give up everything the instance held: in-flight requests are lost. */
  destroy(): void { this.world.core.release(this.reclaimAndDestroy()); }
}
