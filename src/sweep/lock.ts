// One writer per results directory: `<dir>/.lock` holds the writer's pid, host and command.
// It is created exclusively (O_EXCL), so of two sweeps started together exactly one wins; a
// lock whose holder is gone (its pid no longer runs on this host) is stale and taken over.
import { openSync, writeSync, closeSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SpecError } from '../trial/spec-error.js';

interface Holder { pid: number; host: string; command: string; since: string }

export const lockPath = (dir: string): string => join(dir, '.lock');

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

function readHolder(file: string): Holder | null {
  try { return JSON.parse(readFileSync(file, 'utf8')) as Holder; } catch { return null; }
}

/** Take the lock on `dir` or explain who holds it; returns the release function. */
export function acquireLock(dir: string): () => void {
  const file = lockPath(dir);
  const me: Holder = { pid: process.pid, host: hostname(), command: ['shadowbench', ...process.argv.slice(2)].join(' '), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try { writeSync(fd, `${JSON.stringify(me)}\n`); } finally { closeSync(fd); }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const h = readHolder(file);
    // A lock being written this instant reads as empty: give the writer a moment.
    if (h === null && attempt === 0) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); continue; }
    const stale = h === null || (h.host === me.host && !alive(h.pid));
    if (!stale) {
      throw new SpecError(`'${dir}' is in use by pid ${h.pid} on ${h.host} (${h.command}, since ${h.since}); wait for it, or write elsewhere with --out`);
    }
    rmSync(file, { force: true });
  }
  throw new SpecError(`could not lock '${dir}' (${existsSync(file) ? 'another process keeps taking it' : 'unknown reason'})`);
}
