// Paper Table 4: each application with a detected driver failure injected while it runs, under
// native, restart and shadow. As in the paper the failure happens once: the fault is transient
// (unless asked otherwise). A fault counts when isolation detects the failure it causes while
// the application is still at work (before the last tenth of its fault-free run, so not in the
// close path at the very end); the very same fault (same seed, same draw) then runs under all
// three strategies.
import { runTrial } from '../trial/run.js';
import { OUTCOMES, Outcome, TrialRecord } from '../trial/record.js';
import { PAPER } from './paper.js';
import type { Persistence } from '../faults/types.js';

export const TABLE4_STRATEGIES = ['native', 'restart', 'shadow'] as const;
type Strategy = (typeof TABLE4_STRATEGIES)[number];

export interface Table4Row {
  app: string;
  driver: string;
  /** Faults whose failure isolation detected, run under every strategy. */
  faults: number;
  seedsTried: number;
  mix: Record<Strategy, Record<Outcome, number>>;
  /** Most frequent outcome per strategy, with its share. */
  modal: Record<Strategy, { outcome: Outcome; share: number }>;
  paper: Record<Strategy, Outcome>;
  matches: Record<Strategy, boolean>;
}

export interface Table4Options {
  faultsPerApp: number;
  maxSeeds: number;
  persistence?: Persistence;
  seedBase?: number;
  onTrial?: () => void;
}

/** Share of the app's fault-free run within which a detected failure counts as "while it runs". */
export const ACTIVE_SHARE = 0.9;

function emptyMix(): Record<Outcome, number> { return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>; }

function modal(m: Record<Outcome, number>, n: number): { outcome: Outcome; share: number } {
  let best: Outcome = 'correct';
  for (const o of OUTCOMES) if (m[o] > m[best]) best = o;
  return { outcome: best, share: n ? m[best] / n : 0 };
}

export function table4Row(paperRow: { app: string; driver: string; native: string; restart: string; shadow: string }, o: Table4Options): Table4Row {
  const outcomeOf = PAPER.table4.outcomeOf as Record<string, Outcome>;
  const mix = { native: emptyMix(), restart: emptyMix(), shadow: emptyMix() };
  const profile = runTrial({ driver: paperRow.driver, app: paperRow.app, strategy: 'native', seed: 0, fault: null });
  const start = profile.spec.params.appStartUs;
  const activeUntilUs = start + ACTIVE_SHARE * (profile.virtualUs - start);
  let faults = 0, seed = o.seedBase ?? 0, tried = 0;
  while (faults < o.faultsPerApp && tried < o.maxSeeds) {
    tried++;
    const spec = { driver: paperRow.driver, app: paperRow.app, seed: seed++, fault: { type: 'random' as const, persistence: o.persistence ?? 'transient' } };
    const isolated: TrialRecord = runTrial({ ...spec, strategy: 'restart' });
    o.onTrial?.();
    if (!isolated.detected || isolated.detected.atUs > activeUntilUs) continue;
    faults++;
    mix.restart[isolated.outcome]++;
    for (const s of ['native', 'shadow'] as const) { mix[s][runTrial({ ...spec, strategy: s }).outcome]++; o.onTrial?.(); }
  }
  const paper = { native: outcomeOf[paperRow.native], restart: outcomeOf[paperRow.restart], shadow: outcomeOf[paperRow.shadow] };
  const modes = { native: modal(mix.native, faults), restart: modal(mix.restart, faults), shadow: modal(mix.shadow, faults) };
  return {
    app: paperRow.app, driver: paperRow.driver, faults, seedsTried: tried, mix, modal: modes, paper,
    matches: { native: modes.native.outcome === paper.native, restart: modes.restart.outcome === paper.restart, shadow: modes.shadow.outcome === paper.shadow },
  };
}

export function table4(o: Table4Options): Table4Row[] {
  return (PAPER.table4.rows as Array<{ app: string; driver: string; native: string; restart: string; shadow: string }>).map((r) => table4Row(r, o));
}
