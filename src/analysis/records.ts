// Reading results: a directory's manifest and records, as plain objects (fast) or as a danfo.js
// DataFrame (for exploring in notebooks; danfo is loaded only when asked for).
import { readManifest, readLines, Manifest } from '../sweep/results.js';
import type { TrialRecord } from '../trial/record.js';

export type Rec = TrialRecord & { key: string };

export interface Results { dir: string; manifest: Manifest; records: Rec[] }

export function loadResults(dir: string): Results {
  return { dir, manifest: readManifest(dir), records: readLines(dir).map((l) => JSON.parse(l) as Rec) };
}

/** One flat row per record: the columns analyses group and filter on. */
export function flatRow(r: Rec): Record<string, string | number | boolean | null> {
  return {
    key: r.key, driver: r.spec.driver, app: r.spec.app, strategy: r.spec.strategy, seed: r.spec.seed,
    paramSet: r.key.split('/')[3] ?? 'default', persistence: r.spec.fault?.persistence ?? 'none', faultType: r.spec.fault?.type ?? 'none',
    site: r.spec.fault?.site ?? null, outcome: r.outcome, detected: r.detected?.kind ?? null, detectedAtUs: r.detected?.atUs ?? null,
    recoveries: r.recoveries.attempted, recovered: r.recoveries.succeeded, gaveUp: r.recoveries.gaveUp,
    recoveryUs: r.recoveryUs, downtimeUs: r.downtimeUs, logPeakBytes: r.log.peakBytes, logPeakEntries: r.log.peakEntries,
    logAtFailureBytes: r.log.atFailureBytes, cpuTotalUs: r.cpu.totalUs ?? 0, cpuUtilization: r.cpu.utilization ?? 0,
    virtualUs: r.virtualUs, events: r.events, latentGapUs: r.fault?.latentGapUs ?? null,
  };
}

/** A danfo.js DataFrame of the flat rows (typed loosely: notebook kernels need not resolve danfo's types). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function toFrame(records: readonly Rec[]): Promise<any> {
  const dfd = await import('danfojs');
  return new dfd.DataFrame(records.map(flatRow));
}
