// Why a set of trials ended as they did, counted from the records themselves: each record's
// outcome, the kind of failure detected, and its reason with the particulars taken out, so that
// a report explains a difference from the paper by mechanism without prose that can go stale.
import type { TrialRecord } from '../trial/record.js';
import { DRIVERS } from '../registry.js';

/** A reason with its particulars (numbers, addresses, instance numbers) taken out; driver names stay. */
export function reasonShape(reason: string): string {
  let s = reason
    .replace(/0x[0-9a-f]+/gi, 'ADDR')
    .replace(/#\d+/g, '')
    .replace(/\d+(\.\d+)?/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
  for (const d of DRIVERS) if (/\d/.test(d.id)) s = s.split(d.id.replace(/\d+/g, 'N')).join(d.id);
  return s;
}

export interface OutcomeGroup {
  outcome: string; count: number; share: number;
  /** How the failures of this outcome were detected (kind -> count; 'not detected' when none was). */
  detected: Array<[string, number]>;
  /** The most frequent reason shapes within the group, with counts. */
  reasons: Array<[string, number]>;
}

const countInto = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
const byCount = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

/** Outcomes among `records`, most frequent first, each with its detections and commonest reasons. */
export function outcomeBreakdown(records: readonly TrialRecord[], topReasons = 2): OutcomeGroup[] {
  const groups = new Map<string, { n: number; detected: Map<string, number>; reasons: Map<string, number> }>();
  for (const r of records) {
    const g = groups.get(r.outcome) ?? { n: 0, detected: new Map(), reasons: new Map() };
    g.n++;
    countInto(g.detected, r.detected?.kind ?? 'not detected');
    countInto(g.reasons, reasonShape(r.reason));
    groups.set(r.outcome, g);
  }
  const n = records.length;
  return [...groups].map(([outcome, g]) => ({ outcome, count: g.n, share: n ? g.n / n : 0, detected: byCount(g.detected), reasons: byCount(g.reasons).slice(0, topReasons) }))
    .sort((a, b) => b.count - a.count || (a.outcome < b.outcome ? -1 : 1));
}

/** One line: "70% app-failed (bad-param 40, unmapped 22): 'lame: read error (-N)' x 30, ...; 22% system-crash ...". */
export function formatBreakdown(gs: readonly OutcomeGroup[], top = 3): string {
  return gs.slice(0, top).map((g) =>
    `${Math.round(100 * g.share)}% ${g.outcome} (${g.detected.map(([k, c]) => `${k} ${c}`).join(', ')}): ${g.reasons.map(([r, c]) => `"${r}" ×${c}`).join(', ')}`).join('; ');
}
