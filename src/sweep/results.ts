// A results directory: manifest.json (what ran, from which commit, with which command) and
// records.jsonl (one record per line, appended as batches finish). A killed sweep leaves at
// most a partial last line, which resume cuts off; at the end the lines are sorted by trial key,
// so any worker count, shard split or resume gives the same bytes.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, accessSync, constants, truncateSync, statSync, openSync, writeSync, closeSync, readSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Experiment, Scale } from './experiment.js';
import type { Provenance } from './provenance.js';
import type { Identity } from './identity.js';
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
  /** What determines the records (absent in runs made before identities were recorded). */
  identity?: Identity;
  provenance: Provenance;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'complete';
  resumedAt: string[];
  mergedFrom?: string[];
  /** Records copied from other runs of identical trials (sweep/reuse.ts): which run, how many. */
  reused?: Array<{ dir: string; records: number }>;
}

export const recordsPath = (dir: string) => join(dir, 'records.jsonl');
const manifestPath = (dir: string) => join(dir, 'manifest.json');

/** A temp name only this process uses: two writers never share (and delete) one temp file. */
export const tempName = (file: string): string => `${file}.${process.pid}.tmp`;

export function writeManifest(dir: string, m: Manifest): void {
  const tmp = tempName(manifestPath(dir));
  writeFileSync(tmp, `${JSON.stringify(m, null, 2)}\n`);
  renameSync(tmp, manifestPath(dir));
}

