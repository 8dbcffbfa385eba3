// What each strategy retains for recovery over the course of a run: a fault-free bulk transfer
// per strategy, sampled at a fixed virtual-time step (shadow: configuration and pending sends;
// replication: the standby's state and inputs held for it; checkpoint: image plus calls since).
import { runTrial } from '../trial/run.js';
import type { Params } from '../params.js';
import { kib } from './stats.js';

export interface LogSeries { strategy: string; samples: Array<[number, number]> }

export function logOverTime(driver: string, strategies: readonly string[], everyUs: number, params: Partial<Params> = {}): LogSeries[] {
  return strategies.map((strategy) => ({
    strategy,
    samples: runTrial({ driver, app: 'file-transfer', strategy, seed: 1, fault: null, params }, { sampleLogEveryUs: everyUs }).logSeries ?? [],
  }));
}

/** Rows of [time, bytes per strategy] at `rows` evenly spaced sample indices while the app ran. */
export function logSeriesTable(series: readonly LogSeries[], fromUs: number, rows: number): string[] {
  const times = series[0].samples.map(([t]) => t).filter((t) => t >= fromUs);
  const step = Math.max(1, Math.floor(times.length / rows));
  const at = (s: LogSeries, t: number) => s.samples.find(([u]) => u === t)?.[1];
  const picked = times.filter((_, i) => i % step === 0).slice(0, rows);
  return [
    `| virtual ms | ${series.map((s) => s.strategy).join(' | ')} |`, `|---|${series.map(() => '---').join('|')}|`,
    ...picked.map((t) => `| ${(t / 1000).toFixed(0)} | ${series.map((s) => { const v = at(s, t); return v === undefined ? '-' : kib(v); }).join(' | ')} |`),
    `| max | ${series.map((s) => kib(Math.max(0, ...s.samples.map(([, b]) => b)))).join(' | ')} |`,
    '',
  ];
}
