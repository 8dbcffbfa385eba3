// Options shared by commands that plant faults, and their translation into a FaultRequest.
import type { Argv } from 'yargs';
import { FAULT_IDS, PERSISTENCES, FaultTypeId, Persistence } from '../faults/types.js';
import { MAX_FAULTS_PER_TRIAL, FaultRequest } from '../faults/select.js';
import type { FaultSpec } from '../faults/types.js';
import { checkParam, Params } from '../params.js';
import { SpecError } from '../trial/spec.js';

export function withFaultOptions<T>(y: Argv<T>) {
  return y
    .option('fault', { type: 'string', default: 'random', choices: [...FAULT_IDS, 'random', 'none'], describe: 'fault type; random; or none for a fault-free run' })
    .option('site', { type: 'string', describe: 'fault site id (e.g. e1000.xmit.ring_full); default: drawn among the sites the workload executes' })
    .option('persistence', { type: 'string', choices: [...PERSISTENCES], describe: 'transient (needs an environmental condition; a reload removes it) | deterministic (in the binary: every load) | image (the paper\'s injector: in the loaded instance only; any reload is clean); default: transient or deterministic, drawn (transientShare)' })
    .option('faults', { type: 'string', describe: 'plant this many independent faults (Nooks planted 5 per trial); the first follows --fault/--site/..., the others are drawn; default 1' })
    .option('extra-fault', { type: 'string', array: true, describe: 'a further resolved fault, type:site:persistence:armAtUs:bit[:trigger] (repeatable; what replay commands of multi-fault records use)' })
    .option('arm-at', { type: 'string', describe: 'virtual µs at which the fault is planted; default: drawn in the workload\'s run' })
    .option('trigger', { type: 'string', describe: 'make the fault request-triggered: deterministic, firing only on requests (network transmits, sound writes) in 1 of N content classes (a poison request)' })
    .option('bit', { type: 'string', describe: 'which bit a corruption flips (bad-param: argument*32+bit); default: drawn' })
    .option('param', { type: 'string', array: true, default: [] as string[], describe: 'override a parameter of data/params.json, as name=value (repeatable)' });
}

function intOption(name: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new SpecError(`--${name} must be a non-negative integer below 2^53, got '${s}'`);
  return Number(s);
}

export function faultRequest(argv: { fault: string; site?: string; persistence?: string; 'arm-at'?: string; bit?: string; trigger?: string; faults?: string; 'extra-fault'?: string[] }): FaultRequest | null {
  const type = argv.fault;
  if (type === 'none') {
    const given = (['site', 'persistence', 'arm-at', 'bit', 'trigger', 'faults', 'extra-fault'] as const).filter((k) => argv[k] !== undefined);
    if (given.length > 0) throw new SpecError(`${given.map((k) => `--${k}`).join(', ')} need${given.length === 1 ? 's' : ''} a fault; --fault is none`);
    return null;
  }
  if (argv.faults !== undefined && argv['extra-fault'] !== undefined) throw new SpecError('give either --faults K (drawn) or --extra-fault specs (resolved), not both');
  const count = intOption('faults', argv.faults);
  if (count !== undefined && (count < 1 || count > MAX_FAULTS_PER_TRIAL)) throw new SpecError(`--faults must be from 1 to ${MAX_FAULTS_PER_TRIAL}, got '${argv.faults}'`);
  if (type !== 'random' && !FAULT_IDS.includes(type as FaultTypeId)) {
    throw new SpecError(`unknown fault type '${type}'; valid: ${FAULT_IDS.join(', ')}, random, none`);
  }
  if (argv.persistence !== undefined && !PERSISTENCES.includes(argv.persistence as Persistence)) {
    // (image is the paper's method: see src/faults/types.ts)
    throw new SpecError(`unknown persistence '${argv.persistence}'; valid: ${PERSISTENCES.join(', ')}`);
  }
  return {
    type: type as FaultTypeId | 'random',
    site: argv.site,
    persistence: argv.persistence as Persistence | undefined,
    armAtUs: intOption('arm-at', argv['arm-at']),
    bit: intOption('bit', argv.bit),
    ...(argv.trigger !== undefined ? { trigger: intOption('trigger', argv.trigger) } : {}),
    ...(count !== undefined && count > 1 ? { count } : {}),
    ...(argv['extra-fault'] !== undefined ? { extra: argv['extra-fault'].map(parseFaultSpec) } : {}),
  };
}

/** `type:site:persistence:armAtUs:bit[:trigger]`, as `formatFaultSpec` writes it. */
export function parseFaultSpec(word: string): FaultSpec {
  const parts = word.split(':');
  const bad = (why: string): never => { throw new SpecError(`--extra-fault '${word}': ${why}; expected type:site:persistence:armAtUs:bit[:trigger]`); };
  if (parts.length < 5 || parts.length > 6) bad('wrong number of fields');
  const [type, site, persistence, arm, bit, trigger] = parts;
  if (!FAULT_IDS.includes(type as FaultTypeId)) bad(`unknown fault type '${type}'; valid: ${FAULT_IDS.join(', ')}`);
  if (!PERSISTENCES.includes(persistence as Persistence)) bad(`unknown persistence '${persistence}'; valid: ${PERSISTENCES.join(', ')}`);
  const num = (name: string, v: string) => (/^\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : bad(`${name} must be a non-negative integer, got '${v}'`));
  return { type: type as FaultTypeId, site, persistence: persistence as Persistence, armAtUs: num('armAtUs', arm), bit: num('bit', bit), ...(trigger !== undefined ? { trigger: num('trigger', trigger) } : {}) };
}

export function paramOverrides(list: readonly string[]): Partial<Params> {
  const out: Record<string, number> = {};
  for (const item of list) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(item);
    if (!m) throw new SpecError(`--param takes name=value, got '${item}'`);
    out[m[1]] = checkParam(m[1], m[2].trim() === '' ? NaN : Number(m[2]), '--param'); // schema of data/params.json
  }
  return out as Partial<Params>;
}
