// Piscina worker: runs a batch of planned trials and appends their record lines to the results
// file itself (one O_APPEND write per batch, so batches from several workers never interleave
// within a line), returning only how many it wrote: the main thread moves no record bytes, so
// its memory does not grow with the length of a sweep.
import { appendFileSync } from 'node:fs';
import type { PlannedTrial } from './experiment.js';
import { runPlanned } from './run-one.js';

export interface BatchTask { batch: PlannedTrial[]; file: string }

export default function runBatch({ batch, file }: BatchTask): number {
  if (batch.length === 0) return 0; // the probe that says this worker has loaded (WorkerLanes)
  const lines = batch.map(runPlanned);
  appendFileSync(file, `${lines.join('\n')}\n`);
  return lines.length;
}
