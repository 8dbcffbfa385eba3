// Which worker runs which batch. A worker that runs code for the first time compiles it (V8's
// optimising compiler: about a fifth of a cold worker's CPU on the fault-injection mix), and V8
// cannot share compiled code between workers, so every worker that runs a driver class's code
// compiles it again: the class core, its shadow, its stack or file system, its device models. So
// a driver class stays with the worker that took it first (within it, batches of one workload
// each), while the work is still dealt as each worker asks for more: no worker idles while another
// has work queued, and at the end an idle worker takes over queued batches. Measured on the
// default fault-injection sweep (13,200 trials, `--trace-opt`, /usr/bin/time, 4 interleaved
// rounds): keeping only workloads (driver x app) on a worker, each of 2 workers still met all three
// classes: 1824-1858 optimising compilations, 29.1-30.8 s CPU; keeping classes: 1553-1595,
// 27.5-29.7 s; 1 worker 1216-1456, 26.3-28.6 s. Which worker runs a trial never changes its record.
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

/** What a set of workers keeps across the sweeps it runs (reproduce runs every experiment on
 *  one set): which lane owns each class, and which classes each lane has run code of. */
export class Affinity {
  /** Driver class -> the lane that ran it first. */
  readonly owners = new Map<string, number>();
  /** Per lane: the classes it ran, its own and those it took over at the end of a sweep. */
  readonly ran: Set<string>[];
  constructor(readonly lanes: number) { this.ran = Array.from({ length: lanes }, () => new Set<string>()); }
}

/**
 * Deals batches to `lanes` workers. A lane asking for work gets, in order: a batch queued for it
 * (of a class it owns); the next batch of the stream if its class is new (the lane now owns it)
 * or its own; batches of classes other lanes own are queued for them on the way, so a lane reads
 * ahead to the first class nobody owns (up to `maxQueuedTrials` queued per lane: beyond that the
 * asking lane runs them itself). When the stream is done, a lane with nothing queued takes over
 * the last queued batch (the one its owner would reach last) of the fullest queue, preferring a
 * class it has run before. With more lanes than classes, the lanes left without a class read the
 * stream to its end (within the bound) and work from those queues' tails.
 */
export class AffinityDealer {
  private readonly queues: PlannedTrial[][][];
  private readonly queuedTrials: number[];
  private readonly stream: Iterator<PlannedTrial[]>;
  private done = false;

  /** `maxQueuedTrials`: a planned trial takes ~270 bytes, so the default bound is ~17 MB per lane;
   *  a lane may have several classes queued, and the largest plan of any experiment at paper scale
   *  (fault-injection, 52,800 trials, ~14 MB) fits under it whole. `memory`: shared by the dealers
   *  of the sweeps that run on the same workers. */
  constructor(batches: Iterable<PlannedTrial[]>, readonly lanes: number, private readonly maxQueuedTrials = 65_536, readonly memory = new Affinity(lanes)) {
    if (memory.lanes !== lanes) throw new Error(`AffinityDealer: ${lanes} lanes, memory of ${memory.lanes}`);
    this.stream = batches[Symbol.iterator]();
    this.queues = Array.from({ length: lanes }, () => []);
    this.queuedTrials = Array.from({ length: lanes }, () => 0);
  }

  /** Trials waiting for `lane`. */
  queued(lane: number): number { return this.queuedTrials[lane]; }

  next(lane: number): PlannedTrial[] | undefined {
    const b = this.pick(lane);
    if (b) this.memory.ran[lane].add(groupOf(b[0]));
    return b;
  }

  private pick(lane: number): PlannedTrial[] | undefined {
    if (this.queues[lane].length > 0) return this.take(lane, 'first');
    const { owners } = this.memory;
    while (!this.done) {
      const r = this.stream.next();
      if (r.done) { this.done = true; break; }
      const key = groupOf(r.value[0]);
      const owner = owners.get(key);
      if (owner === undefined) { owners.set(key, lane); return r.value; }
      if (owner === lane || this.queuedTrials[owner] + r.value.length > this.maxQueuedTrials) return r.value;
      this.queues[owner].push(r.value);
      this.queuedTrials[owner] += r.value.length;
    }
    const ran = this.memory.ran[lane];
    let best = -1, bestKnown = false;
    for (let i = 0; i < this.lanes; i++) {
      const q = this.queues[i];
      if (q.length === 0) continue;
      const known = ran.has(groupOf(q[q.length - 1][0]));
      if (best < 0 || (known && !bestKnown) || (known === bestKnown && this.queuedTrials[i] > this.queuedTrials[best])) { best = i; bestKnown = known; }
    }
    return best < 0 ? undefined : this.take(best, 'last');
  }

  private take(lane: number, end: 'first' | 'last'): PlannedTrial[] {
    const b = end === 'first' ? this.queues[lane].shift()! : this.queues[lane].pop()!;
    this.queuedTrials[lane] -= b.length;
    return b;
  }
}
