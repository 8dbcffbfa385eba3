// The kernel side of one driver class (network, sound, block) as recovery strategies see it:
// how the kernel calls the driver, what the driver may call, which kernel objects a driver
// instance holds, and what the kernel does when a driver goes away and comes back.
import type { DriverInstance } from './kernel.js';

export type DriverClass = 'network' | 'sound' | 'block';
export const DRIVER_CLASSES: readonly DriverClass[] = ['network', 'sound', 'block'];

export interface ClassCore<Ops extends object = object, Api extends object = object> {
  readonly cls: DriverClass;
  /** Entry points of the class interface, each with the value a failed call returns. */
  readonly entryPoints: Readonly<Record<keyof Ops & string, unknown>>;
  /** How the kernel reaches the driver (set by the recovery strategy). */
  ops: Ops | null;
  /** The instance currently bound (for watchdogs and object ownership). */
  driver: DriverInstance | null;
  /** The kernel services this class offers a driver instance. */
  apiFor(inst: DriverInstance): Api;
  /** Take back the kernel objects the instance holds (buffers, requests), for the kernel. */
  reclaim(inst: DriverInstance): number[];
  /** The kernel gives up on reclaimed objects: free buffers, fail requests with an error. */
  release(objects: number[]): void;
  /** The driver was unloaded: the class forgets its configuration, and queued work fails. */
  unregister(): void;
  /** A tag for the request an entry point hands the driver (a hash of its content, never 0),
   *  or 0 if the call carries none. Request-triggered faults and request skipping use it;
   *  with `exact` false the tag is 1 for any request (whether there is one, without hashing). */
  requestTag?(entry: string, args: readonly unknown[], exact?: boolean): number;
  /** Move a kernel-held object out of the way so its address is free (checkpoint restore). */
  relocate?(object: number): boolean;
  /** What the kernel (or its boot scripts) does after loading the driver. */
  bringUp(): number;
  /** Kernel services a driver calls without waiting on an answer that the driver needs at
   *  once: under isolation they are queued and run on the return crossing (Nooks batches
   *  such calls), so they cost no crossing of their own. */
  readonly batchedCalls?: readonly string[];
  /** Kernel services served from a pool in the driver's domain under isolation: one crossing
   *  in `isolatedPoolBatch` calls refills it. */
  readonly pooledCalls?: readonly string[];
  /** Whether the class sees for itself when the device is in service (network: carrier). */
  readonly observesService: boolean;
  /** Times at which the device came (back) into service, when the class observes it. */
  readonly inServiceUs: number[];
}
