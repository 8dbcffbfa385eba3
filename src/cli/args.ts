// Numeric options checked while parsing (yargs coerce): a bad value is one line and exit 2,
// before any command runs. Safe integers only: 1e300 or 2^64 are not counts.
import { SpecError } from '../trial/spec.js';

export function intArg(name: string, min: number, max: number): (v: unknown) => number {
  return (v) => {
    if (v === undefined) return v as unknown as number; // an option without default, not given
    const n = typeof v === 'number' ? v : Number(v);
    if (Array.isArray(v)) throw new SpecError(`--${name} is given more than once`);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new SpecError(`--${name} must be an integer from ${min} to ${max}, got '${String(v)}'`);
    return n;
  };
}

/** A comma-separated list of known ids, each at most once. */
export function idList(name: string, valid: readonly string[]): (v: unknown) => string[] {
  return (v) => {
    const items = String(v).split(',').map((s) => s.trim());
    for (const s of items) if (!valid.includes(s)) throw new SpecError(`--${name}: unknown '${s}'; valid: ${valid.join(', ')}`);
    const dup = items.find((s, i) => items.indexOf(s) !== i);
    if (dup !== undefined) throw new SpecError(`--${name} lists '${dup}' twice`);
    return items;
  };
}
