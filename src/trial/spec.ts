// A trial spec, resolved and validated at the boundary: after this, nothing is optional and
// every id is known. Errors name the bad value and the valid ones.
import { DEFAULT_PARAMS, Params, checkParams } from '../params.js';
import { DRIVERS, APPS, STRATEGIES } from '../registry.js';
import type { FaultRequest } from '../faults/select.js';
import type { FaultSpec } from '../faults/types.js';

export interface TrialSpec {
  driver: string;
  app: string;
  strategy: string;
  seed: number;
  /** The fault to plant; absent or null for a fault-free run. Unset fields are drawn. */
  fault?: FaultRequest | null;
  /** Overrides of data/params.json for this trial. */
  params?: Partial<Params>;
}

export interface ResolvedSpec {
  driver: string;
  app: string;
  strategy: string;
  seed: number;
  /** Filled in by the trial from the profile (a fault request becomes a full FaultSpec). */
  fault: FaultSpec | null;
  /** The other faults of a trial that plants several (`--faults K`), each fully resolved. */
  extraFaults?: FaultSpec[];
  params: Params;
}

import { SpecError } from './spec-error.js';
export { SpecError };

function oneOf(what: string, value: string, valid: readonly string[]): string {
  if (!valid.includes(value)) throw new SpecError(`unknown ${what} '${value}'; valid: ${valid.join(', ')}`);
  return value;
}

export function resolveSpec(spec: TrialSpec): ResolvedSpec {
  const driver = oneOf('driver', spec.driver, DRIVERS.map((d) => d.id));
  const app = oneOf('app', spec.app, APPS.map((a) => a.id));
  const strategy = oneOf('strategy', spec.strategy, STRATEGIES.map((s) => s.id));
  const d = DRIVERS.find((x) => x.id === driver)!, a = APPS.find((x) => x.id === app)!;
  if (d.cls !== a.driverClass) {
    const fits = DRIVERS.filter((x) => x.cls === a.driverClass).map((x) => x.id);
    throw new SpecError(`app '${app}' needs a ${a.driverClass} driver, and '${driver}' is ${d.cls}; valid drivers for it: ${fits.join(', ')}`);
  }
  const st = STRATEGIES.find((x) => x.id === strategy)!;
  if (st.classes && !st.classes.includes(d.cls)) {
    throw new SpecError(`strategy '${strategy}' is modelled for ${st.classes.join(', ')} drivers only, and '${driver}' is ${d.cls}; valid drivers for it: ${DRIVERS.filter((x) => st.classes!.includes(x.cls)).map((x) => x.id).join(', ')}`);
  }
  if (!Number.isSafeInteger(spec.seed) || spec.seed < 0) throw new SpecError(`seed must be a non-negative integer, got '${spec.seed}'`);
  const params: Params = { ...DEFAULT_PARAMS };
  Object.assign(params, checkParams(spec.params)); // names and ranges from data/params.json
  return { driver, app, strategy, seed: spec.seed, fault: null, params };
}

/** The CLI command that replays a spec. */
export function replayCommand(s: ResolvedSpec): string {
  const base = `npx shadowbench trial --driver ${s.driver} --app ${s.app} --strategy ${s.strategy} --seed ${s.seed}`;
  const f = s.fault;
  const fault = f ? ` --fault ${f.type} --site ${f.site} --persistence ${f.persistence} --arm-at ${f.armAtUs} --bit ${f.bit}${f.trigger !== undefined ? ` --trigger ${f.trigger}` : ''}` : ' --fault none';
  const extra = (s.extraFaults ?? []).map((x) => ` --extra-fault ${formatFaultSpec(x)}`).join('');
  const changed = Object.entries(s.params).filter(([k, v]) => DEFAULT_PARAMS[k as keyof Params] !== v);
  return base + fault + extra + changed.map(([k, v]) => ` --param ${k}=${v}`).join('');
}

/** A resolved fault in one word, `type:site:persistence:armAtUs:bit[:trigger]` (`--extra-fault`). */
export function formatFaultSpec(f: FaultSpec): string {
  return [f.type, f.site, f.persistence, f.armAtUs, f.bit, ...(f.trigger !== undefined ? [f.trigger] : [])].join(':');
}
