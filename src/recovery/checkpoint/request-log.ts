// What checkpoint-restart needs of a driver class: which kernel-to-driver calls change the
// driver's state (so they are logged between checkpoints), how to copy a call's payload out of
// kernel objects that may be gone by the time it is replayed, and how to replay it.
import type { DriverInstance } from '../../kernel/kernel.js';

export interface LoggedCall {
  entry: string;
  args: number[];
  /** A copy of the request's data (a frame), when the call hands the driver a kernel object. */
  payload: Uint8Array | null;
  bytes: number;
}

export interface ClassRequestLog<Ops extends object> {
  /** Calls that are not logged (they only read state, or are device and timer events the
   *  restored device and timer raise again). */
  readonly unlogged: ReadonlySet<string>;
  /** Log one call (before it reaches the driver). */
  record(entry: string, args: unknown[]): LoggedCall;
  /** Replay a logged call into the restored instance. */
  replay(call: LoggedCall, ops: Ops, inst: DriverInstance): void;
}

/** Bookkeeping per logged call (entry, sequence, list links). */
export const CALL_HEADER_BYTES = 16;
