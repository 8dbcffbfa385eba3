// The paper's SWIFI categories and the Nooks headline, from paired records (same driver, app,
// fault persistence, fault count and seed: the same planted faults under every strategy).
//
// Definitions, fixed before any comparison (docs/REPORT.md states them above the numbers):
// - a fault counts when, under native, the application did not end correct (it crashed the
//   system, failed or misbehaved the application, or hung it); faults that did nothing natively
//   need no recovery;
// - automatic: under the strategy the application finished correctly and nobody had to act;
// - manual: the system stayed up, but the application failed, hung or misbehaved, so a person must
//   restart it (outcomes app-failed and malfunction);
// - failed: the system went down (system-crash);
// - a fault that did not change anything under the strategy (timing differs once isolation costs
//   CPU, so a mutated site may not run) is counted apart as "not reached" and left out of the shares.
import { wilson, Proportion } from './stats.js';
import { paramSetOf, Rec } from './summaries.js';

export const CAMPAIGN_STRATEGIES = ['native', 'restart', 'shadow'] as const;

/** How many faults a record's trial planted. */
export const faultCount = (r: Rec): number => (r.spec.fault ? 1 + (r.spec.extraFaults?.length ?? 0) : 0);

const pairKey = (r: Rec): string =>
  `${r.spec.driver}/${r.spec.app}/${paramSetOf(r)}/${r.spec.fault?.persistence ?? 'none'}/${faultCount(r)}/${r.spec.seed}`;

/** Did this native run need recovery (it did not end correct, and the fault did something)? */
export function harmedNatively(n: Rec): boolean {
  return n.outcome !== 'correct' && n.outcome !== 'not-activated' && n.outcome !== 'harness-error';
}

export type Category = 'automatic' | 'manual' | 'failed' | 'not reached';

export function categoryOf(r: Rec): Category | null {
  switch (r.outcome) {
    case 'correct': return 'automatic';
    case 'malfunction': case 'app-failed': return 'manual';
    case 'system-crash': return 'failed';
    case 'not-activated': return 'not reached';
    case 'harness-error': return null;
  }
}

export interface CategoryRow {
  driver: string; app: string; persistence: string; faults: number; strategy: string;
  /** Faults that harmed the application natively and reached the strategy's run. */
  n: number;
  notReached: number;
  automatic: Proportion; manual: Proportion; failed: Proportion;
  /** Automatic among the faults the strategy's isolation detected (what recovery can act on). */
  automaticWhenDetected: Proportion;
  /** The records behind the row (for explanations). */
  records: Rec[];
}

/** Native records by pair key, for pairing every other strategy's records with them. */
function nativeIndex(records: readonly Rec[]): Map<string, Rec> {
  const m = new Map<string, Rec>();
  for (const r of records) if (r.spec.strategy === 'native') m.set(pairKey(r), r);
  return m;
}

/** Per driver, application, persistence, fault count and strategy: the paper's three categories. */
export function campaignCategories(records: readonly Rec[]): CategoryRow[] {
  const native = nativeIndex(records);
  const groups = new Map<string, { head: Omit<CategoryRow, 'n' | 'notReached' | 'automatic' | 'manual' | 'failed' | 'automaticWhenDetected' | 'records'>; counts: Record<Category, number>; records: Rec[] }>();
  for (const r of records) {
    const n = native.get(pairKey(r));
    if (!n || !harmedNatively(n)) continue;
    const cat = categoryOf(r);
    if (cat === null) continue;
    const persistence = r.spec.fault?.persistence ?? 'none';
    const key = `${r.spec.driver}/${r.spec.app}/${persistence}/${faultCount(r)}/${r.spec.strategy}`;
    const g = groups.get(key) ?? { head: { driver: r.spec.driver, app: r.spec.app, persistence, faults: faultCount(r), strategy: r.spec.strategy }, counts: { automatic: 0, manual: 0, failed: 0, 'not reached': 0 }, records: [] };
    g.counts[cat]++;
    g.records.push(r);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ head, counts, records: rs }) => {
    const n = counts.automatic + counts.manual + counts.failed;
    const detected = rs.filter((x) => x.detected !== null && x.outcome !== 'not-activated');
    const detectedAuto = detected.filter((x) => x.outcome === 'correct').length;
    return { ...head, n, notReached: counts['not reached'], automatic: wilson(counts.automatic, n), manual: wilson(counts.manual, n), failed: wilson(counts.failed, n), automaticWhenDetected: wilson(detectedAuto, detected.length), records: rs };
  }).sort((a, b) => `${a.driver}/${a.app}/${a.persistence}/${a.faults}/${order(a.strategy)}`.localeCompare(`${b.driver}/${b.app}/${b.persistence}/${b.faults}/${order(b.strategy)}`));
}

