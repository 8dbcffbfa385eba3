// Piscina worker: runs a batch of planned trials and returns their record lines.
import type { PlannedTrial } from './experiment.js';
import { runPlanned } from './run-one.js';

export default function runBatch(batch: PlannedTrial[]): string[] {
  return batch.map(runPlanned);
}
