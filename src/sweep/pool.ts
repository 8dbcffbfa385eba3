// Runs planned trials on Piscina: one single-thread pool per worker, many trials per task so
// pool overhead stays small, one task in flight per worker, and a timeout per task; a driver
// class stays with one worker (sweep/affinity.ts), across sweeps too when they share the workers.
// Workers append their batches' records to the file themselves and report counts. A batch whose
// worker throws, dies, overruns its time or its heap is re-run one trial per task, so only the
// culprit becomes a harness-error record (written here) and the records do not depend on the
// batch size; Piscina replaces the worker and the sweep goes on. workers = 0 runs in-process,
// where nothing can stop a trial from outside: only the event budget (maxEventsPerTrial) and the
// parameter ranges guard it, and a trial that exhausts the heap ends the process.
import { Piscina } from 'piscina';
import type { PlannedTrial } from './experiment.js';
import { runPlanned, harnessLine } from './run-one.js';
import type { BatchTask } from './worker.js';
import { Affinity, AffinityDealer, stridedBatches, workloadBatches } from './affinity.js';
import { setMaxListeners } from 'node:events';

export interface PoolOptions {
  workers: number;
  batchSize: number;
  taskTimeoutMs: number;
  /** The records file the batches are appended to. */
  file: string;
  /** Append lines the main thread wrote (in-process runs, harness errors). */
  append(lines: string[]): void;
  /** Called with how many records a batch wrote, as soon as it finishes (in completion order). */
  onRecords(count: number): void;
  /** Stop dispatching, end the workers and return (Ctrl-C): in-flight batches are dropped, not recorded. */
  signal?: AbortSignal;
  /** The worker threads (their count must be `workers`; none for in-process runs). The caller
   *  starts and ends them: a sweep its own, early, so they load while it plans (cli/sweep.ts);
   *  reproduce one set for every sweep. */
  lanes?: WorkerLanes;
}

/** Why a task failed, in words that do not depend on the batch it ran in. */
export function failureReason(e: Error, timeoutMs: number): string {
  if (e.name === 'AbortError' || /aborted|timeout/i.test(e.message)) return `trial exceeded the task timeout of ${timeoutMs / 1000} s`;
  if (/memory|heap/i.test(e.message)) return `worker exhausted its heap (${WORKER_OLD_SPACE_MB} MB old space): ${e.message}`;
  return `worker failed: ${e.message}`;
}

/** Trials per pool task unless a sweep says otherwise (--batch): large enough that the pool's
 *  per-task cost stays small, small enough that the last batches finish together. */
export const SWEEP_BATCH = 16;

const WORKER = new URL('./worker.js', import.meta.url).href;
const WORKER_OLD_SPACE_MB = 48, WORKER_YOUNG_SPACE_MB = 32;

export async function runOnPool(trials: Iterable<PlannedTrial>, o: PoolOptions): Promise<void> {
  if (o.workers === 0) {
    for (const b of stridedBatches(trials, o.batchSize)) {
      if (o.signal?.aborted) return;
      const lines = b.map(runPlanned); o.append(lines); o.onRecords(lines.length);
      await new Promise((r) => setImmediate(r)); // let a Ctrl-C in
    }
    return;
  }
  if (o.lanes?.count !== o.workers) throw new Error(`runOnPool: ${o.workers} workers asked for, ${o.lanes?.count ?? 'none'} given`);
  const shared = o.lanes;
  const { pools: lanes, affinity } = shared;
  const dealer = new AffinityDealer(workloadBatches(trials, o.batchSize), o.workers, undefined, affinity);
  const stop = new AbortController();
  // Every task's signal combines its timeout with this one (AbortSignal.any listens to it until
  // the combined signal is collected), so more than 10 listeners is normal here, not a leak.
  setMaxListeners(0, stop.signal);
  const stopped = aborted(stop.signal);
  const onAbort = () => stop.abort();
  o.signal?.addEventListener('abort', onAbort);
  const run = (lane: number, b: PlannedTrial[]): Promise<void> =>
    lanes[lane].run({ batch: b, file: o.file } satisfies BatchTask, { signal: anySignal([AbortSignal.timeout(o.taskTimeoutMs), stop.signal]) })
      .then((count: number) => o.onRecords(count))
      .catch(async (e: Error) => {
        if (stop.signal.aborted) return;
        // A batch failed: re-run its trials one per task, so a healthy trial never shares the
        // fate of the one that ran away (and its record is the one --batch 1 would give).
        // One after another: a task's timeout runs from when it is submitted, so a trial queued
        // behind the runaway would time out with it.
        if (b.length > 1) { for (const t of b) await run(lane, [t]); return; }
        o.append([harnessLine(b[0], failureReason(e, o.taskTimeoutMs))]); o.onRecords(1);
      });
  // One task in flight per worker, so a task starts when it is submitted and its timeout measures
  // its own run, never a wait behind another batch (the worker idles for one message's round trip
  // between batches).
  const feed = async (lane: number): Promise<void> => {
    for (let b = dealer.next(lane); b !== undefined && !stop.signal.aborted; b = dealer.next(lane)) await run(lane, b);
  };
  try {
    await Promise.race([Promise.all(lanes.map((_, i) => feed(i))), stopped]);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    // Stopped (Ctrl-C): end the workers, shared or not, before the caller releases its lock and
    // says the run is resumable, so no batch is appended after that; the sweeps are over anyway.
    if (stop.signal.aborted) await shared.destroy();
  }
}

