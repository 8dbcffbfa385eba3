// One planned trial to one record line; anything the harness throws becomes a harness-error
// record that carries the command replaying it, and the sweep goes on.
import { runTrial } from '../trial/run.js';
import { harnessErrorRecord } from '../trial/record.js';
import type { PlannedTrial } from './experiment.js';
import type { ResolvedSpec } from '../trial/spec.js';
import { DEFAULT_PARAMS } from '../params.js';

export function replayOf(t: PlannedTrial): string {
  const s = t.spec;
  const f = s.fault ? ` --fault ${s.fault.type ?? 'random'}${s.fault.persistence ? ` --persistence ${s.fault.persistence}` : ''}${s.fault.trigger !== undefined ? ` --trigger ${s.fault.trigger}` : ''}` : ' --fault none';
  const params = Object.entries(s.params ?? {}).map(([k, v]) => ` --param ${k}=${v}`).join('');
  return `npx shadowbench trial --driver ${s.driver} --app ${s.app} --strategy ${s.strategy} --seed ${s.seed}${f}${params}`;
}

export function runPlanned(t: PlannedTrial): string {
  try {
    return JSON.stringify({ key: t.key, ...runTrial(t.spec) });
  } catch (e) {
    return harnessLine(t, `harness threw: ${(e as Error).message}`);
  }
}

export function harnessLine(t: PlannedTrial, message: string): string {
  const spec = { ...t.spec, fault: null, params: { ...DEFAULT_PARAMS, ...(t.spec.params ?? {}) } } as ResolvedSpec;
  return JSON.stringify({ key: t.key, ...harnessErrorRecord(spec, replayOf(t), `${message}; replay: ${replayOf(t)}`) });
}
