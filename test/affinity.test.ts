// Dealing batches to workers: every trial exactly once, a driver class kept on one worker while
// the work is still shared out as workers ask, and the queues bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadExperiment, planTrials, PlannedTrial } from '../src/sweep/experiment.js';
import { Affinity, AffinityDealer, groupOf, stridedBatches, workloadBatches, workloadOf } from '../src/sweep/affinity.js';

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
const classes = (batches: PlannedTrial[][]) => new Set(batches.flat().map(groupOf));
/** How many of a worker's batches are of a class it does not own, and whether they all come after
 *  its own (taken over at the end, when it had nothing of its own left). */
function strangers(batches: PlannedTrial[][], own: Set<string>): { count: number; last: boolean } {
  const firstStranger = batches.findIndex((b) => !own.has(groupOf(b[0])));
  const count = batches.filter((b) => !own.has(groupOf(b[0]))).length;
  return { count, last: firstStranger < 0 || batches.slice(firstStranger).every((b) => !own.has(groupOf(b[0]))) };
}

test('workloadBatches: every trial once, each batch of one workload and at most batchSize', () => {
  const batches = [...workloadBatches(plan, 16)];
  assert.deepEqual(batches.flat().map((t) => t.key).sort(), plan.map((t) => t.key).sort());
  for (const b of batches) {
    assert.ok(b.length >= 1 && b.length <= 16);
    assert.equal(workloads([b]).size, 1);
  }
});

test('two workers asking in turn: every trial once, each class on one worker but for the end, the trials shared evenly', () => {
  const memory = new Affinity(2), { owners } = memory;
  const ran = deal(new AffinityDealer(workloadBatches(plan, 16), 2, undefined, memory), 2);
  assert.deepEqual(keys(ran), plan.map((t) => t.key).sort());
  assert.equal(owners.size, 3, 'network, sound and block each have an owner');
  assert.deepEqual(new Set(owners.values()), new Set([0, 1]), 'both workers own a class');
  assert.ok(Math.abs(ran[0].flat().length - ran[1].flat().length) <= 32, 'the trials are shared about evenly');
  for (const lane of [0, 1]) {
    const own = new Set([...owners].filter(([, l]) => l === lane).map(([c]) => c));
    const s = strangers(ran[lane], own);
    assert.ok(s.last, `worker ${lane} ran another's class only after the last batch of its own`);
  }
  const [a, b] = ran.map(classes);
  assert.ok(a.size + b.size <= 4, `classes per worker ${a.size} + ${b.size}, of 3: one at most is shared`);
  // Dealt in turn without affinity, as before, each worker ran every class.
  const batches = [...stridedBatches(plan, 16)];
  const plain = [batches.filter((_, i) => i % 2 === 0), batches.filter((_, i) => i % 2 === 1)].map(classes);
  assert.equal(plain[0].size + plain[1].size, 6, `without affinity: ${plain[0].size} + ${plain[1].size} of 3`);
});

test('a worker that stops asking leaves nothing behind, and queues stay bounded', () => {
  // Worker 1 takes one batch and never asks again: what was queued for it must reach worker 0.
  const dealer = new AffinityDealer(workloadBatches(plan, 4), 2, 12);
  const first = dealer.next(1)!;
  const rest: PlannedTrial[][] = [];
  let maxQueued = 0;
  for (let b = dealer.next(0); b !== undefined; b = dealer.next(0)) { rest.push(b); maxQueued = Math.max(maxQueued, dealer.queued(1)); }
  assert.deepEqual([first, ...rest].flat().map((t) => t.key).sort(), plan.map((t) => t.key).sort());
  assert.ok(maxQueued > 0 && maxQueued <= 12, `trials queued for the idle worker: at most ${maxQueued}`);
  // Worker 1's class went on in worker 0 as soon as its queue was full, before worker 0 went on to
  // a class of its own (without the bound it would have queued them all and run them last).
  assert.equal(groupOf(rest[0][0]), groupOf(first[0]));
});

test('more workers than classes: every trial once, every worker busy, the trials shared evenly', () => {
  const ran = deal(new AffinityDealer(workloadBatches(plan, 8), 5), 5);
  assert.deepEqual(keys(ran), plan.map((t) => t.key).sort());
  const counts = ran.map((r) => r.flat().length);
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 16, `trials per worker ${counts.join(', ')}`);
});

