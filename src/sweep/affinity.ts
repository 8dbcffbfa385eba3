// Which worker runs which batch. A worker that runs a workload (driver x app) for
// the first time compiles its code paths (V8's optimising compiler: about a fifth of a cold
// worker's CPU on the fault-injection mix) and takes its fault-free profile; when every worker
// ran every workload, every worker paid that again. Here a workload stays with the worker that
// took it first, while the work is still dealt as each worker asks for more, so no worker idles
// while another has work queued. Measured with --trace-opt on 3960 fault-injection trials split in
// two halves: 1458 optimising compilations when the halves interleave batch by batch, 1070 when
// each half is a contiguous run of workloads. Which worker runs a trial never changes its record.
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
 * (of a workload it owns); the next batch of the stream if its workload is new (it now owns it)
 * or its own; batches of workloads other lanes own are queued for them on the way (up to
 * `maxQueued` per lane: beyond that the asking lane runs them itself). When the stream is done,
 * a lane with nothing queued takes the last batch queued for the lane with the most.
 */
export class AffinityDealer {
  private readonly queues: PlannedTrial[][][];
  private readonly stream: Iterator<PlannedTrial[]>;
  private done = false;

  /** `owners`: workload -> lane, shared by the dealers of sweeps that run on the same workers. */
  constructor(batches: Iterable<PlannedTrial[]>, readonly lanes: number, private readonly maxQueued = 64, private readonly owners = new Map<string, number>()) {
    this.stream = batches[Symbol.iterator]();
    this.queues = Array.from({ length: lanes }, () => []);
  }

  /** Batches waiting for `lane`. */
  queued(lane: number): number { return this.queues[lane].length; }

  next(lane: number): PlannedTrial[] | undefined {
    const mine = this.queues[lane];
    if (mine.length > 0) return mine.shift();
    while (!this.done) {
      const r = this.stream.next();
      if (r.done) { this.done = true; break; }
      const key = workloadOf(r.value[0]);
      const owner = this.owners.get(key);
      if (owner === undefined) { this.owners.set(key, lane); return r.value; }
      if (owner === lane || this.queues[owner].length >= this.maxQueued) return r.value;
      this.queues[owner].push(r.value);
    }
    let fullest = -1;
    for (let i = 0; i < this.lanes; i++) if (this.queues[i].length > 0 && (fullest < 0 || this.queues[i].length > this.queues[fullest].length)) fullest = i;
    return fullest < 0 ? undefined : this.queues[fullest].pop();
  }
}
