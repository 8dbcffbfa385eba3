// What a network driver module provides: entry points called by the kernel (through the
// recovery strategy's port) with the adapter pointer `priv` that probe returned.
import type { ExecContext } from '../../sim/exec.js';
import type { NetKernelApi, NetStats } from '../../kernel/netcore.js';
import type { NicDevice } from '../../devices/nic.js';

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

export interface NetDriverModule {
  id: string;
  description: string;
  create(ctx: ExecContext, api: NetKernelApi, dev: NicDevice): NetDriver;
}

export const ENOMEM = -12, EINVAL = -22, ENODEV = -19;
