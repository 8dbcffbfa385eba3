// A recovery strategy sits on the kernel-driver interface: it loads the driver, gives the
// kernel the ops it calls (so it sees every call both ways), and is told of each failure.
import type { World } from '../world/world.js';
import type { DriverClass } from '../kernel/class-core.js';

export interface LogAccount { peakEntries: number; peakBytes: number; atFailureEntries: number; atFailureBytes: number }

export interface StrategyReport {
  recoveriesAttempted: number;
  recoveriesSucceeded: number;
  gaveUp: boolean;
  log: LogAccount;
  /** Virtual time spent in each recovery phase, summed over recoveries (µs). */
  phasesUs: Record<string, number>;
  /** When each successful recovery completed. */
  restoredAtUs: number[];
  /** When service went on at once on a standby (a failover): no outage waits for the class. */
  continuedAtUs: number[];
  /** Detected failures of a standby, which never took the service down. */
  standbyFailureAtUs: number[];
  /** Strategy-specific counters (bytes mirrored, checkpoints taken, requests skipped, ...). */
  stats: Record<string, number>;
}

export interface RecoveryStrategy {
  readonly id: string;
  /** The one switch a strategy sets in the kernel. */
  readonly isolation: boolean;
  attach(world: World): void;
  report(): StrategyReport;
  /** Bytes the strategy holds for recovery right now (log, image, standby state). */
  retainedBytes?(): number;
  /** The strategy tells requests apart by their tags (FailureReport.requestTag), so every
   *  request must carry its exact content hash (see Kernel.exactRequestTags). */
  readonly readsRequestTags?: boolean;
}

/** A copy of a report that later changes to the strategy cannot touch. */
export function copyReport(r: StrategyReport, log = r.log): StrategyReport {
  return {
    ...r, log: { ...log }, phasesUs: { ...r.phasesUs }, restoredAtUs: [...r.restoredAtUs],
    continuedAtUs: [...r.continuedAtUs], standbyFailureAtUs: [...r.standbyFailureAtUs], stats: { ...r.stats },
  };
}

export interface StrategyModule {
  id: string;
  description: string;
  create(): RecoveryStrategy;
  /** Driver classes the strategy supports (all when absent). */
  classes?: readonly DriverClass[];
}

export const emptyLog = (): LogAccount => ({ peakEntries: 0, peakBytes: 0, atFailureEntries: 0, atFailureBytes: 0 });
export const emptyReport = (): StrategyReport => ({ recoveriesAttempted: 0, recoveriesSucceeded: 0, gaveUp: false, log: emptyLog(), phasesUs: {}, restoredAtUs: [], continuedAtUs: [], standbyFailureAtUs: [], stats: {} });
