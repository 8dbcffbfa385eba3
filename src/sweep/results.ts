// A results directory: manifest.json (what ran, from which commit, with which command) and
// records.jsonl (one record per line, appended as batches finish). A killed sweep leaves at
// most a partial last line, which resume cuts off; at the end the lines are sorted by trial key,
// so any worker count, shard split or resume gives the same bytes.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, accessSync, constants, truncateSync, statSync, openSync, writeSync, closeSync, readSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Experiment, Scale } from './experiment.js';
import type { Provenance } from './provenance.js';
import { SpecError } from '../trial/spec.js';

export const FORMAT = 'shadowbench-results/1';

export interface Manifest {
  format: string;
  experiment: Experiment;
  scale: Scale;
  trialsPerCell: number;
  shard: { k: number; n: number } | null;
  trialsPlanned: number;
  workers: number;
  provenance: Provenance;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'complete';
  resumedAt: string[];
  mergedFrom?: string[];
}

export const recordsPath = (dir: string) => join(dir, 'records.jsonl');
const manifestPath = (dir: string) => join(dir, 'manifest.json');

export function writeManifest(dir: string, m: Manifest): void {
  const tmp = `${manifestPath(dir)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(m, null, 2)}\n`);
  renameSync(tmp, manifestPath(dir));
}

export function readManifest(dir: string): Manifest {
  if (!existsSync(manifestPath(dir))) throw new SpecError(`${dir} has no manifest.json: not a shadowbench results directory`);
  const m = JSON.parse(readFileSync(manifestPath(dir), 'utf8')) as Manifest;
  if (m.format !== FORMAT) throw new SpecError(`${dir}: unknown results format '${m.format}'`);
  return m;
}

/** Make sure `dir` can be written (creating it); the error says why not. */
export function ensureWritable(dir: string): void {
  try {
    // Create missing components one by one: Node's recursive mkdir can loop forever on
    // pseudo file systems such as /proc, where a plain mkdir fails at once.
    const parts = resolve(dir).split(sep);
    for (let i = 2; i <= parts.length; i++) {
      const p = parts.slice(0, i).join(sep);
      if (!existsSync(p)) mkdirSync(p);
    }
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new SpecError(`cannot write results to '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!statSync(dir).isDirectory()) throw new SpecError(`'${dir}' is not a directory`);
}

export function hasResults(dir: string): boolean { return existsSync(manifestPath(dir)) || existsSync(recordsPath(dir)); }

/** Keys already recorded; a partial last line (the process was killed mid-write) is cut off. */
export function recordedKeys(dir: string): Set<string> {
  const keys = new Set<string>();
  const file = recordsPath(dir);
  if (!existsSync(file)) return keys;
  const text = readFileSync(file, 'utf8');
  let good = 0;
  for (let start = 0; start < text.length;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    try { keys.add((JSON.parse(text.slice(start, nl)) as { key: string }).key); good = nl + 1; } catch { break; }
    start = nl + 1;
  }
  if (good < Buffer.byteLength(text)) truncateSync(file, Buffer.byteLength(text.slice(0, good)));
  return keys;
}

export function appendLines(dir: string, lines: readonly string[]): void {
  if (lines.length) appendFileSync(recordsPath(dir), `${lines.join('\n')}\n`);
}

/** Read every record line of a directory. */
export function readLines(dir: string): string[] {
  const file = recordsPath(dir);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
}

const keyOf = (line: string): string => (JSON.parse(line) as { key: string }).key;

/** Rewrite the records sorted by key (the canonical form). */
export function writeSorted(dir: string, lines: readonly string[]): void {
  const sorted = lines.map((l) => [keyOf(l), l] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, l]) => l);
  const tmp = `${recordsPath(dir)}.tmp`;
  writeFileSync(tmp, sorted.length ? `${sorted.join('\n')}\n` : '');
  renameSync(tmp, recordsPath(dir));
}

const KEY_PREFIX_BYTES = Buffer.byteLength('{"key":"');
const CHUNK = 1 << 20;

/**
 * Sort a records file by key, in bounded memory: one streaming pass builds an index of
 * (key, offset, length) (every line starts with {"key":"..." and keys hold no quotes), then the
 * lines are copied in key order with positioned reads. Memory grows with the number of records
 * (the index), not with their bytes.
 */
export function sortRecordsFile(dir: string): number {
  const file = recordsPath(dir);
  if (!existsSync(file)) return 0;
  const index: Array<{ key: string; start: number; length: number }> = [];
  let written = 0;
  const fd = openSync(file, 'r');
  const tmp = `${file}.tmp`;
  const out = openSync(tmp, 'w');
  try {
    const chunk = Buffer.alloc(CHUNK);
    let carry = Buffer.alloc(0), carryStart = 0, pos = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, pos);
      if (n === 0) break;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let lineStart = 0;
      for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, lineStart)) {
        if (nl > lineStart) {
          const k0 = lineStart + KEY_PREFIX_BYTES;
          index.push({ key: buf.toString('latin1', k0, buf.indexOf(34, k0)), start: carryStart + lineStart, length: nl - lineStart });
        }
        lineStart = nl + 1;
      }
      carry = Buffer.from(buf.subarray(lineStart));
      carryStart += lineStart;
      pos += n;
    }
    index.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let line = Buffer.alloc(64 * 1024);
    let last = '';
    written = 0;
    for (const e of index) {
      // A worker that wrote its batch just as its task timed out leaves a harness-error twin
      // written after it: the first (the real record) stays.
      if (e.key === last) continue;
      last = e.key;
      if (e.length + 1 > line.length) line = Buffer.alloc(2 * (e.length + 1));
      readSync(fd, line, 0, e.length, e.start);
      line[e.length] = 10;
      writeSync(out, line, 0, e.length + 1);
      written++;
    }
  } finally { closeSync(fd); closeSync(out); }
  renameSync(tmp, file);
  return written;
}

export { keyOf };
