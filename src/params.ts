// Parameters of the simulated machine, read from data/params.json: each with its unit, valid
// range and source. Overrides (--param, experiment paramSets, the library API) are checked here.
import { readFileSync } from 'node:fs';
import { dataFile } from './paths.js';
import { SpecError } from './trial/spec-error.js';

export interface Params {
  kernelTickUs: number; callBudgetInstructions: number; txWatchdogUs: number; watchdogPeriodUs: number;
  qdiscFrames: number; linkMbps: number; linkPropagationUs: number; nicResetUs: number; nicLinkUpUs: number;
  irqLatencyUs: number; irqJitterUs: number; streamInitialRtoUs: number; streamMaxRtoUs: number; streamMaxRetries: number;
  streamWindowSegments: number; streamSegmentBytes: number; trialDeadlineUs: number;
  maxConsecutiveRecoveries: number; recoveryQuietUs: number; appStartUs: number;
  transientShare: number; transientFireShare: number; maxEventsPerTrial: number; armWindowShare: number;
  instructionNs: number; directCallNs: number; isolatedCrossingNs: number; tapNs: number; stackPacketNs: number;
  copyNsPerByte: number; recoveryStopUs: number; moduleLoadUs: number; syscallNs: number;
  diskAccessUs: number; diskMBps: number; diskFlushUs: number; blockTimeoutUs: number; fsErrorsPanic: number; diskSectors: number; ahciSlots: number;
  fileTransferBytes: number; fileTransferPaceBytesPerSec: number; fileTransferReceive: number;
  failoverUs: number; checkpointIntervalUs: number; checkpointFixedUs: number;
  availDeadlineUs: number; availAppRestartUs: number; availRebootUs: number; availMalfunctionNoticeUs: number;
  txChecksumOffload: number; oracleAudioLossUs: number; oracleCaptureHoleUs: number; oracleAnalyzerHoleUs: number; oracleWindowLatencyUs: number;
  table4ActiveShare: number;
  nicAutonegJitterUs: number; releaseObjectNs: number; replayCallNs: number; resubmitRequestNs: number; resubmitByteNs: number;
  diskResetUs: number; diskSeekMaxUs: number; diskRotationUs: number; codecResetUs: number; codecLockJitterUs: number;
  nicIrqIntervalUs: number; isolatedPoolBatch: number; streamDelayedAckUs: number;
  serverRequestIntervalUs: number; longRunUs: number; faultArrivalMeanUs: number; monitorPeriodUs: number;
}

const file = dataFile('params.json');

/** What data/params.json says about one parameter: its default, unit, valid range and source. */
export interface ParamSchema { value: number; unit: string; min: number; max: number; integer: boolean; source: string }

/** Check one entry of params.json; a malformed entry is a bug in the file, named precisely. */
function schemaOf(name: string, e: unknown): ParamSchema {
  const bad = (why: string): never => { throw new SpecError(`data/params.json: ${name} ${why}`); };
  if (typeof e !== 'object' || e === null) bad('must be {value, unit, min, max, integer, source}');
  const r = e as Record<string, unknown>;
  for (const f of ['value', 'min', 'max'] as const) if (typeof r[f] !== 'number' || !Number.isFinite(r[f])) bad(`needs a finite number '${f}'`);
  if (typeof r.unit !== 'string' || r.unit === '') bad("needs a 'unit' (us, ns, bytes, count, share, bool, ...)");
  if (typeof r.integer !== 'boolean') bad("needs 'integer': true or false");
  if (typeof r.source !== 'string' || r.source === '') bad("needs a 'source'");
  const s = r as unknown as ParamSchema;
  if (s.min > s.max) bad(`has min ${s.min} above max ${s.max}`);
  // Replay commands print values with String(): keep them below 1e21, where it turns to exponents.
  if (Math.abs(s.min) >= 1e21 || Math.abs(s.max) >= 1e21) bad('has a range beyond 1e21');
  const why = rangeProblem(s, s.value);
  if (why) bad(`default ${why}`);
  return { value: s.value, unit: s.unit, min: s.min, max: s.max, integer: s.integer, source: s.source };
}

function rangeProblem(s: ParamSchema, v: unknown): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `must be a number, got '${String(v)}'`;
  if (s.integer && !Number.isInteger(v)) return `must be an integer (${s.unit}), got ${v}`;
  if (v < s.min || v > s.max) return `must be in [${s.min}, ${s.max}] ${s.unit}, got ${v}`;
  return null;
}

function load(): Record<string, ParamSchema> {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const out: Record<string, ParamSchema> = Object.create(null);
  for (const [k, v] of Object.entries(raw)) if (!k.startsWith('_')) out[k] = schemaOf(k, v);
  return out;
}

/** The schema of every parameter (type, unit, range, source), validated when loaded. */
export const PARAM_SCHEMA: Readonly<Record<string, ParamSchema>> = Object.freeze(load());

/** Defaults are read once; a trial may override any of them through its spec. */
export const DEFAULT_PARAMS: Readonly<Params> = Object.freeze(
  Object.fromEntries(Object.entries(PARAM_SCHEMA).map(([k, s]) => [k, s.value])) as unknown as Params);

/** Is `name` a parameter? Own keys only: 'constructor' or 'toString' are not parameters. */
export const isParam = (name: string): boolean => Object.hasOwn(PARAM_SCHEMA, name);

/** Validate one override against the schema; the error names the parameter and its range. */
export function checkParam(name: string, value: unknown, where = 'parameter'): number {
  if (!isParam(name)) throw new SpecError(`unknown ${where} '${name}'; valid: ${Object.keys(PARAM_SCHEMA).join(', ')}`);
  const why = rangeProblem(PARAM_SCHEMA[name], value);
  if (why) throw new SpecError(`${where} ${name} ${why}`);
  return value as number;
}

/** Validate a set of overrides (own keys only); returns a plain copy. */
export function checkParams(overrides: unknown, where = 'parameter'): Partial<Params> {
  if (overrides === undefined || overrides === null) return {};
  if (typeof overrides !== 'object' || Array.isArray(overrides)) throw new SpecError(`${where}s must be an object of name: number`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(overrides)) out[k] = checkParam(k, v, where);
  return out as Partial<Params>;
}