test('one worker gets every batch in the order of the stream', () => {
  const batches = [...workloadBatches(plan, 16)];
  const ran = deal(new AffinityDealer(batches, 1), 1);
  assert.deepEqual(ran[0], batches);
});

test('dealers that share owners (sweeps on the same workers): a class goes to the worker that ran it in an earlier sweep', () => {
  const memory = new Affinity(2), { owners } = memory;
  deal(new AffinityDealer(workloadBatches(plan, 16), 2, undefined, memory), 2);
  const owned = [0, 1].map((lane) => new Set([...owners].filter(([, l]) => l === lane).map(([c]) => c)));
  assert.ok(owned[0].size > 0 && owned[1].size > 0);
  // The same trials again, and worker 1 asks first this time: without shared owners it would
  // take the first class, which worker 0 ran.
  const again = deal(new AffinityDealer(workloadBatches(plan, 16), 2, undefined, memory), 2, (s) => (s + 1) % 2);
  assert.deepEqual(keys(again), plan.map((t) => t.key).sort());
  const firstBatch = again[1][0];
  assert.ok(owned[1].has(groupOf(firstBatch[0])), 'worker 1 starts on a class it ran before');
  // Apart from the end, when an idle worker takes over queued batches, each runs its own classes.
  for (const lane of [0, 1]) assert.ok(strangers(again[lane], owned[lane]).last, `worker ${lane} ran the other's classes only at the end`);
  const fresh = deal(new AffinityDealer(workloadBatches(plan, 16), 2), 2, (s) => (s + 1) % 2);
  assert.ok(!owned[1].has(groupOf(fresh[1][0][0])), 'without the shared owners worker 1 starts on worker 0\'s first class');
});

test('owners all on one worker from earlier sweeps: the other still gets half the trials', () => {
  const memory = new Affinity(2);
  for (const c of new Set(plan.map(groupOf))) memory.owners.set(c, 0);
  const ran = deal(new AffinityDealer(workloadBatches(plan, 16), 2, undefined, memory), 2);
  assert.deepEqual(keys(ran), plan.map((t) => t.key).sort());
  const [a, b] = ran.map((r) => r.flat().length);
  assert.ok(Math.abs(a - b) <= 32, `trials per worker ${a} and ${b}`);
});

/** Three workers: 0 takes five batches of the first class (network), 1 finds the second (sound),
 *  2 the third (block) and runs the stream to its end; network and sound are left queued for 0
 *  and 1, sound's queue the fuller. What worker 2 takes over next, given what it ran before. */
function takeOver(ranBefore: string[]): { stolen: PlannedTrial[]; lastOf: (cls: string) => PlannedTrial[] } {
  const stream = [...workloadBatches(plan, 4)];
  const memory = new Affinity(3);
  for (const c of ranBefore) memory.ran[2].add(c);
  const dealer = new AffinityDealer(stream, 3, undefined, memory);
  for (let i = 0; i < 5; i++) assert.equal(groupOf(dealer.next(0)![0]), 'network');
  assert.equal(groupOf(dealer.next(1)![0]), 'sound');
  const blocks = stream.filter((b) => groupOf(b[0]) === 'block').length;
  for (let i = 0; i < blocks; i++) assert.equal(groupOf(dealer.next(2)![0]), 'block');
  assert.ok(dealer.queued(1) > dealer.queued(0) && dealer.queued(0) > 0, `queued: network ${dealer.queued(0)}, sound ${dealer.queued(1)}`);
  const lastOf = (cls: string) => stream.filter((b) => groupOf(b[0]) === cls).at(-1)!;
  return { stolen: dealer.next(2)!, lastOf };
}

test('at the end an idle worker takes over the fullest queue\'s last batch (the one its owner would reach last)', () => {
  const { stolen, lastOf } = takeOver([]);
  assert.deepEqual(stolen, lastOf('sound'));
});

test('...unless another queue ends with a class it ran before (its code is compiled there)', () => {
  const { stolen, lastOf } = takeOver(['network']);
  assert.deepEqual(stolen, lastOf('network'));
});
