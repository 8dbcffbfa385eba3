// Experiments are declarative files in experiments/: which workloads (driver x app), strategies,
// fault persistence levels, parameter sets, and how many seeded trials per cell at each scale.
// They are validated on load (errors name the bad field) and expanded into a canonical, ordered
// list of trials with stable keys; seeds are shared across strategies, so comparisons are paired.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { APPS, DRIVERS, STRATEGIES } from '../registry.js';
import { FAULT_IDS, PERSISTENCES, Persistence } from '../faults/types.js';
import { MAX_FAULTS_PER_TRIAL } from '../faults/select.js';
import { checkParam, Params } from '../params.js';
import { SpecError } from '../trial/spec.js';
import { PAPER } from '../analysis/paper.js';
import { REPO_ROOT } from '../paths.js';
import type { TrialSpec } from '../trial/spec.js';

export const SCALES = ['default', 'paper'] as const;
export type Scale = (typeof SCALES)[number];

export interface Workload { driver: string; app: string }
export interface ParamSet { name: string; params: Partial<Params> }

export interface Experiment {
  id: string;
  description: string;
  workloads: Workload[];
  strategies: string[];
  /** Fault planted in each trial: null for fault-free experiments. */
  fault: { type: string; persistence: Persistence[]; trigger?: number; /** faults planted per trial, as levels (default [1]) */ count: number[] } | null;
  paramSets: ParamSet[];
  trialsPerCell: Record<Scale, number>;
  seedBase: number;
}

export interface PlannedTrial { key: string; spec: TrialSpec }

export const EXPERIMENTS_DIR = new URL('experiments/', REPO_ROOT);

