import type { Argv } from 'yargs';
import { ensureWritable, hasResults, readLines, readManifest, writeManifest, writeSorted, keyOf } from '../sweep/results.js';
import { SpecError } from '../trial/spec.js';
import { fail } from './errors.js';

/** Join the shards of one sweep; the result equals the sweep run on one machine. */
export function merge(dirs: readonly string[], out: string): number {
  if (dirs.length === 0) throw new SpecError('merge needs at least one results directory');
  const ms = dirs.map((d) => ({ d, m: readManifest(d) }));
  const first = ms[0].m;
  for (const { d, m } of ms) {
    if (m.experiment.id !== first.experiment.id || m.scale !== first.scale || m.trialsPerCell !== first.trialsPerCell) {
      throw new SpecError(`${d} holds ${m.experiment.id} (${m.scale}, ${m.trialsPerCell} per cell), not ${first.experiment.id} (${first.scale}, ${first.trialsPerCell} per cell)`);
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
  ensureWritable(out);
  const byKey = new Map<string, string>();
  for (const { d } of ms) for (const line of readLines(d)) {
    const k = keyOf(line);
    if (byKey.has(k) && byKey.get(k) !== line) throw new SpecError(`trial ${k} differs between shards`);
    byKey.set(k, line);
  }
  writeSorted(out, [...byKey.values()]);
  writeManifest(out, { ...first, shard: null, trialsPlanned: ms.reduce((s, { m }) => s + m.trialsPlanned, 0), mergedFrom: dirs.slice(), finishedAt: new Date().toISOString() });
  return byKey.size;
}

export function mergeCommand(y: Argv): Argv {
  return y.command('merge <dirs..>', 'join the shards of one sweep into one results directory',
    (a) => a
      .positional('dirs', { type: 'string', array: true, describe: 'results directories of shards 1..N' })
      .option('out', { type: 'string', demandOption: true, describe: 'directory for the merged results (must be empty)' }),
    (argv) => {
      try { const n = merge(argv.dirs as string[], argv.out); console.error(`merged ${n} records into ${argv.out}`); } catch (e) { fail(e); }
    });
}
