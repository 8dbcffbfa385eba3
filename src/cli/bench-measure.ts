// Measuring helpers of `bench`: CPU time with the garbage collector's share of it, a spread
// sample of an experiment's trials, and the projection of a whole scale from measured rates.
import { PerformanceObserver } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { Experiment, PlannedTrial, Scale, countTrials, iterateTrials, listExperiments, loadExperiment } from '../sweep/experiment.js';
import { specKey } from '../sweep/reuse.js';
import { runOnPool, WorkerLanes, SWEEP_BATCH } from '../sweep/pool.js';

export function cpuMs(): number { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
/** The middle value; for an even count the mean of the two middle ones (not the upper one, which
 *  would report the better of two rounds). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Measured<T> {
  value: T; cpuMs: number; wallMs: number; gcMs: number;
  /** GC pauses over wall time: the collector's share of the CPU when this thread is the only
   *  one working (--single-threaded). Pauses are wall time: on a loaded machine they include
   *  waits for a core, as the wall time does, so the ratio holds where gcMs / cpuMs would not. */
  gcShare: number;
}

/** Run `fn`, returning its CPU and wall time and the time spent in GC pauses meanwhile. GC
 *  entries are delivered asynchronously, hence the wait before the observer is read. Without
 *  --single-threaded, concurrent marking on helper threads is in the CPU time but not in the
 *  pauses, and the share reads low. */
export async function withGc<T>(fn: () => T): Promise<Measured<T>> {
  let gcMs = 0;
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; });
  obs.observe({ entryTypes: ['gc'] });
  const c0 = cpuMs(), w0 = performance.now();
  const value = fn();
  const cpu = cpuMs() - c0, wall = performance.now() - w0;
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 10));
  obs.disconnect();
  return { value, cpuMs: cpu, wallMs: wall, gcMs, gcShare: wall > 0 ? gcMs / wall : 0 };
}

/** A step through `total` trials that is coprime with the loop lengths of the plan's inner
 *  loops (strategies, seeds, persistences: all below 11), so a sample of every step-th trial
 *  visits every strategy and persistence rather than the same one each time. */
export function sampleStep(total: number, samples: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let step = Math.max(1, Math.floor(total / Math.max(1, samples)));
  while (step > 1 && gcd(step, 2 * 3 * 5 * 7) !== 1) step++;
  return step;
}

/** About `samples` trials spread over the whole plan of an experiment at a scale. */
export function spreadSample(e: Experiment, scale: Scale, samples: number): PlannedTrial[] {
  const total = countTrials(e, e.trialsPerCell[scale]);
  const step = sampleStep(total, samples);
  const out: PlannedTrial[] = [];
  let i = 0;
  for (const t of iterateTrials(e, e.trialsPerCell[scale])) { if (i % step === 0) out.push(t); i++; }
  return out;
}

/** Trials of every experiment at a scale, and how many of them `reproduce` runs: a trial whose
 *  spec an earlier experiment (in reproduce's order) already ran is copied (sweep/reuse.ts). */
export function trialsAtScale(scale: Scale): Array<{ id: string; trials: number; toRun: number }> {
  const seen = new Set<string>();
  return listExperiments().map((id) => {
    const e = loadExperiment(id);
    let toRun = 0;
    const mine: string[] = [];
    for (const t of iterateTrials(e, e.trialsPerCell[scale])) { const k = specKey(t); if (!seen.has(k)) { toRun++; mine.push(k); } }
    for (const k of mine) seen.add(k);
    return { id, trials: countTrials(e, e.trialsPerCell[scale]), toRun };
  });
}

export interface Projection { cpuSeconds: number; wallSeconds: number }

/** Wall time of a set of sweeps from their CPU per trial: the CPU spread over `workers` cores
 *  at the measured parallel efficiency, plus the pool's measured overhead over in-process runs. */
export function project(parts: ReadonlyArray<{ trials: number; cpuMsPerTrial: number }>, workers: number, efficiency: number, poolOverhead: number): Projection {
  const cpuSeconds = parts.reduce((s, p) => s + (p.trials * p.cpuMsPerTrial) / 1000, 0);
  return { cpuSeconds, wallSeconds: (cpuSeconds * (1 + poolOverhead)) / (workers * efficiency) };
}

/** Optimising compilations and their milliseconds from V8's --trace-opt lines. */
export function compilationsIn(traceOpt: string): { compilations: number; compileMs: number } {
  let compilations = 0, compileMs = 0;
  for (const m of traceOpt.matchAll(/completed (?:compiling|optimizing).*? took ([\d.]+), ([\d.]+), ([\d.]+) ms/g)) {
    compilations++; compileMs += Number(m[1]) + Number(m[2]) + Number(m[3]);
  }
  return { compilations, compileMs };
}

/** The phases of a sweep process from its report (SHADOWBENCH_REPORT_RSS) and its wall seconds: the start
 *  (node, modules, hashing, git, planning) until the first batch is dealt, the trials until the last
 *  record comes, and the end (sort, manifest, workers ended, exit); seconds. */
export function phasesIn(stdout: string, wallSeconds: number): { startS: number; trialsS: number; endS: number } {
  const m = /trialsFromMs=(\d+) trialsToMs=(\d+)/.exec(stdout);
  if (!m) throw new Error('the sweep did not report its phases');
  const from = Number(m[1]) / 1000, to = Number(m[2]) / 1000;
  return { startS: from, trialsS: to - from, endS: Math.max(0, wallSeconds - to) };
}

/** A fixed memory-bound loop (read-modify-write at pseudo-random places in 8 MiB, about the
 *  working set of a worker: its young generation, slab pool and machine memory) on `threads`
 *  worker threads at once, each doing the same work, in a fresh process; wall seconds. Run in
 *  the same rounds as the sweeps, 1 thread against 2 gives the parallel efficiency this machine
 *  itself allows at that moment (shared cache and memory, other tenants), beside the sweeps'. */
export function machineLoop(threads: number, rounds = 40): number {
  const work = `
    const a = new Uint32Array(1 << 21); let x = 1, s = 0;
    for (let r = 0; r < ${rounds}; r++) for (let i = 0; i < a.length; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      const j = x & (a.length - 1); a[j] = (a[j] + i) | 0; s = (s + a[i]) | 0;
    }
    require('node:worker_threads').parentPort?.postMessage(s);`;
  const script = `
    const { Worker } = require('node:worker_threads');
    const t0 = performance.now(); let left = ${threads};
    for (let i = 0; i < ${threads}; i++) new Worker(${JSON.stringify(work)}, { eval: true }).on('message', () => { if (--left === 0) console.log(performance.now() - t0); });`;
  const r = spawnSync(process.execPath, ['--single-threaded', '-e', script], { encoding: 'utf8' });
  const ms = Number(r.stdout.trim());
  if (!Number.isFinite(ms)) throw new Error(`machine loop failed: ${r.stderr.slice(-300)}`);
  return ms / 1000;
}

/** Wall seconds of one pass of `trials` on `lanes` (records to `file`, a scratch file). On lanes
 *  that already ran the same workloads (as in `reproduce`, where one set of workers runs every
 *  sweep) the pass has no process start or end, no module load and no JIT warm-up in it: what is
 *  left is the trials and how the workers share the machine. */
export async function poolPass(lanes: WorkerLanes, trials: Iterable<PlannedTrial>, file: string): Promise<number> {
  const t0 = performance.now();
  await runOnPool(trials, { workers: lanes.count, batchSize: SWEEP_BATCH, taskTimeoutMs: 10 * 60_000, file, append() {}, onRecords() {}, lanes });
  return (performance.now() - t0) / 1000;
}
