// What one trial runs on. Every class has a kernel, a device, the driver module and the
// class's kernel core; each class adds what its applications need.
import { Kernel } from '../kernel/kernel.js';
import type { ClassCore, DriverClass } from '../kernel/class-core.js';
import type { DeviceModel } from '../devices/device-model.js';
import type { DriverModule } from '../drivers/types.js';

export interface World {
  k: Kernel;
  cls: DriverClass;
  driver: DriverModule;
  device: DeviceModel;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  core: ClassCore<any, any>;
  /** Hardware for replication, where the class has it: a standby device that sees every
   *  input the live one does (its outputs go nowhere), and a way to put one in service. */
  replicaHardware?: ReplicaHardware;
}

export interface ReplicaHardware {
  makeStandby(): DeviceModel;
  putInService(device: DeviceModel): void;
}
