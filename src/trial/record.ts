// What one trial produces: a plain JSON record that carries its own spec.
import type { ResolvedSpec } from './spec.js';
import type { LogAccount } from '../recovery/types.js';
import type { TraceEvent } from '../sim/trace.js';
import type { FaultSpec } from '../faults/types.js';
import type { FaultActivity } from '../faults/injector.js';
import type { Oops } from '../kernel/kernel.js';

/** The planted fault, what it did, and the gap from its first firing to detection. */
export type FaultRecord = FaultSpec & FaultActivity & {
  latentGapUs: number | null;
  /** When the workload's fault-free profile run ended (its activity window). */
  workloadEndUs: number | null;
};

export type Outcome = 'not-activated' | 'correct' | 'malfunction' | 'app-failed' | 'system-crash' | 'harness-error';
export const OUTCOMES: readonly Outcome[] = ['not-activated', 'correct', 'malfunction', 'app-failed', 'system-crash', 'harness-error'];

export interface Detection { kind: string; atUs: number; site: string | null; entry: string; message: string }

export interface TrialRecord {
  spec: ResolvedSpec;
  outcome: Outcome;
  reason: string;
  detected: Detection | null;
  failures: number;
  recoveries: { attempted: number; succeeded: number; gaveUp: boolean };
  recoveryUs: number;
  downtimeUs: number;
  log: LogAccount;
  /** Virtual time per recovery phase, summed (µs). */
  recoveryPhasesUs: Record<string, number>;
  /** What the strategy counted (bytes mirrored, checkpoints, requests skipped, ...). */
  strategyStats: Record<string, number>;
  /** Host CPU by component (µs) and utilisation over the run. */
  cpu: Record<string, number>;
  fault: FaultRecord | null;
  /** The other planted faults of a multi-fault trial, each with what it did. */
  extraFaults?: FaultRecord[];
  /** Processes a native kernel killed for an oops in process context (the system stayed up). */
  oopses: Oops[];
  app: Record<string, number>;
  virtualUs: number;
  events: number;
  instructions: number;
  traceHash: string;
  replay: string;
  trace?: TraceEvent[];
  /** Long-run trials: the persistence of arriving faults and what became of each. */
  longRun?: { persistence: string; faultArrivalMeanUs: number; fates: Array<{ atUs: number; persistence: string; fired: boolean; failures: number; recovered: number; appRestarts: number; reboots: number; recoveryUs: number }> };
  /** [virtual µs, bytes retained for recovery], when sampling was asked for. */
  logSeries?: Array<[number, number]>;
}

/** A trial the harness could not run (it threw, or its worker died or overran): never an outcome of the system. */
export function harnessErrorRecord(spec: ResolvedSpec, replay: string, message: string): TrialRecord {
  return {
    spec, outcome: 'harness-error', reason: message, detected: null, failures: 0,
    recoveries: { attempted: 0, succeeded: 0, gaveUp: false }, recoveryUs: 0, downtimeUs: 0,
    log: { peakEntries: 0, peakBytes: 0, atFailureEntries: 0, atFailureBytes: 0 }, recoveryPhasesUs: {}, strategyStats: {}, cpu: {},
    fault: null, oopses: [], app: {}, virtualUs: 0, events: 0, instructions: 0, traceHash: '', replay,
  };
}
