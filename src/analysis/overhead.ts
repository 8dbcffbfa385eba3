// Overhead of isolation and shadowing on a fault-free bulk transfer: throughput and CPU
// utilisation per strategy, relative to native (the paper's performance figure).
import { runTrial } from '../trial/run.js';
import type { Params } from '../params.js';

export interface OverheadRow {
  driver: string;
  direction: 'send' | 'receive';
  strategy: string;
  throughputMbps: number;
  cpuUtilization: number;
  relativeThroughput: number;
  cpuPointsOverNative: number;
  crossingsShare: number;
}

export function measureOverhead(driver: string, strategies: readonly string[], bytes: number, seeds: number, params: Partial<Params> = {}): OverheadRow[] {
  const rows: OverheadRow[] = [];
  for (const direction of ['send', 'receive'] as const) {
    const per = strategies.map((strategy) => {
      let bits = 0, us = 0, cpuUs = 0, crossingUs = 0;
      for (let seed = 0; seed < seeds; seed++) {
        const r = runTrial({
          driver, app: 'file-transfer', strategy, seed, fault: null,
          params: { ...params, fileTransferBytes: bytes, fileTransferPaceBytesPerSec: 0, fileTransferReceive: direction === 'receive' ? 1 : 0 },
        });
        if (r.outcome !== 'correct') throw new Error(`fault-free transfer was ${r.outcome}: ${r.replay}`);
        bits += r.app.fileBytes * 8;
        us += r.app.transferUs;
        cpuUs += r.cpu.totalUs;
        crossingUs += r.cpu.crossingUs;
      }
      return { strategy, throughputMbps: bits / us, cpuUtilization: cpuUs / us, crossingsShare: crossingUs / cpuUs };
    });
    const native = per.find((p) => p.strategy === 'native') ?? per[0];
    for (const p of per) {
      rows.push({
        driver, direction, ...p,
        relativeThroughput: p.throughputMbps / native.throughputMbps,
        cpuPointsOverNative: 100 * (p.cpuUtilization - native.cpuUtilization),
      });
    }
  }
  return rows;
}
