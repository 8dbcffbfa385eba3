// What a network driver module provides: entry points called by the kernel (through the
// recovery strategy's port) with the adapter pointer `priv` that probe returned.
import type { ExecContext } from '../../sim/exec.js';
import type { NetKernelApi, NetStats } from '../../kernel/netcore.js';
import type { DeviceModel } from '../../devices/device-model.js';
import type { DriverModule } from '../types.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Wire } from '../../devices/wire.js';
import type { Mac } from '../../net/eth.js';

export interface NetDriver {
  probe(): number;
  remove(priv: number): void;
  open(priv: number): number;
  stop(priv: number): number;
  startXmit(priv: number, skb: number, len: number): number;
  setMacAddress(priv: number, lo: number, hi: number): number;
  setMulticastList(priv: number): number;
  changeMtu(priv: number, mtu: number): number;
  getStats(priv: number): NetStats;
  txTimeout(priv: number): void;
  interrupt(priv: number): void;
  timer(priv: number): void;
}

export interface NetDriverModule extends DriverModule {
  cls: 'network';
  /** The device this driver drives (each driver knows its own hardware). */
  createDevice(k: Kernel, wire: Wire, side: 0 | 1, irqLine: number, mac: Mac): DeviceModel;
  create(ctx: ExecContext, api: NetKernelApi, dev: DeviceModel): NetDriver;
}

export { ENOMEM, EINVAL, ENODEV } from '../types.js';
