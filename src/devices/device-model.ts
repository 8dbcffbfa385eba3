// What every simulated device offers: registers for its driver, an interrupt line, and a way
// for the kernel to disable it when its driver is unloaded.
import type { Mmio } from '../sim/exec.js';

export interface DeviceModel extends Mmio {
  readonly name: string;
  readonly irqLine: number;
  dmaErrors: number;
  /** The kernel disabled the device (driver unloaded): no DMA, no interrupts. */
  quiesce(): void;
  /** How long until the device finishes what a reset started (link negotiation, a disk
   *  recalibrating, a codec locking); 0 when it is ready. */
  readyInUs?(): number;
  /** Device state for a checkpoint (registers and internal state), if the model supports it. */
  snapshot?(): DeviceSnapshot;
  /** Put the device back in a snapshot's state; work in flight since then is dropped. */
  restore?(s: DeviceSnapshot): void;
}

export interface DeviceSnapshot { readonly bytes: number; readonly state: unknown }
