// Availability under a fault arrival process, composed from measured trials. Faults arrive as a
// Poisson process (mean time to failure MTTF); each arrival is transient with probability
// `transientShare`, and its consequence is a real trial of that persistence drawn (without
// replacement) from the records: the outage it measured, or, when the application failed or the
// system crashed, the downtime components of data/params.json (restart the app, reboot). Faults
// do not arrive while the service is down. Beside each walk: the closed form MTTF/(MTTF+MTTR)
// with MTTR the mean downtime per fault of the same mix.
import seedrandom from 'seedrandom';
import type { Rec } from './records.js';
import type { Params } from '../params.js';
import type { TrialRecord } from '../trial/record.js';

/** Downtime one fault caused, from its trial record (µs). */
export function downtimeOf(r: Rec, p: Params): number {
  switch (r.outcome) {
    case 'not-activated': return 0;
    case 'correct': return r.downtimeUs > p.availDeadlineUs ? r.downtimeUs : 0;
    case 'malfunction': return p.availMalfunctionNoticeUs + p.availAppRestartUs;
    case 'app-failed': return p.availAppRestartUs + (r.recoveries.gaveUp ? p.availRebootUs : 0);
    case 'system-crash': return p.availRebootUs + p.availAppRestartUs;
    default: return NaN;
  }
}

export interface AvailabilityRow {
  strategy: string;
  mttfS: number;
  transientShare: number;
  /** Fraction of the walk's time the service was up. */
  simulated: number;
  /** MTTF / (MTTF + MTTR). */
  analytic: number;
  mttrS: number;
  faults: number;
  hours: number;
}

export interface AvailabilityOptions { mttfS: number[]; shares: number[]; faults: number; seed: number }

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function availability(records: readonly Rec[], p: Params, o: AvailabilityOptions): AvailabilityRow[] {
  const rows: AvailabilityRow[] = [];
  const strategies = [...new Set(records.map((r) => r.spec.strategy))];
  for (const strategy of strategies) {
    const pool = (persistence: string) => records
      .filter((r) => r.spec.strategy === strategy && r.fault?.persistence === persistence && r.outcome !== 'harness-error')
      .map((r) => downtimeOf(r, p));
    const T = pool('transient'), D = pool('deterministic');
    if (!T.length || !D.length) continue;
    for (const mttfS of o.mttfS) {
      for (const share of o.shares) {
        // The same arrival times and draws for every strategy: the comparison is paired.
        const rng = seedrandom(`availability/${o.seed}/${mttfS}/${share}`);
        const draw = (xs: number[], used: Set<number>): number => {
          if (used.size === xs.length) used.clear();
          let i = Math.floor(rng() * xs.length);
          while (used.has(i)) i = (i + 1) % xs.length;
          used.add(i);
          return xs[i];
        };
        const usedT = new Set<number>(), usedD = new Set<number>();
        let up = 0, down = 0;
        for (let f = 0; f < o.faults; f++) {
          up += -Math.log(1 - rng()) * mttfS * 1e6;
          down += rng() < share ? draw(T, usedT) : draw(D, usedD);
        }
        const mttrUs = share * mean(T) + (1 - share) * mean(D);
        rows.push({
          strategy, mttfS, transientShare: share, simulated: up / (up + down), analytic: (mttfS * 1e6) / (mttfS * 1e6 + mttrUs),
          mttrS: mttrUs / 1e6, faults: o.faults, hours: (up + down) / 3.6e9,
        });
      }
    }
  }
  return rows;
}

/** Long-run trials: availability the clients measured, beside the composed model applied to
 *  what became of each arrived fault, and the closed form with the same MTTF. */
export interface LongRunRow {
  strategy: string; persistence: string; n: number; hours: number;
  measured: number; composed: number; analytic: number;
  requests: number; failed: number; faultsArrived: number; faultsFired: number;
  failuresDetected: number; recovered: number; appRestarts: number; reboots: number;
  /** Faults that took the machine down more than once (a bug that came back after reboots). */
  recurring: number;
}

/** The composed model's downtime for one fault, from what the long run saw it do: one repair. */
export function composedDowntimeUs(f: NonNullable<TrialRecord['longRun']>['fates'][number], p: Params): number {
  if (f.reboots > 0) return p.availRebootUs + p.availAppRestartUs;
  if (f.appRestarts > 0) return p.availMalfunctionNoticeUs + p.availAppRestartUs;
  const perRecovery = f.recovered > 0 ? f.recoveryUs / f.recovered : 0;
  return perRecovery > p.availDeadlineUs ? f.recoveryUs : 0;
}

export function longRunRows(records: readonly TrialRecord[]): LongRunRow[] {
  const groups = new Map<string, TrialRecord[]>();
  for (const r of records) {
    if (!r.longRun || r.outcome === 'harness-error') continue;
    const k = `${r.spec.strategy}|${r.longRun.persistence}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const sum = (rs: TrialRecord[], f: (r: TrialRecord) => number) => rs.reduce((n, r) => n + f(r), 0);
  return [...groups].map(([k, rs]) => {
    const [strategy, persistence] = k.split('|');
    const p = rs[0].spec.params;
    const horizon = sum(rs, (r) => r.app.horizonUs);
    const fates = rs.flatMap((r) => r.longRun!.fates);
    const down = sum(rs, (r) => r.longRun!.fates.reduce((n, f) => n + composedDowntimeUs(f, r.spec.params), 0));
    const mttr = fates.length ? down / fates.length : 0, mttf = p.faultArrivalMeanUs;
    return {
      strategy, persistence, n: rs.length, hours: horizon / 3.6e9,
      measured: sum(rs, (r) => r.app.inTime) / Math.max(1, sum(rs, (r) => r.app.requests)),
      composed: Math.max(0, 1 - down / horizon), analytic: mttf / (mttf + mttr),
      requests: sum(rs, (r) => r.app.requests), failed: sum(rs, (r) => r.app.failed),
      faultsArrived: sum(rs, (r) => r.app.faultsArrived), faultsFired: sum(rs, (r) => r.app.faultsFired),
      failuresDetected: sum(rs, (r) => r.app.failuresDetected), recovered: sum(rs, (r) => r.app.recoveriesSucceeded),
      appRestarts: sum(rs, (r) => r.app.appRestarts), reboots: sum(rs, (r) => r.app.reboots),
      recurring: fates.filter((f) => f.reboots > 1).length,
    };
  }).sort((a, b) => a.persistence.localeCompare(b.persistence) || a.strategy.localeCompare(b.strategy));
}
