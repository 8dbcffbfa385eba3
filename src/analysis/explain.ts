// Why a set of trials ended as they did, counted from the records themselves: each record's
// outcome, the kind of failure detected, and its reason with the numbers taken out, so that a
// report explains a difference from the paper by mechanism without prose that can go stale.
import type { TrialRecord } from '../trial/record.js';

/** A reason with its particulars (numbers, addresses, instance names) taken out. */
export function reasonShape(reason: string): string {
  return reason
    .replace(/0x[0-9a-f]+/gi, 'ADDR')
    .replace(/#\d+/g, '')
    .replace(/\b\d+(\.\d+)?\b/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface ReasonCount { outcome: string; detected: string; reason: string; count: number; share: number }

/** The most frequent (outcome, detection, reason shape) among `records`, most frequent first. */
export function dominantReasons(records: readonly TrialRecord[], top = 3): ReasonCount[] {
  const counts = new Map<string, ReasonCount>();
  for (const r of records) {
    const detected = r.detected?.kind ?? 'not detected';
    const reason = reasonShape(r.reason);
    const key = `${r.outcome}\u0000${detected}\u0000${reason}`;
    const c = counts.get(key) ?? { outcome: r.outcome, detected, reason, count: 0, share: 0 };
    c.count++;
    counts.set(key, c);
  }
  const n = records.length;
  return [...counts.values()]
    .map((c) => ({ ...c, share: n ? c.count / n : 0 }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
    .slice(0, top);
}

/** One line: "62% app-failed (not detected): scp: connection lost; 20% ...". */
export function formatReasons(rs: readonly ReasonCount[]): string {
  return rs.map((c) => `${Math.round(100 * c.share)}% ${c.outcome} (${c.detected}): ${c.reason}`).join('; ');
}
