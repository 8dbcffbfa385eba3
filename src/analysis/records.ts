// Reading results: a directory's manifest and records, as plain objects (fast) or as a danfo.js
// DataFrame (for exploring in notebooks; danfo is loaded only when asked for). pickRuns chooses,
// per experiment under a results root, the run the report, figures and notebooks use: never
// crashing on a damaged run, and never mixing in a run of another definition unannounced.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, readLines, recordKey, Manifest } from '../sweep/results.js';
import { identityOf, identityDiff, canonical } from '../sweep/identity.js';
import { loadExperiment, listExperiments, Experiment } from '../sweep/experiment.js';
import { SpecError } from '../trial/spec-error.js';
import type { TrialRecord } from '../trial/record.js';

export type Rec = TrialRecord & { key: string };

export interface Results {
  dir: string; manifest: Manifest; records: Rec[];
  /** Set by pickRuns: how this run relates to the current definition (null: it is the current one). */
  note?: string | null;
}

export function loadResults(dir: string): Results {
  return { dir, manifest: readManifest(dir), records: readLines(dir).map((l) => JSON.parse(l) as Rec) };
}

/**
 * Load a run and check it is whole: a readable manifest, status complete, and exactly
 * trialsPlanned record lines with distinct keys. Throws a SpecError naming the damage.
 */
export function loadCompleteRun(dir: string): Results {
  const manifest = readManifest(dir);
  if (manifest.status !== 'complete') throw new SpecError(`${dir} is incomplete (status ${manifest.status}); finish it with sweep --resume`);
  const lines = readLines(dir);
  const keys = new Set<string>();
  for (const [i, l] of lines.entries()) {
    const k = recordKey(l);
    if (k === null) throw new SpecError(`${dir}/records.jsonl line ${i + 1} is not a record`);
    if (keys.has(k)) throw new SpecError(`${dir}/records.jsonl holds ${k} twice`);
    keys.add(k);
  }
  if (lines.length !== manifest.trialsPlanned) throw new SpecError(`${dir} holds ${lines.length} records of ${manifest.trialsPlanned} planned`);
  return { dir, manifest, records: lines.map((l) => JSON.parse(l) as Rec) };
}

/** null when the run is of the current definition (experiment file, parameters, code); else what differs. */
export function differsFromCurrent(m: Manifest): string | null {
  let cur: Experiment | null = null;
  try { if (listExperiments().includes(m.experiment.id)) cur = loadExperiment(m.experiment.id); } catch (e) { return `experiments/${m.experiment.id}.json cannot be read (${(e as Error).message})`; }
  // A run of the user's own experiment file (or with --param) is compared with itself: parameters and code.
  const experiment = cur && canonical(cur) === canonical(m.experiment) ? cur : m.experiment;
  const id = identityOf(experiment, m.scale as 'default', m.trialsPerCell);
  const diffs = identityDiff(m, { experiment: cur ?? m.experiment, scale: m.scale, trialsPerCell: m.trialsPerCell, identity: id });
  return diffs.length ? diffs.join('; ') : null;
}

export interface PickOptions {
  /** Use these run directories (--run DIR) for their experiments instead of choosing. */
  runs?: readonly string[];
  /** One line per run skipped (incomplete, damaged) or used despite another definition; default stdout. */
  warn?: (line: string) => void;
  /** One line per run used. */
  log?: (line: string) => void;
}

/**
 * Per experiment under `root` (results/<experiment>/<run>/): the complete run of the current
 * definition with the most records (then the newest); if none is current, the largest complete
 * run, with a warning naming what differs. Damaged and incomplete runs are skipped with one
 * warning line each; nothing under the root makes this throw except a root that is no directory.
 */
export function pickRuns(root: string, o: PickOptions = {}): Map<string, Results> {
  // Default: stdout, where a notebook shows it as output (its stderr counts as a failed cell).
  const warn = o.warn ?? ((l: string) => console.log(`warning: ${l}`));
  const out = new Map<string, Results>();
  for (const d of o.runs ?? []) {
    const r = loadCompleteRun(d);
    r.note = differsFromCurrent(r.manifest);
    out.set(r.manifest.experiment.id, r);
  }
  const candidates = new Map<string, Results[]>();
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) throw new SpecError(`results root '${root}' is not a directory`);
    for (const exp of readdirSync(root).sort()) {
      const expDir = join(root, exp);
      let runs: string[];
      try { if (!statSync(expDir).isDirectory()) continue; runs = readdirSync(expDir).sort().map((r) => join(expDir, r)); } catch (e) { warn(`skipping ${expDir}: ${(e as Error).message}`); continue; }
      for (const d of runs) {
        try {
          if (!statSync(d).isDirectory()) continue;
          if (!existsSync(join(d, 'manifest.json'))) { if (existsSync(join(d, 'records.jsonl'))) warn(`skipping ${d}: records without a manifest`); continue; }
          const r = loadCompleteRun(d);
          if (out.has(r.manifest.experiment.id) && o.runs?.length) continue;
          r.note = differsFromCurrent(r.manifest);
          candidates.set(r.manifest.experiment.id, [...(candidates.get(r.manifest.experiment.id) ?? []), r]);
        } catch (e) { warn(`skipping ${d}: ${(e as Error).message}`); }
      }
    }
  }
  for (const [id, rs] of candidates) {
    if (out.has(id)) continue;
    const rank = (r: Results) => [r.note === null ? 1 : 0, r.records.length, r.manifest.finishedAt ?? ''] as const;
    const best = rs.reduce((a, b) => { const x = rank(a), y = rank(b); return (y[0] - x[0] || y[1] - x[1] || (y[2] > x[2] ? 1 : y[2] < x[2] ? -1 : 0)) > 0 ? b : a; });
    if (best.note !== null) warn(`${id}: no complete run of the current definition; using ${best.dir}, which differs: ${best.note}`);
    out.set(id, best);
  }
  for (const [id, r] of out) o.log?.(`${id}: ${r.dir} (${r.records.length} records${r.note ? ', another definition' : ', current definition'})`);
  return out;
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
