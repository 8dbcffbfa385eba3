// Summaries of sweep records: each number a report, a figure or a notebook shows is computed
// here, once.
import { OUTCOMES, Outcome, TrialRecord } from '../trial/record.js';
import { wilson, Proportion, quantile } from './stats.js';
import { STRATEGIES } from '../registry.js';

export type Rec = TrialRecord & { key?: string };

/** The strategies among `ids`, in the registry's order (native, restart, shadow, ...). */
export const inRegistryOrder = (ids: Iterable<string>): string[] => { const have = new Set(ids); return STRATEGIES.map((s) => s.id).filter((id) => have.has(id)); };
export const paramSetOf = (r: Rec): string => r.key?.split('/')[3] ?? 'default';

export interface MixRow { group: Record<string, string>; n: number; outcomes: Record<Outcome, Proportion> }

/** Outcome shares with 95% Wilson intervals, grouped by the named fields. */
export function outcomeMix(records: readonly Rec[], fields: ReadonlyArray<'driver' | 'app' | 'strategy' | 'persistence' | 'faultType'>, skipNotActivated = true): MixRow[] {
  const groups = new Map<string, { group: Record<string, string>; rs: Rec[] }>();
  for (const r of records) {
    if (skipNotActivated && r.outcome === 'not-activated') continue;
    const group: Record<string, string> = {};
    for (const f of fields) group[f] = f === 'persistence' ? r.spec.fault?.persistence ?? 'none' : f === 'faultType' ? r.spec.fault?.type ?? 'none' : String(r.spec[f]);
    const key = JSON.stringify(group);
    if (!groups.has(key)) groups.set(key, { group, rs: [] });
    groups.get(key)!.rs.push(r);
  }
  return [...groups.values()].map(({ group, rs }) => ({
    group, n: rs.length,
    outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, wilson(rs.filter((r) => r.outcome === o).length, rs.length)])) as Record<Outcome, Proportion>,
  }));
}

/**
 * The paper's SWIFI categories for one strategy, per application: among faults that made the
 * application fail without recovery (native outcome not correct), was recovery automatic (the
 * app went on correctly), manual (the system stayed up but the app needed the user: it failed
 * or misbehaved), or failed (the system went down)?
 */
export function recoveryCategories(records: readonly Rec[], strategy = 'shadow') {
  const native = new Map<string, Rec>();
  for (const r of records) if (r.spec.strategy === 'native') native.set(`${r.spec.driver}/${r.spec.app}/${paramSetOf(r)}/${r.spec.fault?.persistence}/${r.spec.seed}`, r);
  const per = new Map<string, { automatic: number; manual: number; failed: number }>();
  for (const r of records) {
    if (r.spec.strategy !== strategy) continue;
    const n = native.get(`${r.spec.driver}/${r.spec.app}/${paramSetOf(r)}/${r.spec.fault?.persistence}/${r.spec.seed}`);
    if (!n || n.outcome === 'correct' || n.outcome === 'not-activated' || n.outcome === 'harness-error') continue;
    const c = per.get(r.spec.app) ?? { automatic: 0, manual: 0, failed: 0 };
    if (r.outcome === 'correct') c.automatic++; else if (r.outcome === 'system-crash') c.failed++; else c.manual++;
    per.set(r.spec.app, c);
  }
  return [...per].map(([app, c]) => {
    const n = c.automatic + c.manual + c.failed;
    return { app, n, automatic: wilson(c.automatic, n), manual: wilson(c.manual, n), failed: wilson(c.failed, n) };
  });
}

/** Recovery time (detection to back in service) of successful recoveries, per driver and strategy. */
export function recoveryTimes(records: readonly Rec[]) {
  const groups = new Map<string, number[]>();
  for (const r of records) {
    if (r.recoveries.succeeded < 1 || r.recoveryUs <= 0) continue;
    const k = `${r.spec.driver}/${r.spec.strategy}`;
    groups.set(k, [...(groups.get(k) ?? []), r.recoveryUs / r.recoveries.succeeded]);
  }
  return [...groups].map(([k, xs]) => {
    const [driver, strategy] = k.split('/');
    return { driver, strategy, n: xs.length, medianUs: quantile(xs, 0.5), p10Us: quantile(xs, 0.1), p90Us: quantile(xs, 0.9) };
  }).sort((a, b) => (a.driver + a.strategy < b.driver + b.strategy ? -1 : 1));
}

/** Recovery-log size against traffic (bytes moved), per strategy. */
export function logGrowth(records: readonly Rec[]) {
  const groups = new Map<string, { bytes: number; peak: number[]; entries: number[] }>();
  for (const r of records) {
    const k = `${r.spec.strategy}/${r.spec.params.fileTransferBytes}`;
    const g = groups.get(k) ?? { bytes: r.spec.params.fileTransferBytes, peak: [], entries: [] };
    g.peak.push(r.log.peakBytes); g.entries.push(r.log.peakEntries);
    groups.set(k, g);
  }
  return [...groups].map(([k, g]) => ({ strategy: k.split('/')[0], trafficBytes: g.bytes, logPeakBytes: quantile(g.peak, 0.5), logPeakEntries: quantile(g.entries, 0.5), n: g.peak.length }))
    .sort((a, b) => a.strategy.localeCompare(b.strategy) || a.trafficBytes - b.trafficBytes);
}

/** Throughput and CPU per strategy relative to native, from fault-free bulk transfers. */
export function overheadFromRecords(records: readonly Rec[]) {
  const groups = new Map<string, { bits: number; us: number; cpuUs: number }>();
  for (const r of records) {
    if (r.outcome !== 'correct' || !r.app.transferUs) continue;
    const k = `${r.spec.driver}/${paramSetOf(r)}/${r.spec.strategy}`;
    const g = groups.get(k) ?? { bits: 0, us: 0, cpuUs: 0 };
    // CPU over the transfer itself (the app's measured interval), as throughput is.
    g.bits += r.app.fileBytes * 8; g.us += r.app.transferUs; g.cpuUs += (r.cpu.windowUtilization ?? 0) * r.app.transferUs;
    groups.set(k, g);
  }
  const rows = [...groups].map(([k, g]) => { const [driver, direction, strategy] = k.split('/'); return { driver, direction, strategy, mbps: g.bits / g.us, cpu: g.cpuUs / g.us }; });
  return rows.map((r) => {
    const n = rows.find((x) => x.driver === r.driver && x.direction === r.direction && x.strategy === 'native');
    return { ...r, relativeThroughput: n ? r.mbps / n.mbps : NaN, cpuPointsOverNative: n ? 100 * (r.cpu - n.cpu) : NaN };
  });
}

/** What each strategy held for recovery when a failure was detected, and at its peak (bytes). */
export function logAtFailure(records: readonly Rec[]) {
  const groups = new Map<string, { at: number[]; atEntries: number[]; peak: number[] }>();
  for (const r of records) {
    if (r.failures === 0 || r.outcome === 'harness-error') continue;
    const g = groups.get(r.spec.strategy) ?? { at: [], atEntries: [], peak: [] };
    g.at.push(r.log.atFailureBytes); g.atEntries.push(r.log.atFailureEntries); g.peak.push(r.log.peakBytes);
    groups.set(r.spec.strategy, g);
  }
  return [...groups].map(([strategy, g]) => ({
    strategy, n: g.at.length, medianBytes: quantile(g.at, 0.5), p90Bytes: quantile(g.at, 0.9),
    medianEntries: quantile(g.atEntries, 0.5), medianPeakBytes: quantile(g.peak, 0.5),
  }));
}
