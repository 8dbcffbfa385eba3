// Runs planned trials on a Piscina pool: fixed threads (min = max), many trials per task so
// pool overhead stays small, a bounded number of tasks in flight, and a timeout per task.
// A task whose worker throws, dies or overruns turns into harness-error records for its trials;
// Piscina replaces the worker and the sweep goes on. workers = 0 runs in-process.
import { Piscina } from 'piscina';
import type { PlannedTrial } from './experiment.js';
import { runPlanned, harnessLine } from './run-one.js';

export interface PoolOptions {
  workers: number;
  batchSize: number;
  taskTimeoutMs: number;
  /** Called with each batch's record lines as soon as it finishes (in completion order). */
  onLines(lines: string[]): void;
}

const WORKER = new URL('./worker.js', import.meta.url).href;

export async function runOnPool(trials: readonly PlannedTrial[], o: PoolOptions): Promise<void> {
  // Batch j takes every B-th trial from j: neighbouring trials share a workload, so striding
  // mixes cheap and costly workloads in every batch and balances the workers.
  const count = Math.ceil(trials.length / o.batchSize);
  const batches: PlannedTrial[][] = Array.from({ length: count }, (_, j) => trials.filter((_, i) => i % count === j));
  if (o.workers === 0) {
    for (const b of batches) o.onLines(b.map(runPlanned));
    return;
  }
  const pool = new Piscina({ filename: WORKER, minThreads: o.workers, maxThreads: o.workers, idleTimeout: 60_000 });
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = o.workers * 2;
  try {
    for (const b of batches) {
      const task = pool.run(b, { signal: AbortSignal.timeout(o.taskTimeoutMs) })
        .then((lines: string[]) => o.onLines(lines))
        .catch((e: Error) => o.onLines(b.map((t) => harnessLine(t, `worker failed: ${e.message}`))));
      const tracked = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await pool.destroy();
  }
}
