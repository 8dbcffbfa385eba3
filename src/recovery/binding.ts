// One loaded network driver instance and the isolation wrappers (Nooks' stubs) through which
// the kernel calls it. Every strategy builds on this; none reaches into a driver's internals.
import type { DriverInstance } from '../kernel/kernel.js';
import { EIO, NetDeviceOps, NetKernelApi, NETDEV_TX_OK } from '../kernel/netcore.js';
import { ownerOfSlot, OWNER_KERNEL } from '../kernel/skb.js';
import type { NetDriver } from '../drivers/net/types.js';
import type { NetWorld } from '../trial/world.js';

export class NetBinding {
  private constructor(readonly world: NetWorld, readonly inst: DriverInstance, readonly drv: NetDriver, readonly priv: number) {}

  /** Load a fresh instance and run its probe (as the kernel does at module load). A strategy
   *  may tap the driver's calls into the kernel by wrapping its API. */
  static load(world: NetWorld, tapApi: (api: NetKernelApi) => NetKernelApi = (a) => a): NetBinding {
    const { k, netdev } = world;
    const inst = k.createInstance(world.driver.id, k.freeSlot());
    const drv = world.driver.create(inst.ctx, tapApi(netdev.apiFor(inst)), world.nic);
    netdev.driver = inst;
    const priv = k.invoke(inst, 'probe', () => drv.probe(), EIO);
    if (priv <= 0 && !inst.failed) k.log('load', `${inst.name} probe returned ${priv}`);
    return new NetBinding(world, inst, drv, priv);
  }

  get healthy(): boolean { return this.priv > 0 && !this.inst.failed; }

  /** The kernel's calls into this instance, each run under isolation. */
  ops(): NetDeviceOps {
    const { k } = this.world, i = this.inst, d = this.drv, p = this.priv;
    const call = <T>(entry: string, fn: () => T, fail: T): T => (this.priv > 0 ? k.invoke(i, entry, fn, fail) : fail);
    return {
      open: () => call('open', () => d.open(p), EIO),
      stop: () => call('stop', () => d.stop(p), EIO),
      startXmit: (skb, len) => call('start_xmit', () => d.startXmit(p, skb, len), EIO),
      setMacAddress: (lo, hi) => call('set_mac_address', () => d.setMacAddress(p, lo, hi), EIO),
      setMulticastList: () => call('set_multicast_list', () => d.setMulticastList(p), EIO),
      changeMtu: (mtu) => call('change_mtu', () => d.changeMtu(p, mtu), EIO),
      getStats: () => call('get_stats', () => d.getStats(p), null),
      txTimeout: () => call('tx_timeout', () => d.txTimeout(p), undefined),
      interrupt: () => call('interrupt', () => d.interrupt(p), undefined),
      timer: () => call('timer', () => d.timer(p), undefined),
    };
  }

  /** Skbs the instance holds (the object tracker's view). */
  heldSkbs(): number[] { return this.world.k.skbs.heldBy(ownerOfSlot(this.inst.slot)); }

  /** Take the instance's skbs back for the kernel (to resubmit them) and unload it. */
  reclaimAndDestroy(): number[] {
    const owner = ownerOfSlot(this.inst.slot);
    const skbs = this.heldSkbs();
    for (const s of skbs) this.world.k.skbs.transfer(s, owner, OWNER_KERNEL);
    this.world.k.destroyInstance(this.inst);
    this.world.nic.quiesce(); // unloading disables the device, as pci_disable_device does
    return skbs;
  }

  /** Unload and free everything the instance held: in-flight requests are lost. */
  destroy(): void {
    for (const s of this.reclaimAndDestroy()) this.world.k.skbs.free(s, OWNER_KERNEL);
  }
}

export { NETDEV_TX_OK };
