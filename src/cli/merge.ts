import type { Argv } from 'yargs';
import { rmSync, existsSync, readdirSync } from 'node:fs';
import { ensureWritable, hasResults, readLines, readManifest, writeManifest, writeSorted, recordKey, Manifest } from '../sweep/results.js';
import { iterateTrials, shardIter } from '../sweep/experiment.js';
import { acquireLock } from '../sweep/lock.js';
import { SpecError } from '../trial/spec.js';
import { fail } from './errors.js';

const few = (xs: string[]): string => `${xs.slice(0, 3).join(', ')}${xs.length > 3 ? ` and ${xs.length - 3} more` : ''}`;

/** Check one shard's records against its plan: exactly the planned keys, each once. */
function shardLines(d: string, m: Manifest, allPlanned: Set<string>): string[] {
  const planned = new Set<string>();
  for (const t of shardIter(iterateTrials(m.experiment, m.trialsPerCell), m.shard)) planned.add(t.key);
  const lines = readLines(d);
  const seen = new Set<string>(), foreign: string[] = [], extra: string[] = [], dup: string[] = [];
  let bad = 0;
  for (const line of lines) {
    const k = recordKey(line);
    if (k === null) { bad++; continue; }
    if (seen.has(k)) dup.push(k);
    seen.add(k);
    if (!allPlanned.has(k)) foreign.push(k); else if (!planned.has(k)) extra.push(k);
  }
  const missing = [...planned].filter((k) => !seen.has(k));
  const problems = [
    bad ? `${bad} line${bad === 1 ? ' is' : 's are'} not a record` : '',
    missing.length ? `${missing.length} planned record${missing.length === 1 ? ' is' : 's are'} missing (${few(missing)})` : '',
    foreign.length ? `${foreign.length} foreign record${foreign.length === 1 ? '' : 's'} not in the sweep's plan (${few(foreign)})` : '',
    extra.length ? `${extra.length} record${extra.length === 1 ? '' : 's'} of another shard (${few(extra)})` : '',
    dup.length ? `${dup.length} duplicate key${dup.length === 1 ? '' : 's'} (${few(dup)})` : '',
  ].filter(Boolean);
  if (problems.length) throw new SpecError(`${d}: ${problems.join('; ')}`);
  return lines;
}

/** Join the shards of one sweep; the result equals the sweep run on one machine. */
export function merge(dirs: readonly string[], out: string): number {
  if (dirs.length === 0) throw new SpecError('merge needs at least one results directory');
  const ms = dirs.map((d) => ({ d, m: readManifest(d) }));
  const first = ms[0].m;
  for (const { d, m } of ms) {
    if (m.experiment.id !== first.experiment.id || m.scale !== first.scale || m.trialsPerCell !== first.trialsPerCell) {
      throw new SpecError(`${d} holds ${m.experiment.id} (${m.scale}, ${m.trialsPerCell} per cell), not ${first.experiment.id} (${first.scale}, ${first.trialsPerCell} per cell)`);
    }
    if (!m.identity) throw new SpecError(`${d} has no run identity (made before identities were recorded); re-run its shard`);
    if (m.identity.hash !== first.identity!.hash) {
      throw new SpecError(`${d} was run from a different definition than ${ms[0].d} (identity ${m.identity.hash.slice(0, 10)} vs ${first.identity!.hash.slice(0, 10)}): the shards cannot be joined`);
    }
    if (m.status !== 'complete') throw new SpecError(`${d} is not complete (status ${m.status}); finish it with sweep --resume`);
  }
  const n = first.shard?.n ?? 1;
  const ks = ms.map(({ m }) => m.shard?.k ?? 1).sort((a, b) => a - b);
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !ks.includes(k));
  if (missing.length || ks.length !== n || ms.some(({ m }) => (m.shard?.n ?? 1) !== n)) {
    throw new SpecError(`shards do not cover 1..${n} exactly once (have ${ks.join(', ')}${missing.length ? `; missing ${missing.join(', ')}` : ''})`);
  }
  if (hasResults(out)) throw new SpecError(`'${out}' already holds results; choose an empty --out`);
  // Every check runs before --out is touched: a refused merge leaves nothing behind.
  const allPlanned = new Set<string>();
  for (const t of iterateTrials(first.experiment, first.trialsPerCell)) allPlanned.add(t.key);
  const all: string[] = [];
  for (const { d, m } of ms) all.push(...shardLines(d, m, allPlanned));
  const created = !existsSync(out);
  ensureWritable(out);
  const release = acquireLock(out);
  try {
    writeSorted(out, all);
    writeManifest(out, { ...first, shard: null, trialsPlanned: ms.reduce((s, { m }) => s + m.trialsPlanned, 0), mergedFrom: dirs.slice(), finishedAt: new Date().toISOString() });
  } catch (e) {
    release();
    if (created) rmSync(out, { recursive: true, force: true });
    else for (const f of readdirSync(out)) if (/^(records\.jsonl|manifest\.json)/.test(f)) rmSync(`${out}/${f}`, { force: true });
    throw e;
  }
  release();
  return all.length;
}

export function mergeCommand(y: Argv): Argv {
  return y.command('merge <dirs..>', 'join the shards of one sweep into one results directory (one run identity, exactly the planned records)',
    (a) => a
      .positional('dirs', { type: 'string', array: true, describe: 'results directories of shards 1..N' })
      .option('out', { type: 'string', demandOption: true, describe: 'directory for the merged results (must be empty)' })
      .option('json', { type: 'boolean', default: false, describe: 'print {out, records} as JSON' }),
    (argv) => {
      try {
        const n = merge(argv.dirs as string[], argv.out);
        if (argv.json) console.log(JSON.stringify({ out: argv.out, records: n })); else console.error(`merged ${n} records into ${argv.out}`);
      } catch (e) { fail(e); }
    });
}
