// Records of identical trials from other complete runs, instead of running them again. A trial
// is a pure function of its spec (driver, app, strategy, seed, fault request, parameters) and of
// the code: the project's determinism guarantee, which the tests check byte for byte. So a run
// made by the same code, with the same parameter values, holds the very line this sweep would
// write for every spec they share, under its own key. `reproduce` passes the runs it has made so
// far: at paper scale the approaches, recovery-time and table4 plans repeat about 25,000 trials
// of the fault-injection and paper-campaign plans. Harness errors (a timeout, a crashed worker)
// depend on the machine, not the spec, and are never reused.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { iterateTrials, shardIter, type Experiment, type PlannedTrial } from './experiment.js';
import { appendLines, readManifest, recordsPath } from './results.js';
import { canonical, type Identity } from './identity.js';

export interface Reused { dir: string; records: number }

export const specKey = (t: PlannedTrial): string => canonical({ ...t.spec, params: t.spec.params ?? {} });

/** Whether `dir` holds a finished run whose records this code and these parameters would write. */
function sameMaker(dir: string, identity: Identity): boolean {
  try {
    const m = readManifest(dir);
    return m.status === 'complete' && m.identity?.code.tree === identity.code.tree && canonical(m.identity.params) === canonical(identity.params);
  } catch { return false; }
}

/** Every line of a file, read in 1 MiB chunks (a records file at paper scale is ~200 MB). */
function* lines(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry = '';
    for (let pos = 0; ;) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) break;
      pos += n;
      const text = carry + chunk.toString('utf8', 0, n);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) { if (nl > start) yield text.slice(start, nl); start = nl + 1; }
      carry = text.slice(start);
    }
  } finally { closeSync(fd); }
}

/**
 * Append to `dir` the records of `planned` trials (not yet in `done`) that a donor run holds
 * for an identical spec, each under this run's key; returns what came from where. `done` gains
 * the keys written.
 */
export function reuseRecords(dir: string, planned: Iterable<PlannedTrial>, done: Set<string>, donors: readonly string[], identity: Identity): Reused[] {
  const wanted = new Map<string, string>();
  for (const t of planned) if (!done.has(t.key)) wanted.set(specKey(t), t.key);
  const out: Reused[] = [];
  for (const donor of donors) {
    if (wanted.size === 0) break;
    if (!sameMaker(donor, identity) || !existsSync(recordsPath(donor))) continue;
    const m = readManifest(donor);
    const ours = new Map<string, string>(); // donor key -> our key
    for (const t of shardIter(iterateTrials(m.experiment as Experiment, m.trialsPerCell), m.shard)) {
      const k = wanted.get(specKey(t));
      if (k !== undefined) ours.set(t.key, k);
    }
    if (ours.size === 0) continue;
    let batch: string[] = [], records = 0;
    const prefix = '{"key":"';
    for (const line of lines(recordsPath(donor))) {
      if (!line.startsWith(prefix)) continue;
      const end = line.indexOf('"', prefix.length);
      const key = ours.get(line.slice(prefix.length, end));
      if (key === undefined || done.has(key) || line.includes('"outcome":"harness-error"')) continue;
      batch.push(`{"key":${JSON.stringify(key)}${line.slice(end + 1)}`);
      done.add(key);
      records++;
      if (batch.length >= 1024) { appendLines(dir, batch); batch = []; }
    }
    appendLines(dir, batch);
    for (const [sk, k] of wanted) if (done.has(k)) wanted.delete(sk);
    if (records > 0) out.push({ dir: donor, records });
  }
  return out;
}
