// Records as one flat table (one row per record) for pandas, R or polars: the spec's factors,
// the outcome, and every scalar field of the record flattened to a dotted column name
// (recoveries.succeeded, cpu.totalUs, spec.params.linkMbps, ...). Arrays (time series, phase
// lists) do not fit a row and are left out; the record's `replay` command is kept, so any row
// leads back to the trial.
import type { Rec } from './records.js';

type Scalar = string | number | boolean | null;

/** Every scalar under `v`, keyed by its dotted path. */
export function flatten(v: unknown, prefix = '', out: Record<string, Scalar> = {}): Record<string, Scalar> {
  if (v === null || v === undefined) { if (prefix) out[prefix] = null; return out; }
  if (Array.isArray(v)) return out;
  if (typeof v === 'object') { for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out); return out; }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[prefix] = v;
  return out;
}

/** Factor columns first (what a trial varied), then everything else in first-seen order. */
const FACTORS = ['key', 'experiment', 'driver', 'app', 'strategy', 'paramSet', 'persistence', 'faultType', 'site', 'seed', 'outcome'];

export function exportRows(records: readonly Rec[]): { columns: string[]; rows: Array<Record<string, Scalar>> } {
  const rows = records.map((r) => {
    const k = r.key?.split('/') ?? [];
    return {
      key: r.key ?? null, experiment: k[0] ?? null, driver: r.spec.driver, app: r.spec.app, strategy: r.spec.strategy, paramSet: k[3] ?? 'default',
      persistence: r.spec.fault?.persistence ?? 'none', faultType: r.spec.fault?.type ?? 'none', site: r.spec.fault?.site ?? null, seed: r.spec.seed,
      outcome: r.outcome, ...flatten(r),
    } as Record<string, Scalar>;
  });
  const seen = new Set<string>(FACTORS);
  const rest: string[] = [];
  for (const row of rows) for (const c of Object.keys(row)) if (!seen.has(c)) { seen.add(c); rest.push(c); }
  return { columns: [...FACTORS, ...rest], rows };
}

/** RFC 4180 CSV: quote fields holding a comma, quote or newline; empty for null. */
const csvField = (v: Scalar | undefined): string => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(records: readonly Rec[]): string {
  const { columns, rows } = exportRows(records);
  return [columns.map(csvField).join(','), ...rows.map((r) => columns.map((c) => csvField(r[c])).join(','))].join('\r\n') + '\r\n';
}
