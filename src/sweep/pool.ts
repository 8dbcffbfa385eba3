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
    for (const b of batches) o.onLines(b.map(runPlanned));
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