const order = (s: string): number => Math.max(0, (CAMPAIGN_STRATEGIES as readonly string[]).indexOf(s));

export interface HeadlineRow {
  strategy: string; persistence: string; faults: number;
  /** Faults that crashed native Linux, and the share whose system this strategy kept up. */
  nativeCrashes: number; keptUp: Proportion;
  /** Faults that harmed the application natively without a crash ("non-fatal"), natively and under the strategy. */
  nonFatalNative: number; nonFatalUnder: number;
}

/** The Nooks headline (SOSP'03: 313 of 317 native crashes survived, 99%), per strategy, persistence and fault count. */
export function nooksHeadline(records: readonly Rec[]): HeadlineRow[] {
  const native = nativeIndex(records);
  const groups = new Map<string, { head: Pick<HeadlineRow, 'strategy' | 'persistence' | 'faults'>; crashes: number; up: number; nonFatalNative: number; nonFatalUnder: number }>();
  for (const r of records) {
    if (r.spec.strategy === 'native' || r.outcome === 'harness-error') continue;
    const n = native.get(pairKey(r));
    if (!n || n.outcome === 'harness-error') continue;
    const persistence = r.spec.fault?.persistence ?? 'none';
    const key = `${r.spec.strategy}/${persistence}/${faultCount(r)}`;
    const g = groups.get(key) ?? { head: { strategy: r.spec.strategy, persistence, faults: faultCount(r) }, crashes: 0, up: 0, nonFatalNative: 0, nonFatalUnder: 0 };
    if (n.outcome === 'system-crash') { g.crashes++; if (r.outcome !== 'system-crash') g.up++; }
    if (n.outcome === 'app-failed' || n.outcome === 'malfunction') g.nonFatalNative++;
    if (r.outcome === 'app-failed' || r.outcome === 'malfunction') g.nonFatalUnder++;
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ ...g.head, nativeCrashes: g.crashes, keptUp: wilson(g.up, g.crashes), nonFatalNative: g.nonFatalNative, nonFatalUnder: g.nonFatalUnder }))
    .sort((a, b) => `${a.persistence}/${a.faults}/${order(a.strategy)}`.localeCompare(`${b.persistence}/${b.faults}/${order(b.strategy)}`));
}

export interface NativeRow {
  driver: string;
  /** Native trials whose faults changed something. */
  activated: number;
  crashes: Proportion;
  /** Crashes by what brought the system down (interrupt or softirq oops, spinlock held, hang, corruption found later, ...). */
  crashBy: Record<string, number>;
  /** Processes an oops killed while the system stayed up. */
  processKilled: Proportion;
}

/** How native Linux went down, per driver: SOSP'03 found interrupt-oriented drivers (e1000,
 *  pcnet32) crashing native far more often than process-oriented ones (sb), because an oops in
 *  process context kills the process instead of the kernel. */
export function nativeBreakdown(records: readonly Rec[]): NativeRow[] {
  const by = new Map<string, { activated: number; crashes: number; killed: number; crashBy: Record<string, number> }>();
  for (const r of records) {
    if (r.spec.strategy !== 'native' || r.outcome === 'not-activated' || r.outcome === 'harness-error') continue;
    const g = by.get(r.spec.driver) ?? { activated: 0, crashes: 0, killed: 0, crashBy: {} };
    g.activated++;
    if (r.outcome === 'system-crash') { g.crashes++; const c = crashCause(r.reason); g.crashBy[c] = (g.crashBy[c] ?? 0) + 1; }
    else if (r.oopses.length > 0) g.killed++;
    by.set(r.spec.driver, g);
  }
  return [...by].map(([driver, g]) => ({ driver, activated: g.activated, crashes: wilson(g.crashes, g.activated), crashBy: g.crashBy, processKilled: wilson(g.killed, g.activated) }))
    .sort((a, b) => (a.driver < b.driver ? -1 : 1));
}

/** The kind of a crash, from the kernel's own reason (kernel.ts, fs.ts). */
export function crashCause(reason: string): string {
  const m = /^(oops in \w+ context|oops with \S+ held|system hung|kernel found corrupted data|ext3: I\/O error)/.exec(reason);
  return m ? m[1].replace('ext3: I/O error', 'file system error (errors=panic)') : 'other';
}

/** Records of `strategy` whose paired native run crashed and which crashed too: what the
 *  headline's missing share is made of. */
export function crashedUnder(records: readonly Rec[], strategy: string): Rec[] {
  const native = nativeIndex(records);
  return records.filter((r) => r.spec.strategy === strategy && r.outcome === 'system-crash' && native.get(pairKey(r))?.outcome === 'system-crash');
}
