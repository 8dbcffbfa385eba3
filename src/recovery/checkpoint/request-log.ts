// What checkpoint-restart needs of a driver class: which kernel-to-driver calls change the
// driver's state (so they are logged between checkpoints) and which of them the driver really
// accepted; how to copy a call's payload out of kernel objects that may be gone by the time it
// is replayed; the kernel objects the driver holds at a checkpoint and how to give them back to
// a restored instance; and what the kernel's side does while the driver is being restored.
import type { DriverInstance } from '../../kernel/kernel.js';

export interface LoggedCall {
  entry: string;
  args: number[];
  /** A copy of the request's data (a frame, a block), when the call hands the driver a kernel object. */
  payload: Uint8Array | null;
  bytes: number;
}

/** The kernel objects an instance held at a checkpoint, with copies of their contents. */
export interface HeldSnapshot { readonly bytes: number; readonly objects: readonly unknown[] }

export interface ClassRequestLog<Ops extends object> {
  /** Calls that are not logged (they only read state, or are device and timer events the
   *  restored device and timer raise again). */
  readonly unlogged: ReadonlySet<string>;
  /** Log one call (before it reaches the driver). */
  record(entry: string, args: unknown[]): LoggedCall;
  /** Did the driver take the call (a refused request is issued again by the kernel)? */
  accepted(entry: string, result: unknown): boolean;
  /** What a call gets while the driver is being restored (undefined: the failed instance's answer). */
  whileRecovering(entry: string): unknown;
  /** The objects `inst` holds now, with their contents. */
  snapshotHeld(inst: DriverInstance): HeldSnapshot;
  /** The failed instance's objects came back to the kernel: release what neither the checkpoint
   *  nor the log will give to the restored instance. */
  afterStop(held: number[], checkpoint: HeldSnapshot, log: readonly LoggedCall[]): void;
  /** Give the checkpoint's objects to the restored instance; returns how many could not be. */
  restoreHeld(checkpoint: HeldSnapshot, inst: DriverInstance): number;
  /** Replay a logged call into the restored instance. */
  replay(call: LoggedCall, ops: Ops, inst: DriverInstance): void;
  /** Recovery is over: let the kernel's waiting work go on. */
  resume(inst: DriverInstance): void;
  /** Calls the restored instance refused on replay. */
  readonly replayDropped: number;
}

/** Bookkeeping per logged call (entry, sequence, list links). */
export const CALL_HEADER_BYTES = 16;
