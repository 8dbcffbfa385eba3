// One loaded driver instance and the isolation wrappers (Nooks' stubs) through which the
// kernel calls it, generated from the class's entry points. Every strategy builds on this;
// none reaches into a driver's internals.
import type { DriverInstance } from '../kernel/kernel.js';
import type { DriverCode } from '../drivers/types.js';
import type { DeviceModel } from '../devices/device-model.js';
import type { World } from '../world/world.js';
import { young } from '../sim/young.js';

const EIO = -5;

/** How a strategy wraps the kernel API an instance gets (its taps on driver-to-kernel calls). */
export type ApiTap = <A extends object>(api: A, inst: DriverInstance) => A;
const noTap: ApiTap = (a) => a;

export interface LoadOptions {
  tapApi?: ApiTap;
  /** The device this instance drives (default: the world's). */
  device?: DeviceModel;
  /** Put the instance in this slot (default: the first free one). */
  slot?: number;
  /** Make it the instance the class core serves (default true; a standby is not). */
  bind?: boolean;
}

/** Under isolation, the class's batched kernel calls ride on the return crossing. */
function batched<A extends object>(world: World, api: A): A {
  const { k, core } = world;
  if (!k.isolation) return api;
  const out = { ...api } as Record<string, unknown>;
  const wrap = (n: string, crosses: () => boolean): void => {
    const fn = out[n] as ((...a: unknown[]) => unknown) | undefined;
    if (typeof fn === 'function') out[n] = young((...a: unknown[]) => { if (!crosses()) k.batchedCalls++; return fn(...a); });
  };
  for (const n of core.batchedCalls ?? []) wrap(n, () => false);
  for (const n of core.pooledCalls ?? []) {
    let served = 0;
    wrap(n, () => served++ % k.params.isolatedPoolBatch === 0);
  }
  return out as A;
}

export class Binding {
  private opsCache: object | null = null;
  private constructor(readonly world: World, readonly inst: DriverInstance, readonly code: DriverCode, readonly priv: number, readonly device: DeviceModel) {}

  /** Load a fresh instance and run its probe (as the kernel does at module load). A strategy
   *  may tap the driver's calls into the kernel by wrapping its API. */
  static load(world: World, o: LoadOptions = {}): Binding {
    const { k } = world;
    const b = Binding.create(world, o);
    const priv = k.invoke(b.inst, 'probe', () => b.code.probe(), EIO);
    if (priv <= 0 && !b.inst.failed) k.log('load', `${b.inst.name} probe returned ${priv}`);
    return new Binding(world, b.inst, b.code, priv, b.device);
  }

  /** A new instance whose memory the caller fills in (a checkpoint restore): no probe runs;
   *  `priv` is the adapter pointer the restored image holds. */
  static adopt(world: World, priv: number, o: LoadOptions, fill: (inst: DriverInstance) => void): Binding {
    const b = Binding.create(world, o);
    fill(b.inst);
    return new Binding(world, b.inst, b.code, priv, b.device);
  }

  private static create(world: World, o: LoadOptions) {
    const { k, core } = world;
    const device = o.device ?? world.device;
    const inst = k.createInstance(world.driver.id, o.slot ?? k.freeSlot());
    const code = world.driver.create(inst.ctx, (o.tapApi ?? noTap)(batched(world, core.apiFor(inst)), inst), device);
    if (o.bind ?? true) core.driver = inst;
    return { inst, code, device };
  }

  get healthy(): boolean { return this.priv > 0 && !this.inst.failed; }

  /** The kernel's calls into this instance, each run under isolation. */
  ops<Ops extends object>(): Ops {
    if (this.opsCache) return this.opsCache as Ops;
    const { k, core } = this.world;
    const out: Record<string, unknown> = {};
    for (const [entry, fail] of Object.entries(core.entryPoints)) {
      const fn = (this.code as unknown as Record<string, (...a: unknown[]) => unknown>)[entry];
      out[entry] = young((...args: unknown[]) => {
        if (this.priv <= 0) return fail;
        // The request this call carries, so a fault can depend on it and a failure names it.
        const ctx = this.inst.ctx, outer = ctx.request;
        ctx.request = core.requestTag?.(entry, args, k.exactRequestTags) || outer;
        try { return k.invoke(this.inst, entry, () => fn.call(this.code, this.priv, ...args), fail); } finally { ctx.request = outer; }
      });
    }
    this.opsCache = out;
    return out as Ops;
  }

  /** Take the instance's kernel objects back for the kernel and unload it. */
  reclaimAndDestroy(): number[] {
    const objects = this.world.core.reclaim(this.inst);
    this.world.k.destroyInstance(this.inst);
    this.device.quiesce(); // unloading disables the device, as pci_disable_device does
    return objects;
  }

  /** Unload and give up everything the instance held: in-flight requests are lost. */
  destroy(): void { this.world.core.release(this.reclaimAndDestroy()); }
}