/**
 * The worker threads of sweeps: one single-thread Piscina pool per worker (a lane), so the dealer
 * decides which worker runs a batch, and which lane first ran each driver class (its owner). A set
 * kept for several sweeps in a row (reproduce runs every experiment on one) spares each sweep
 * the start of its workers and the compilation of the code they share (a cold worker spends
 * about a fifth of its CPU in V8's optimising compiler), and sends a class's batches to the worker
 * that owns it (at a sweep's end an idle worker takes over the last ones, of a class it ran before
 * if it can). What a worker keeps between trials is the memoised fault-free profile of a
 * workload, a pure function of driver, app and parameters (trial/profile.ts), so which sweeps a
 * worker ran before never changes a record.
 */
export class WorkerLanes {
  readonly pools: Piscina[];
  /** Which lane owns each driver class and which classes each lane ran, over every sweep on these lanes. */
  readonly affinity: Affinity;
  constructor(readonly count: number) {
    this.affinity = new Affinity(count);
    // A trial lives in a few MB of heap (measured: ~7 MB after GC, flat over thousands of trials);
    // without a limit V8 keeps growing each worker's heap during long sweeps, so peak memory would
    // grow with the sweep's length. The limit keeps it flat and leaves ample headroom.
    this.pools = Array.from({ length: count }, () => new Piscina({
      filename: WORKER, minThreads: 1, maxThreads: 1, idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_SPACE_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_SPACE_MB },
    }));
  }
  private destroyed: Promise<void> | null = null;
  /** End every worker (once; later calls wait for the same end). */
  destroy(): Promise<void> { return (this.destroyed ??= this.loadedAll().then(() => Promise.all(this.pools.map((p) => p.destroy()))).then(() => undefined)); }

  /**
   * Settles when every worker has loaded the simulator: an empty batch, answered once the worker's
   * modules are in (a worker Piscina started to replace one that failed or was stopped loads too).
   * Ending a worker while Node 20 still loads its ES modules aborts the whole process ("FATAL ERROR:
   * v8::Module::IsGraphAsync must be used on an instantiated module", a native stack trace, no exit
   * code): CI saw it when a sweep refused bad input just after starting its workers. Capped at 10 s,
   * so a worker that never answers cannot hold the end forever.
   */
  private loadedAll(): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise((r) => { timer = setTimeout(r, 10_000); });
    return Promise.race([Promise.allSettled(this.pools.map((p) => p.run({ batch: [], file: '' } satisfies BatchTask))), cap]).finally(() => clearTimeout(timer));
  }
}

const aborted = (s: AbortSignal): Promise<void> => new Promise((r) => (s.aborted ? r() : s.addEventListener('abort', () => r(), { once: true })));
// AbortSignal.any is in Node 20.3+, newer than the @types/node this builds against.
const anySignal = (signals: AbortSignal[]): AbortSignal => (AbortSignal as unknown as { any(s: AbortSignal[]): AbortSignal }).any(signals);