export function listExperiments(): string[] {
  if (!existsSync(EXPERIMENTS_DIR)) return [];
  return readdirSync(EXPERIMENTS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

/** An experiment by id (experiments/<id>.json) or by the path of a user's own file (ends in .json). */
export function loadExperiment(idOrPath: string): Experiment {
  const isPath = idOrPath.endsWith('.json') || idOrPath.includes('/');
  const known = isPath ? [] : listExperiments();
  if (!isPath && !known.includes(idOrPath)) throw new SpecError(`unknown experiment '${idOrPath}'; valid: ${known.join(', ')}, or the path of an experiment file (*.json)`);
  const file = isPath ? idOrPath : new URL(`${idOrPath}.json`, EXPERIMENTS_DIR);
  const where = isPath ? idOrPath : `experiments/${idOrPath}.json`;
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new SpecError(`cannot read experiment file '${where}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { throw new SpecError(`${where} is not valid JSON: ${(e as Error).message}`); }
  return validateExperiment(raw, where);
}

/**
 * `--param name=v` (or a grid, `name=v1,v2`) applied to every parameter set of an experiment:
 * one set per combination, named `<set>-<name>-<value>` when a grid has several values.
 */
export function withParamGrid(e: Experiment, items: readonly string[]): Experiment {
  if (items.length === 0) return e;
  const axes: Array<[string, number[]]> = [];
  for (const item of items) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(item);
    if (!m) throw new SpecError(`--param takes name=value or name=v1,v2,..., got '${item}'`);
    if (axes.some(([k]) => k === m[1])) throw new SpecError(`--param ${m[1]} is given twice; list its values once, comma-separated`);
    const vs = m[2].split(',').map((x) => checkParam(m[1], x.trim() === '' ? NaN : Number(x), '--param'));
    if (new Set(vs).size !== vs.length) throw new SpecError(`--param ${m[1]} lists a value twice`);
    axes.push([m[1], vs]);
  }
  let sets: ParamSet[] = e.paramSets;
  for (const [k, vs] of axes) {
    sets = sets.flatMap((ps) => vs.map((v) => ({
      name: vs.length > 1 ? `${ps.name}-${k.toLowerCase()}-${String(v).toLowerCase().replace(/[^a-z0-9]+/g, 'p')}` : ps.name,
      params: { ...ps.params, [k]: v },
    })));
  }
  if (new Set(sets.map((s) => s.name)).size !== sets.length) throw new SpecError('--param: two parameter sets would get one name; use fewer or different values');
  return { ...e, paramSets: sets };
}

function fail(where: string, field: string, msg: string): never { throw new SpecError(`${where}: field '${field}' ${msg}`); }

function expandWorkloads(where: string, w: unknown): Workload[] {
  if (w === 'all') return DRIVERS.flatMap((d) => APPS.filter((a) => a.driverClass === d.cls).map((a) => ({ driver: d.id, app: a.id })));
  if (w === 'paper') return (PAPER.table4.rows as Workload[]).map((r) => ({ driver: r.driver, app: r.app }));
  if (!Array.isArray(w) || w.length === 0) fail(where, 'workloads', "must be 'all', 'paper', or a non-empty list of {driver, app}");
  return w.map((x, i) => {
    const d = DRIVERS.find((dd) => dd.id === x?.driver), a = APPS.find((aa) => aa.id === x?.app);
    if (!d) fail(where, `workloads[${i}].driver`, `is '${x?.driver}'; valid: ${DRIVERS.map((dd) => dd.id).join(', ')}`);
    if (!a) fail(where, `workloads[${i}].app`, `is '${x?.app}'; valid: ${APPS.map((aa) => aa.id).join(', ')}`);
    if (a.driverClass !== d.cls) fail(where, `workloads[${i}]`, `pairs ${a.id} (${a.driverClass}) with ${d.id} (${d.cls})`);
    return { driver: d.id, app: a.id };
  });
}

/** Every strategy must model every workload's driver class. */
function checkClasses(where: string, workloads: Workload[], strategies: string[]): Workload[] {
  for (const s of strategies) {
    const classes = STRATEGIES.find((x) => x.id === s)?.classes;
    const bad = classes ? workloads.find((w) => !classes.includes(DRIVERS.find((d) => d.id === w.driver)!.cls)) : undefined;
    if (bad) fail(where, 'strategies', `lists '${s}', which is modelled for ${classes!.join(', ')} drivers only, and workload ${bad.driver}/${bad.app} is not; drop one of them`);
  }
  return workloads;
}

export function validateExperiment(raw: unknown, where: string): Experiment {
  if (typeof raw !== 'object' || raw === null) fail(where, '(root)', 'must be an object');
  const r = raw as Record<string, unknown>;
  const allowed = ['id', 'description', 'workloads', 'strategies', 'fault', 'paramSets', 'trialsPerCell', 'seedBase'];
  for (const k of Object.keys(r)) if (!allowed.includes(k)) fail(where, k, `is not a known field; valid: ${allowed.join(', ')}`);
  if (typeof r.id !== 'string' || !/^[a-z0-9-]+$/.test(r.id)) fail(where, 'id', 'must be a lower-case id');
  if (typeof r.description !== 'string') fail(where, 'description', 'must be a string');
  const strategies = r.strategies;
  if (!Array.isArray(strategies) || strategies.length === 0) fail(where, 'strategies', 'must be a non-empty list');
  for (const [i, s] of strategies.entries()) if (!STRATEGIES.some((x) => x.id === s)) fail(where, `strategies[${i}]`, `is '${s}'; valid: ${STRATEGIES.map((x) => x.id).join(', ')}`);
  let fault: Experiment['fault'] = null;
  if (r.fault !== null) {
    const f = r.fault as Record<string, unknown> | undefined;
    if (typeof f !== 'object' || f === null) fail(where, 'fault', 'must be null or {type, persistence}');
    const type = f.type ?? 'random';
    if (type !== 'random' && !FAULT_IDS.includes(type as never)) fail(where, 'fault.type', `is '${type}'; valid: random, ${FAULT_IDS.join(', ')}`);
    const pers = f.persistence ?? ['transient', 'deterministic'];
    if (!Array.isArray(pers) || pers.length === 0 || pers.some((p) => !PERSISTENCES.includes(p))) fail(where, 'fault.persistence', `must be a non-empty list of ${PERSISTENCES.join(', ')}`);
    const trigger = f!.trigger;
    if (trigger !== undefined && (!Number.isInteger(trigger) || (trigger as number) < 2)) fail(where, 'fault.trigger', 'must be an integer of at least 2 (a request-triggered fault fires on 1 in N requests)');
    if (trigger !== undefined && (pers as string[]).some((p) => p !== 'deterministic')) fail(where, 'fault.persistence', "must be ['deterministic'] with a trigger (a request-triggered fault is deterministic)");
    const count = f.count ?? [1];
    if (!Array.isArray(count) || count.length === 0 || count.some((k) => !Number.isInteger(k) || k < 1 || k > MAX_FAULTS_PER_TRIAL)) fail(where, 'fault.count', `must be a non-empty list of fault counts per trial, each from 1 to ${MAX_FAULTS_PER_TRIAL}`);
    if (new Set(count).size !== count.length) fail(where, 'fault.count', 'lists a level twice');
    fault = { type: type as string, persistence: pers as Persistence[], ...(trigger !== undefined ? { trigger: trigger as number } : {}), count: count as number[] };
  }
  const paramSets = (r.paramSets ?? [{ name: 'default', params: {} }]) as ParamSet[];
  if (!Array.isArray(paramSets) || paramSets.length === 0) fail(where, 'paramSets', 'must be a non-empty list of {name, params}');
  for (const [i, p] of paramSets.entries()) {
    if (typeof p?.name !== 'string' || !/^[a-z0-9-]+$/.test(p.name)) fail(where, `paramSets[${i}].name`, 'must be a lower-case id');
    if (p.params !== undefined && (typeof p.params !== 'object' || p.params === null || Array.isArray(p.params))) fail(where, `paramSets[${i}].params`, 'must be an object of name: number');
    for (const [k, v] of Object.entries(p.params ?? {})) {
      try { checkParam(k, v); } catch (e) { fail(where, `paramSets[${i}].params.${k}`, (e as Error).message); }
    }
  }
  const t = r.trialsPerCell as Record<string, unknown> | undefined;
  for (const s of SCALES) if (!t || !Number.isInteger(t[s]) || (t[s] as number) < 1) fail(where, `trialsPerCell.${s}`, 'must be a positive integer');
  const seedBase = r.seedBase ?? 0;
  if (!Number.isInteger(seedBase) || (seedBase as number) < 0) fail(where, 'seedBase', 'must be a non-negative integer');
  return {
    id: r.id, description: r.description, workloads: checkClasses(where, expandWorkloads(where, r.workloads), strategies as string[]), strategies: strategies as string[],
    fault, paramSets: paramSets.map((p) => ({ name: p.name, params: p.params ?? {} })),
    trialsPerCell: { default: t!.default as number, paper: t!.paper as number }, seedBase: seedBase as number,
  };
}

/** Every trial of the experiment in canonical order (workload, param set, persistence, seed, strategy). */
export function planTrials(e: Experiment, trialsPerCell: number): PlannedTrial[] {
  return [...iterateTrials(e, trialsPerCell)];
}

/** The same trials, one at a time (a large sweep never holds its whole plan). */
export function* iterateTrials(e: Experiment, trialsPerCell: number): Generator<PlannedTrial> {
  const persistences: Array<Persistence | 'none'> = e.fault ? e.fault.persistence : ['none'];
  const counts = e.fault ? e.fault.count : [1];
  for (const w of e.workloads) {
    for (const ps of e.paramSets) {
      for (const p of persistences) {
        for (const k of counts) {
          // One fault per trial keeps the plain persistence in the key (keys of older runs stay valid).
          const level = k === 1 ? p : `${p}x${k}`;
          for (let i = 0; i < trialsPerCell; i++) {
            const seed = e.seedBase + i;
            for (const strategy of e.strategies) {
              const key = [e.id, w.driver, w.app, ps.name, level, String(seed).padStart(6, '0'), strategy].join('/');
              const fault = e.fault && p !== 'none'
                ? { type: e.fault.type as 'random', persistence: p, ...(e.fault.trigger !== undefined ? { trigger: e.fault.trigger } : {}), ...(k > 1 ? { count: k } : {}) }
                : null;
              yield { key, spec: { driver: w.driver, app: w.app, strategy, seed, fault, params: ps.params } };
            }
          }
        }
      }
    }
  }
}

/** How many trials an experiment has, without listing them. */
export function countTrials(e: Experiment, trialsPerCell: number): number {
  return e.workloads.length * e.paramSets.length * (e.fault ? e.fault.persistence.length * e.fault.count.length : 1) * trialsPerCell * e.strategies.length;
}

/** Shard K of N (1-based): every N-th trial of the canonical order, so shards are balanced. */
export function shardOf<T>(trials: readonly T[], shard: { k: number; n: number } | null): T[] {
  return [...shardIter(trials, shard)];
}

export function* shardIter<T>(trials: Iterable<T>, shard: { k: number; n: number } | null): Generator<T> {
  let i = 0;
  for (const t of trials) { if (!shard || i % shard.n === shard.k - 1) yield t; i++; }
}

/** Trials in shard K of N out of `total`. */
export const shardSize = (total: number, shard: { k: number; n: number } | null): number =>
  shard ? Math.floor(total / shard.n) + (shard.k - 1 < total % shard.n ? 1 : 0) : total;

export function parseShard(raw: string | undefined): { k: number; n: number } | null {
  if (raw === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  if (!m) throw new SpecError(`--shard takes K/N (e.g. 2/3), got '${raw}'`);
  const k = Number(m[1]), n = Number(m[2]);
  if (!Number.isSafeInteger(n) || n < 1 || k < 1 || k > n) throw new SpecError(`--shard ${raw}: K must be between 1 and N, and N at most 2^53`);
  return { k, n };
}
