// Kernel calls as drivers make them, with the part of each argument the kernel reads: a flag is
// read for its truth, a status for its sign. A SWIFI bit flip the service ignores then counts as a
// firing that changed nothing (faults/injector.ts), the way the service itself would ignore it.
import type { KernelService } from '../sim/exec.js';

/** A call whose only argument is a flag (e.g. carrier on/off). */
export function flagCall<T>(fn: (on: boolean) => T): KernelService<T> {
  return Object.assign((on: number) => fn(on !== 0), { canon: (a: readonly number[]) => [a[0] !== 0 ? 1 : 0] });
}

/** A call (id, status) whose status the kernel reads as failed (< 0, as a signed int) or done. */
export function statusCall<T>(fn: (id: number, status: number) => T): KernelService<T> {
  return Object.assign((id: number, st: number) => fn(id, st | 0), { canon: (a: readonly number[]) => [a[0] >>> 0, (a[1] | 0) < 0 ? 1 : 0] });
}
