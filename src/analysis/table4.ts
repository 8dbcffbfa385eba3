// Paper Table 4: each application with a detected driver failure injected while it runs, under
// native, restart and shadow. As in the paper the fault is planted in the loaded driver image
// (persistence 'image': a reload is clean), unless asked otherwise. A fault counts when isolation (the restart run) detects the failure
// while the application is still at work (before the last tenth of its fault-free run, so not
// in the close path at the very end); the very same fault (same seed, same draw) is compared
// under all three strategies. Computed from records, so the command and a sweep agree.
import { runTrial } from '../trial/run.js';
import { OUTCOMES, Outcome, TrialRecord } from '../trial/record.js';
import { PAPER } from './paper.js';
import { wilson, Proportion } from './stats.js';
import type { Persistence } from '../faults/types.js';
import { DEFAULT_PARAMS } from '../params.js';

export const TABLE4_STRATEGIES = ['native', 'restart', 'shadow'] as const;
type Strategy = (typeof TABLE4_STRATEGIES)[number];
/** The protocol's active window (data/params.json table4ActiveShare, with its argument). */
export const ACTIVE_SHARE = DEFAULT_PARAMS.table4ActiveShare;

export interface Table4Row {
  app: string;
  driver: string;
  faults: number;
  mix: Record<Strategy, Record<Outcome, number>>;
  /** Most frequent outcome per strategy, with its share and 95% interval. */
  modal: Record<Strategy, { outcome: Outcome; share: number; interval: Proportion }>;
  paper: Record<Strategy, Outcome>;
  matches: Record<Strategy, boolean>;
  /** The qualifying records per strategy (what explains a cell). */
  records: Record<Strategy, TrialRecord[]>;
}

interface PaperRow { app: string; driver: string; native: string; restart: string; shadow: string }
const emptyMix = (): Record<Outcome, number> => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;

/** Does this (isolated) record count as a failure detected while the app was at work? */
export function detectedWhileActive(r: TrialRecord): boolean {
  if (!r.detected || !r.fault?.workloadEndUs) return false;
  const start = r.spec.params.appStartUs;
  return r.detected.atUs <= start + ACTIVE_SHARE * (r.fault.workloadEndUs - start);
}

export function table4FromRecords(records: readonly TrialRecord[]): Table4Row[] {
  const outcomeOf = PAPER.table4.outcomeOf as Record<string, Outcome>;
  const by = new Map<string, TrialRecord>();
  for (const r of records) by.set(`${r.spec.app}/${r.spec.seed}/${r.spec.strategy}`, r);
  return (PAPER.table4.rows as PaperRow[]).map((p) => {
    const mix = { native: emptyMix(), restart: emptyMix(), shadow: emptyMix() };
    const cellRecords: Record<Strategy, TrialRecord[]> = { native: [], restart: [], shadow: [] };
    let faults = 0;
    for (const r of records) {
      if (r.spec.app !== p.app || r.spec.strategy !== 'restart' || !detectedWhileActive(r)) continue;
      const trio = TABLE4_STRATEGIES.map((s) => by.get(`${p.app}/${r.spec.seed}/${s}`));
      if (trio.some((x) => !x)) continue;
      faults++;
      TABLE4_STRATEGIES.forEach((s, i) => { mix[s][trio[i]!.outcome]++; cellRecords[s].push(trio[i]!); });
    }
    const modalOf = (m: Record<Outcome, number>) => {
      let best: Outcome = 'correct';
      for (const o of OUTCOMES) if (m[o] > m[best]) best = o;
      return { outcome: best, share: faults ? m[best] / faults : 0, interval: wilson(m[best], faults) };
    };
    const modal = { native: modalOf(mix.native), restart: modalOf(mix.restart), shadow: modalOf(mix.shadow) };
    const paper = { native: outcomeOf[p.native], restart: outcomeOf[p.restart], shadow: outcomeOf[p.shadow] };
    return {
      app: p.app, driver: p.driver, faults, mix, modal, paper, records: cellRecords,
      // With no qualifying fault there is nothing to compare: such cells count neither way.
      matches: { native: faults > 0 && modal.native.outcome === paper.native, restart: faults > 0 && modal.restart.outcome === paper.restart, shadow: faults > 0 && modal.shadow.outcome === paper.shadow },
    };
  });
}

export interface Table4Options { faultsPerApp: number; maxSeeds: number; persistence?: Persistence; seedBase?: number; /** Called per app slot settled: a qualifying fault found, or a slot left empty when the seeds ran out. */ onFault?: () => void }

/** Run trials until each app has `faultsPerApp` qualifying faults (or `maxSeeds` seeds were tried). */
export function table4(o: Table4Options): Table4Row[] {
  const records: TrialRecord[] = [];
  for (const p of PAPER.table4.rows as PaperRow[]) {
    let found = 0;
    for (let seed = o.seedBase ?? 0, tried = 0; found < o.faultsPerApp && tried < o.maxSeeds; seed++, tried++) {
      const spec = { driver: p.driver, app: p.app, seed, fault: { type: 'random' as const, persistence: o.persistence ?? 'image' } };
      const isolated = runTrial({ ...spec, strategy: 'restart' });
      if (!detectedWhileActive(isolated)) continue;
      found++;
      records.push(isolated);
      for (const s of ['native', 'shadow'] as const) records.push(runTrial({ ...spec, strategy: s }));
      o.onFault?.();
    }
    for (let i = found; i < o.faultsPerApp; i++) o.onFault?.();
  }
  return table4FromRecords(records);
}
