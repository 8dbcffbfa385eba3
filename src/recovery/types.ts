// A recovery strategy sits on the kernel-driver interface: it loads the driver, gives the
// kernel the ops it calls (so it sees every call both ways), and is told of each failure.
import type { World } from '../trial/world.js';

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
}

export interface RecoveryStrategy {
  readonly id: string;
  /** The one switch a strategy sets in the kernel. */
  readonly isolation: boolean;
  attach(world: World): void;
  report(): StrategyReport;
}

export interface StrategyModule {
  id: string;
  description: string;
  create(): RecoveryStrategy;
}

export const emptyLog = (): LogAccount => ({ peakEntries: 0, peakBytes: 0, atFailureEntries: 0, atFailureBytes: 0 });
export const emptyReport = (): StrategyReport => ({ recoveriesAttempted: 0, recoveriesSucceeded: 0, gaveUp: false, log: emptyLog(), phasesUs: {}, restoredAtUs: [] });
