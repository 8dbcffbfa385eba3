// Which worker runs which batch. A worker that runs code for the first time compiles it (V8's
// optimising compiler: about a fifth of a cold worker's CPU on the fault-injection mix), and V8
// cannot share compiled code between workers, so every worker that runs a driver class's code
// compiles it again: the class core, its shadow, its stack or file system, its device models. So
// a driver class stays with the worker that took it first (within it, batches of one workload
// each), while the work is still dealt as each worker asks for more: no worker idles while another
// has work queued, and at the end an idle worker takes over queued batches. Measured with
// --trace-opt and /usr/bin/time on the default fault-injection sweep (13,200 trials, 2 workers):
// keeping workloads (driver x app) on a worker, each worker still ran all three classes: 1888-1916
// optimising compilations, 4.0-4.1 s of them, 34.5-34.9 s CPU; keeping classes: 1538-1587,
// 3.2 s, 29.7-30.6 s CPU (1 worker: ~1380 compilations). Which worker runs a trial never changes
// its record.
import { DRIVERS } from '../registry.js';
import type { PlannedTrial } from './experiment.js';

/**
 * Batches from a stream of trials: take a window of `batchSize x stride` trials and deal them
 * out round-robin, so each batch mixes neighbours of different cost (costly workloads come in
 * runs) while only one window is held at a time.
 */
export function* stridedBatches(trials: Iterable<PlannedTrial>, batchSize: number, stride = 8): Generator<PlannedTrial[]> {
  let window: PlannedTrial[] = [];
  const flush = function* (): Generator<PlannedTrial[]> {
    const count = Math.ceil(window.length / batchSize);
    for (let j = 0; j < count; j++) yield window.filter((_, i) => i % count === j);
    window = [];
  };
  for (const t of trials) { window.push(t); if (window.length === batchSize * stride) yield* flush(); }
  if (window.length) yield* flush();
}

/** The workload of a trial: the driver and app, which decide what code it runs (parameter sets
 *  change amounts and timings, not code, and keeping them together keeps their profiles on one
 *  worker too). */
export const workloadOf = (t: PlannedTrial): string => `${t.spec.driver}|${t.spec.app}`;

const CLASS_OF = new Map(DRIVERS.map((d) => [d.id, d.cls]));
/** What a worker keeps: the driver class of the trial (network, sound, block). */
export const groupOf = (t: PlannedTrial): string => CLASS_OF.get(t.spec.driver) ?? t.spec.driver;

/** Batches of one workload each: the stream cut where the workload changes, each run of one
 *  workload dealt as `stridedBatches` deals (neighbours of different cost mixed). */
export function* workloadBatches(trials: Iterable<PlannedTrial>, batchSize: number): Generator<PlannedTrial[]> {
  let run: PlannedTrial[] = [];
  let key: string | null = null;
  for (const t of trials) {
    const k = workloadOf(t);
    if (k !== key && run.length > 0) { yield* stridedBatches(run, batchSize); run = []; }
    key = k;
    run.push(t);
    // A long run is dealt a window at a time, so memory stays bounded.
    if (run.length === batchSize * 8) { yield* stridedBatches(run, batchSize); run = []; }
  }
  if (run.length > 0) yield* stridedBatches(run, batchSize);
}

/**
 * Deals batches to `lanes` workers. A lane asking for work gets, in order: a batch queued for it
 * (of a class it owns); the next batch of the stream if its class is new (the lane now owns it)
 * or its own; batches of classes other lanes own are queued for them on the way, so a lane reads
 * ahead to the first class nobody owns (up to `maxQueuedTrials` queued per lane: beyond that the
 * asking lane runs them itself). When the stream is done, a lane with nothing queued takes the
 * last batch queued for the lane with the most. With more lanes than classes, the lanes left
 * without a class read the stream to its end (within the bound) and work from those queues' tails.
 */
export class AffinityDealer {
  private readonly queues: PlannedTrial[][][];
  private readonly queuedTrials: number[];
  private readonly stream: Iterator<PlannedTrial[]>;
  private done = false;

  /** `owners`: class -> lane, shared by the dealers of sweeps that run on the same workers.
   *  `maxQueuedTrials`: a planned trial takes ~270 bytes, so the default bound is ~17 MB per lane,
   *  more than the longest run of one class in any experiment's paper-scale plan (19,200). */
  constructor(batches: Iterable<PlannedTrial[]>, readonly lanes: number, private readonly maxQueuedTrials = 65_536, private readonly owners = new Map<string, number>()) {
    this.stream = batches[Symbol.iterator]();
    this.queues = Array.from({ length: lanes }, () => []);
    this.queuedTrials = Array.from({ length: lanes }, () => 0);
  }

  /** Trials waiting for `lane`. */
  queued(lane: number): number { return this.queuedTrials[lane]; }

  next(lane: number): PlannedTrial[] | undefined {
    if (this.queues[lane].length > 0) return this.take(lane, 'first');
    while (!this.done) {
      const r = this.stream.next();
      if (r.done) { this.done = true; break; }
      const key = groupOf(r.value[0]);
      const owner = this.owners.get(key);
      if (owner === undefined) { this.owners.set(key, lane); return r.value; }
      if (owner === lane || this.queuedTrials[owner] + r.value.length > this.maxQueuedTrials) return r.value;
      this.queues[owner].push(r.value);
      this.queuedTrials[owner] += r.value.length;
    }
    let fullest = -1;
    for (let i = 0; i < this.lanes; i++) if (this.queuedTrials[i] > 0 && (fullest < 0 || this.queuedTrials[i] > this.queuedTrials[fullest])) fullest = i;
    return fullest < 0 ? undefined : this.take(fullest, 'last');
  }

  private take(lane: number, end: 'first' | 'last'): PlannedTrial[] {
    const b = end === 'first' ? this.queues[lane].shift()! : this.queues[lane].pop()!;
    this.queuedTrials[lane] -= b.length;
    return b;
  }
}
