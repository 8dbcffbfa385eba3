// Runs planned trials on a Piscina pool: fixed threads (min = max), many trials per task so
// pool overhead stays small, a bounded number of tasks in flight, and a timeout per task.
// Workers append their batches' records to the file themselves and report counts. A task whose
// worker throws, dies or overruns turns into harness-error records for its trials (written
// here); Piscina replaces the worker and the sweep goes on. workers = 0 runs in-process.
import { Piscina } from 'piscina';
import type { PlannedTrial } from './experiment.js';
import { runPlanned, harnessLine } from './run-one.js';
import type { BatchTask } from './worker.js';

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
}

const WORKER = new URL('./worker.js', import.meta.url).href;
const WORKER_OLD_SPACE_MB = 48, WORKER_YOUNG_SPACE_MB = 8;

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

export async function runOnPool(trials: Iterable<PlannedTrial>, o: PoolOptions): Promise<void> {
  const batches = stridedBatches(trials, o.batchSize);
  if (o.workers === 0) {
    for (const b of batches) { const lines = b.map(runPlanned); o.append(lines); o.onRecords(lines.length); }
    return;
  }
  // A trial lives in a few MB of heap (measured: ~7 MB after GC, flat over thousands of trials);
  // without a limit V8 keeps growing each worker's heap during long sweeps, so peak memory would
  // grow with the sweep's length. The limit keeps it flat and leaves ample headroom.
  const pool = new Piscina({
    filename: WORKER, minThreads: o.workers, maxThreads: o.workers, idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_SPACE_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_SPACE_MB },
  });
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = o.workers * 2;
  try {
    for (const b of batches) {
      const task = pool.run({ batch: b, file: o.file } satisfies BatchTask, { signal: AbortSignal.timeout(o.taskTimeoutMs) })
        .then((count: number) => o.onRecords(count))
        .catch((e: Error) => { const lines = b.map((t) => harnessLine(t, `worker failed: ${e.message}`)); o.append(lines); o.onRecords(lines.length); });
      const tracked = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await pool.destroy();
  }
}