export function readManifest(dir: string): Manifest {
  if (!existsSync(manifestPath(dir))) throw new SpecError(`${dir} has no manifest.json: not a shadowbench results directory`);
  let m: Manifest;
  try { m = JSON.parse(readFileSync(manifestPath(dir), 'utf8')) as Manifest; } catch (e) {
    throw new SpecError(`${dir}/manifest.json is damaged (${(e as Error).message}); move the directory away or start afresh with another --out`);
  }
  if (typeof m !== 'object' || m === null || m.format !== FORMAT) throw new SpecError(`${dir}: unknown results format '${(m as Manifest | null)?.format}'`);
  if (typeof m.experiment?.id !== 'string' || typeof m.scale !== 'string' || !Number.isSafeInteger(m.trialsPerCell) || !Number.isSafeInteger(m.trialsPlanned)) {
    throw new SpecError(`${dir}/manifest.json is damaged (experiment, scale or trial counts missing)`);
  }
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
      // Shards of one sweep start at once on a cluster and create the same parents: one made
      // between our look and our mkdir is fine (found by the SLURM check: EEXIST for shard 1).
      if (!existsSync(p)) {
        try { mkdirSync(p); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
      }
    }
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new SpecError(`cannot write results to '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!statSync(dir).isDirectory()) throw new SpecError(`'${dir}' is not a directory`);
}

export function hasResults(dir: string): boolean { return existsSync(manifestPath(dir)) || existsSync(recordsPath(dir)); }

/** The key of a record line, or null when the line is not a record (not an object with a string key and a spec). */
export function recordKey(line: string): string | null {
  let v: unknown;
  try { v = JSON.parse(line); } catch { return null; }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const r = v as { key?: unknown; spec?: unknown };
  return typeof r.key === 'string' && typeof r.spec === 'object' && r.spec !== null && line.startsWith('{"key":') ? r.key : null;
}

export interface Recorded { keys: Set<string>; dropped: number; torn: boolean }

/**
 * Keys already recorded. A partial last line (the process was killed mid-write) is cut off;
 * lines that are not records of this run (`isPlanned` says no: foreign keys, duplicates, JSON
 * that is no record) are dropped, so the file ends up holding exactly planned records.
 */
export function recordedKeys(dir: string, isPlanned: (key: string) => boolean = () => true): Recorded {
  const keys = new Set<string>();
  const file = recordsPath(dir);
  if (!existsSync(file)) return { keys, dropped: 0, torn: false };
  const text = readFileSync(file, 'utf8');
  const kept: string[] = [];
  let dropped = 0, torn = false;
  for (let start = 0; start < text.length;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) { torn = true; break; }
    const line = text.slice(start, nl);
    const key = line.length ? recordKey(line) : null;
    if (key !== null && isPlanned(key) && !keys.has(key)) { keys.add(key); kept.push(line); } else if (line.length) dropped++;
    start = nl + 1;
  }
  if (dropped) {
    const tmp = tempName(file);
    writeFileSync(tmp, kept.length ? `${kept.join('\n')}\n` : '');
    renameSync(tmp, file);
  } else if (torn) {
    truncateSync(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
  }
  return { keys, dropped, torn };
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
  const tmp = tempName(recordsPath(dir));
  writeFileSync(tmp, sorted.length ? `${sorted.join('\n')}\n` : '');
  renameSync(tmp, recordsPath(dir));
}

const KEY_PREFIX_BYTES = Buffer.byteLength('{"key":"');
const CHUNK = 1 << 20;

interface Line { key: string; start: number; length: number }

/** Index the complete lines of `buf` (file bytes from offset `base`); returns the bytes consumed. */
function indexLines(buf: Buffer, base: number, index: Line[]): number {
  let lineStart = 0;
  for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, lineStart)) {
    if (nl > lineStart) {
      const k0 = lineStart + KEY_PREFIX_BYTES;
      index.push({ key: buf.toString('latin1', k0, buf.indexOf(34, k0)), start: base + lineStart, length: nl - lineStart });
    }
    lineStart = nl + 1;
  }
  return lineStart;
}

/** Index a file read a chunk at a time (a partial line is carried to the front of the buffer). */
function streamIndex(fd: number): Line[] {
  const index: Line[] = [];
  let buf = Buffer.alloc(CHUNK), have = 0, base = 0;
  for (;;) {
    if (have === buf.length) { const bigger = Buffer.alloc(2 * buf.length); buf.copy(bigger, 0, 0, have); buf = bigger; } // a line longer than the buffer
    const n = readSync(fd, buf, have, buf.length - have, base + have);
    if (n === 0) return index;
    have += n;
    const used = indexLines(buf.subarray(0, have), base, index);
    buf.copy(buf, 0, used, have);
    have -= used; base += used;
  }
}

/**
 * Sort a records file by key (every line starts with {"key":"..." and keys hold no quotes): index
 * (key, offset, length) a chunk at a time, sort the index, fetch the lines by position in key order
 * and write them through a 1 MiB buffer. Memory grows with the number of records, not with their
 * bytes. (It wrote one line per system call before: 100-136 ms for the 14 MB of a 3960-trial
 * sweep, now 55-67 ms; reading the file whole was slower still, 114-132 ms, on this machine's slow
 * memory.) A trailing partial line is dropped.
 */
export function sortRecordsFile(dir: string): number {
  const file = recordsPath(dir);
  if (!existsSync(file)) return 0;
  let written = 0;
  const fd = openSync(file, 'r');
  const tmp = tempName(file);
  const out = openSync(tmp, 'w');
  try {
    const lines = streamIndex(fd);
    lines.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let pending = Buffer.alloc(CHUNK), used = 0;
    const flush = () => { for (let off = 0; off < used;) off += writeSync(out, pending, off, used - off); used = 0; };
    let last = '';
    for (const e of lines) {
      // A worker that wrote its batch just as its task timed out leaves a harness-error twin
      // written after it: the first (the real record) stays (the sort is stable).
      if (e.key === last) continue;
      last = e.key;
      if (used + e.length + 1 > pending.length) flush();
      if (e.length + 1 > pending.length) pending = Buffer.alloc(2 * (e.length + 1));
      readSync(fd, pending, used, e.length, e.start);
      pending[used + e.length] = 10;
      used += e.length + 1;
      written++;
    }
    flush();
  } finally { closeSync(fd); closeSync(out); }
  renameSync(tmp, file);
  return written;
}

export { keyOf };
