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
