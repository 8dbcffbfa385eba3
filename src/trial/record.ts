// What one trial produces: a plain JSON record that carries its own spec.
import type { ResolvedSpec } from './spec.js';
import type { LogAccount } from '../recovery/types.js';
import type { TraceEvent } from '../sim/trace.js';

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
  app: Record<string, number>;
  virtualUs: number;
  events: number;
  instructions: number;
  traceHash: string;
  replay: string;
  trace?: TraceEvent[];
}
