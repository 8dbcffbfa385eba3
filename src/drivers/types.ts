// What every driver module provides, whatever its class: its id and class, and a constructor
// for its code bound to an execution context, a kernel API and its device. The driver's
// entry points take the private pointer `priv` that probe returned.
import type { ExecContext } from '../sim/exec.js';
import type { DriverClass } from '../kernel/class-core.js';
import type { DeviceModel } from '../devices/device-model.js';

export interface DriverCode {
  probe(): number;
}

export interface DriverModule {
  id: string;
  cls: DriverClass;
  description: string;
  create(ctx: ExecContext, api: object, dev: DeviceModel): DriverCode;
}

export const ENOMEM = -12, EINVAL = -22, ENODEV = -19, EIO = -5, EAGAIN = -11;
