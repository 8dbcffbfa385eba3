// Dealing batches to workers: every trial exactly once, a workload kept on one worker while
// the work is still shared out as workers ask, and the queues bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadExperiment, planTrials, PlannedTrial } from '../src/sweep/experiment.js';
import { AffinityDealer, stridedBatches, workloadBatches, workloadOf } from '../src/sweep/affinity.js';

const plan = planTrials(loadExperiment('fault-injection'), 3);

/** Two workers asking in turn, as two equally fast workers would; what each ran, in order. */
function deal(dealer: { next(lane: number): PlannedTrial[] | undefined }, lanes: number, order: (step: number) => number = (s) => s % lanes): PlannedTrial[][][] {
  const ran: PlannedTrial[][][] = Array.from({ length: lanes }, () => []);
  const finished = new Set<number>();
  for (let step = 0; finished.size < lanes; step++) {
    const lane = order(step);
    if (finished.has(lane)) continue;
    const b = dealer.next(lane);
    if (b === undefined) finished.add(lane); else ran[lane].push(b);
  }
  return ran;
}

const keys = (ran: PlannedTrial[][][]) => ran.flat(2).map((t) => t.key).sort();
const workloads = (batches: PlannedTrial[][]) => new Set(batches.flat().map(workloadOf));

test('workloadBatches: every trial once, each batch of one workload and at most batchSize', () => {
  const batches = [...workloadBatches(plan, 16)];
  assert.deepEqual(batches.flat().map((t) => t.key).sort(), plan.map((t) => t.key).sort());
  for (const b of batches) {
    assert.ok(b.length >= 1 && b.length <= 16);
    assert.equal(workloads([b]).size, 1);
  }
});

test('two workers asking in turn: every trial once, and each runs about half of the workloads', () => {
  const all = workloads([plan]).size;
  const ran = deal(new AffinityDealer(workloadBatches(plan, 16), 2), 2);
  assert.deepEqual(keys(ran), plan.map((t) => t.key).sort());
  const [a, b] = ran.map(workloads);
  assert.ok(a.size + b.size <= all + 2, `workloads per worker ${a.size} + ${b.size}, of ${all}`);
  assert.ok(Math.abs(ran[0].flat().length - ran[1].flat().length) <= 32, 'the trials are shared about evenly');
  // Dealt in turn without affinity, as before, each worker ran nearly every workload.
  const batches = [...stridedBatches(plan, 16)];
  const plain = [batches.filter((_, i) => i % 2 === 0), batches.filter((_, i) => i % 2 === 1)].map(workloads);
  assert.ok(plain[0].size + plain[1].size > all * 1.5, `without affinity: ${plain[0].size} + ${plain[1].size} of ${all}`);
});

test('a worker that stops asking leaves nothing behind, and queues stay bounded', () => {
  // Worker 1 takes one batch and never asks again: what was queued for it must reach worker 0.
  const dealer = new AffinityDealer(workloadBatches(plan, 4), 2, 3);
  const first = dealer.next(1)!;
  const rest: PlannedTrial[][] = [];
  let maxQueued = 0;
  for (let b = dealer.next(0); b !== undefined; b = dealer.next(0)) { rest.push(b); maxQueued = Math.max(maxQueued, dealer.queued(1)); }
  assert.deepEqual([first, ...rest].flat().map((t) => t.key).sort(), plan.map((t) => t.key).sort());
  assert.ok(maxQueued > 0 && maxQueued <= 3, `queued for the idle worker: at most ${maxQueued}`);
  // Worker 1's workload went on in worker 0 once its queue was full: 0 ran batches of it.
  assert.ok(rest.some((b) => workloadOf(b[0]) === workloadOf(first[0])));
});

test('one worker gets every batch in the order of the stream', () => {
  const batches = [...workloadBatches(plan, 16)];
  const ran = deal(new AffinityDealer(batches, 1), 1);
  assert.deepEqual(ran[0], batches);
});

test('dealers that share owners (sweeps on the same workers): a workload goes to the worker that ran it in an earlier sweep', () => {
  const owners = new Map<string, number>();
  const first = deal(new AffinityDealer(workloadBatches(plan, 16), 2, 64, owners), 2);
  const owned = [workloads(first[0]), workloads(first[1])];
  assert.ok(owned[0].size > 0 && owned[1].size > 0);
  // The same workloads again, and worker 1 asks first this time: without shared owners it would
  // take the first workload, which worker 0 ran.
  const again = deal(new AffinityDealer(workloadBatches(plan, 16), 2, 64, owners), 2, (s) => (s + 1) % 2);
  assert.deepEqual(keys(again), plan.map((t) => t.key).sort());
  const firstBatch = again[1][0];
  assert.ok(owned[1].has(workloadOf(firstBatch[0])), 'worker 1 starts on a workload it ran before');
  // Apart from the end, when an idle worker takes over queued batches, each runs its own workloads.
  for (const lane of [0, 1]) {
    const strangers = again[lane].filter((b) => !owned[lane].has(workloadOf(b[0]))).length;
    assert.ok(strangers <= 4, `worker ${lane} ran ${strangers} batches of the other's workloads`);
  }
  const fresh = deal(new AffinityDealer(workloadBatches(plan, 16), 2), 2, (s) => (s + 1) % 2);
  assert.ok(!owned[1].has(workloadOf(fresh[1][0][0])), 'without the shared owners worker 1 starts on worker 0\'s first workload');
});

test('owners all on one worker from earlier sweeps: the other still gets half the trials', () => {
  const owners = new Map([...new Set(plan.map(workloadOf))].map((w) => [w, 0] as [string, number]));
  const ran = deal(new AffinityDealer(workloadBatches(plan, 16), 2, 64, owners), 2);
  assert.deepEqual(keys(ran), plan.map((t) => t.key).sort());
  const [a, b] = ran.map((r) => r.flat().length);
  assert.ok(Math.abs(a - b) <= 32, `trials per worker ${a} and ${b}`);
});
