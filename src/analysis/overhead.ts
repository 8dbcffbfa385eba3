// Overhead of isolation and shadowing in fault-free runs: throughput (or run time), CPU
// utilisation and crossings per second, all over the app's own run (the same interval), per
// strategy and relative to native; the comparison with the paper's figures (≠ where they
// differ); and the sensitivity of the network figures to the assumed crossing and tap costs.
import { runTrial } from '../trial/run.js';
import type { Params } from '../params.js';
import type { TrialRecord } from '../trial/record.js';
import { DEFAULT_PARAMS } from '../params.js';
import { PAPER } from './paper.js';

type Rec = TrialRecord & { key?: string };
const paramSetOf = (r: Rec): string => r.key?.split('/')[3] ?? 'default';

export interface OverheadRow {
  driver: string;
  app: string;
  /** The experiment's parameter set (send / receive for the network transfers). */
  set: string;
  strategy: string;
  n: number;
  /** Network transfers: Mb/s over the transfer; null for the other classes. */
  throughputMbps: number | null;
  /** Mean time the app ran (µs): the interval CPU and crossings are measured over. */
  runUs: number;
  cpuUtilization: number;
  crossingsPerSec: number;
  relativeThroughput: number;
  relativeRunTime: number;
  cpuPointsOverNative: number;
}

interface Acc { n: number; bits: number; us: number; busyUs: number; crossings: number }

/** Group fault-free correct runs by workload, parameter set and strategy (records need the
 *  app's measured interval: cpu.windowUs). */
export function overheadRows(records: readonly Rec[], setOf: (r: Rec) => string = paramSetOf): OverheadRow[] {
  const groups = new Map<string, Acc>();
  for (const r of records) {
    if (r.outcome !== 'correct' || r.spec.fault || !r.cpu.windowUs) continue;
    const k = `${r.spec.driver}|${r.spec.app}|${setOf(r)}|${r.spec.strategy}`;
    const g = groups.get(k) ?? { n: 0, bits: 0, us: 0, busyUs: 0, crossings: 0 };
    const us = r.cpu.windowUs;
    g.n++; g.us += us; g.busyUs += r.cpu.windowUtilization * us; g.crossings += (r.cpu.crossingsPerSec * us) / 1e6;
    g.bits += r.app.transferUs ? r.app.fileBytes * 8 : 0;
    groups.set(k, g);
  }
  const base = [...groups].map(([k, g]) => {
    const [driver, app, set, strategy] = k.split('|');
    return { driver, app, set, strategy, n: g.n, throughputMbps: g.bits > 0 ? g.bits / g.us : null, runUs: g.us / g.n, cpuUtilization: g.busyUs / g.us, crossingsPerSec: g.crossings / (g.us / 1e6) };
  });
  return base.map((r) => {
    const nat = base.find((x) => x.driver === r.driver && x.app === r.app && x.set === r.set && x.strategy === 'native');
    return {
      ...r,
      relativeThroughput: nat && r.throughputMbps !== null && nat.throughputMbps ? r.throughputMbps / nat.throughputMbps : NaN,
      relativeRunTime: nat ? r.runUs / nat.runUs : NaN,
      cpuPointsOverNative: nat ? 100 * (r.cpuUtilization - nat.cpuUtilization) : NaN,
    };
  });
}

export interface PaperCell { what: string; ours: number; paper: string; differs: boolean; by: string }

/** Our shadow figures beside the paper's (network send and receive), marking each difference. */
export function paperComparison(rows: readonly OverheadRow[], driver = 'e1000'): PaperCell[] {
  const o = PAPER.overhead;
  const out: PaperCell[] = [];
  for (const dir of ['send', 'receive'] as const) {
    const r = rows.find((x) => x.driver === driver && x.set === dir && x.strategy === 'shadow');
    if (!r) continue;
    const rel = r.relativeThroughput, lo = o.throughputRelative.low, hi = o.throughputRelative.high;
    const relOff = rel < lo ? rel - lo : rel > hi ? rel - hi : 0;
    out.push({ what: `${dir}: relative throughput`, ours: rel, paper: `${lo * 100}-${hi * 100}%`, differs: relOff !== 0, by: relOff === 0 ? '' : `${(100 * relOff).toFixed(1)} points outside` });
    const pts = dir === 'send' ? o.cpuPointsSend.value : o.cpuPointsReceive.value;
    const dPts = r.cpuPointsOverNative - pts;
    out.push({ what: `${dir}: CPU points over native`, ours: r.cpuPointsOverNative, paper: `+${pts}`, differs: Math.abs(dPts) >= 1, by: `${dPts >= 0 ? '+' : ''}${dPts.toFixed(1)} points` });
    const xs = dir === 'send' ? o.crossingsPerSecSend.value : o.crossingsPerSecReceive.value;
    out.push({ what: `${dir}: crossings/s (Nooks)`, ours: r.crossingsPerSec, paper: xs.toLocaleString('en-US'), differs: Math.abs(r.crossingsPerSec / xs - 1) >= 0.1, by: `x${(r.crossingsPerSec / xs).toFixed(2)}` });
  }
  return out;
}

export interface SensitivityRow { param: 'isolatedCrossingNs' | 'tapNs'; value: number; paperEra: boolean; direction: string; relativeThroughput: number; cpuPointsOverNative: number; crossingsPerSec: number; n: number }

/** Shadow overhead against the isolated crossing cost and the tap cost (the sweep's parameter
 *  sets are named `<direction>-<param>-<value>`); the default of data/params.json is marked. */
export function sensitivity(records: readonly Rec[]): SensitivityRow[] {
  const rows = overheadRows(records);
  const out: SensitivityRow[] = [];
  for (const r of rows) {
    const m = /^(send|receive)-(crossing|tap)-(\d+)$/.exec(r.set);
    if (!m || r.strategy !== 'shadow') continue;
    const param = m[2] === 'crossing' ? 'isolatedCrossingNs' : 'tapNs';
    const value = Number(m[3]);
    out.push({ param, value, paperEra: value === DEFAULT_PARAMS[param], direction: m[1], relativeThroughput: r.relativeThroughput, cpuPointsOverNative: r.cpuPointsOverNative, crossingsPerSec: r.crossingsPerSec, n: r.n });
  }
  return out.sort((a, b) => a.param.localeCompare(b.param) || a.direction.localeCompare(b.direction) || a.value - b.value);
}

/** Run the bulk transfers in process (the `overhead` command): rows as from a sweep's records. */
export function measureOverhead(driver: string, strategies: readonly string[], bytes: number, seeds: number, params: Partial<Params> = {}): OverheadRow[] {
  const records: Rec[] = [];
  for (const direction of ['send', 'receive'] as const) {
    for (const strategy of strategies) {
      for (let seed = 0; seed < seeds; seed++) {
        const r = runTrial({
          driver, app: 'file-transfer', strategy, seed, fault: null,
          params: { ...params, fileTransferBytes: bytes, fileTransferPaceBytesPerSec: 0, fileTransferReceive: direction === 'receive' ? 1 : 0 },
        });
        if (r.outcome !== 'correct') throw new Error(`fault-free transfer was ${r.outcome}: ${r.replay}`);
        records.push({ ...r, key: `x/x/x/${direction}` });
      }
    }
  }
  return overheadRows(records);
}
