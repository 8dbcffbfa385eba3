// The recovery-approaches comparison (experiment `approaches`, plus `log-growth`), as tables:
// outcome mix for transient vs deterministic faults, what each strategy held at a failure,
// availability under a fault arrival process beside the closed form, and log growth.
import { outcomeMix, logAtFailure, logGrowth, inRegistryOrder } from './summaries.js';
import { availability, AvailabilityOptions } from './availability.js';
import { interval, kib } from './stats.js';
import { DEFAULT_PARAMS, Params } from '../params.js';
import type { Rec } from './records.js';

const SHOWN = ['correct', 'malfunction', 'app-failed', 'system-crash'] as const;
export const DEFAULT_AVAILABILITY: AvailabilityOptions = { mttfS: [600, 3600, 86400], shares: [0.05, 0.25, 0.5, 0.75, 0.95], faults: 2000, seed: 1 };


export function outcomeTables(records: readonly Rec[]): string[] {
  const mix = outcomeMix(records, ['strategy', 'persistence']);
  const strategies = inRegistryOrder(new Set(mix.map((m) => m.group.strategy)));
  const out: string[] = [];
  for (const persistence of ['transient', 'deterministic']) {
    const cell = (s: string) => mix.find((m) => m.group.strategy === s && m.group.persistence === persistence);
    out.push(`**${persistence} faults** (activated faults; share with 95% interval)`, '',
      `| outcome | ${strategies.map((s) => `${s} (n=${cell(s)?.n ?? 0})`).join(' | ')} |`, `|---|${strategies.map(() => '---').join('|')}|`,
      ...SHOWN.map((o) => `| ${o} | ${strategies.map((s) => { const c = cell(s); return c ? interval(c.outcomes[o]) : '-'; }).join(' | ')} |`), '');
  }
  return [...out, ...workloadTable(records)];
}

/** Correct share per workload (so per class and per driver) and strategy, transient / deterministic. */
function workloadTable(records: readonly Rec[]): string[] {
  const mix = outcomeMix(records, ['driver', 'app', 'strategy', 'persistence']);
  const strategies = inRegistryOrder(new Set(mix.map((m) => m.group.strategy)));
  const workloads = [...new Set(mix.map((m) => `${m.group.driver}/${m.group.app}`))];
  const share = (w: string, s: string, p: string) => {
    const m = mix.find((x) => `${x.group.driver}/${x.group.app}` === w && x.group.strategy === s && x.group.persistence === p);
    return m ? `${(100 * m.outcomes.correct.p).toFixed(0)}%` : '-';
  };
  return ['**Correct per workload** (activated faults: transient / deterministic)', '',
    `| workload | ${strategies.join(' | ')} |`, `|---|${strategies.map(() => '---').join('|')}|`,
    ...workloads.map((w) => `| ${w} | ${strategies.map((s) => `${share(w, s, 'transient')} / ${share(w, s, 'deterministic')}`).join(' | ')} |`), ''];
}

/** Request-triggered faults: outcome per application and strategy (experiment poison-requests). */
export function poisonTables(records: readonly Rec[]): string[] {
  const mix = outcomeMix(records, ['app', 'strategy']);
  const strategies = inRegistryOrder(new Set(mix.map((m) => m.group.strategy)));
  const apps = [...new Set(mix.map((m) => m.group.app))];
  const trigger = records.find((r) => r.spec.fault?.trigger)?.spec.fault?.trigger;
  return [
    `Deterministic faults that fire only while the driver handles a request in 1 of ${trigger} content classes (a poison request). Share of activated faults with a correct outcome, 95% interval; malfunction share after the slash.`, '',
    `| application | ${strategies.join(' | ')} |`, `|---|${strategies.map(() => '---').join('|')}|`,
    ...apps.map((app) => `| ${app} | ${strategies.map((s) => { const m = mix.find((x) => x.group.app === app && x.group.strategy === s); return m ? `${interval(m.outcomes.correct)} / ${(100 * m.outcomes.malfunction.p).toFixed(0)}% (n=${m.n})` : '-'; }).join(' | ')} |`),
    '',
  ];
}

export function logTables(records: readonly Rec[], growth: readonly Rec[] | null): string[] {
  const at = logAtFailure(records);
  const out = [
    'What each strategy held for recovery when a failure was detected (shadow: configuration and pending requests; replication: the standby\'s state and inputs held for it; checkpoint: the image plus the calls logged since):', '',
    '| strategy | failures | median at failure | p90 at failure | median entries | median peak |', '|---|---|---|---|---|---|',
    ...inRegistryOrder(at.map((a) => a.strategy)).map((s) => at.find((a) => a.strategy === s)!).map((a) => `| ${a.strategy} | ${a.n} | ${kib(a.medianBytes)} | ${kib(a.p90Bytes)} | ${a.medianEntries} | ${kib(a.medianPeakBytes)} |`),
    '',
  ];
  if (growth) {
    const g = logGrowth(growth);
    const traffic = [...new Set(g.map((x) => x.trafficBytes))].sort((a, b) => a - b);
    out.push('Peak retained state against traffic (fault-free bulk transfers, median of seeds):', '',
      `| strategy | ${traffic.map((t) => kib(t)).join(' | ')} |`, `|---|${traffic.map(() => '---').join('|')}|`,
      ...inRegistryOrder(new Set(g.map((x) => x.strategy))).map((s) => `| ${s} | ${traffic.map((t) => { const x = g.find((y) => y.strategy === s && y.trafficBytes === t); return x ? kib(x.logPeakBytes) : '-'; }).join(' | ')} |`), '');
  }
  return out;
}

export function availabilityTables(records: readonly Rec[], p: Params = DEFAULT_PARAMS, o: AvailabilityOptions = DEFAULT_AVAILABILITY): string[] {
  const rows = availability(records, p, o);
  const strategies = inRegistryOrder(new Set(rows.map((r) => r.strategy)));
  const pct = (x: number) => `${(100 * x).toFixed(3)}%`;
  const out = [
    `Faults arrive as a Poisson process; each is transient with the given share and its effect is a measured trial of that persistence (${o.faults} arrivals per cell; downtime components in data/params.json: restart an app ${p.availAppRestartUs / 1e6} s, reboot ${p.availRebootUs / 1e6} s, notice a malfunction ${p.availMalfunctionNoticeUs / 1e6} s, pauses under ${p.availDeadlineUs / 1e6} s are not downtime). Each cell: simulated / analytic MTTF/(MTTF+MTTR).`, '',
  ];
  for (const mttf of o.mttfS) {
    out.push(`MTTF ${mttf >= 3600 ? `${mttf / 3600} h` : `${mttf / 60} min`}:`, '',
      `| transient share | ${strategies.join(' | ')} |`, `|---|${strategies.map(() => '---').join('|')}|`,
      ...o.shares.map((sh) => `| ${(100 * sh).toFixed(0)}% | ${strategies.map((s) => { const r = rows.find((x) => x.strategy === s && x.mttfS === mttf && x.transientShare === sh)!; return `${pct(r.simulated)} / ${pct(r.analytic)}`; }).join(' | ')} |`), '');
  }
  return out;
}
