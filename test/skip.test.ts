// Request-triggered deterministic faults (poison requests) and the shadow-skip strategy (after
// Rx): the fault fires only on its requests; the shadow alone loops on it until it gives up;
// shadow-skip notices the same request failing again after recovery and skips it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { triggeredBy } from '../src/faults/types.js';
import type { FaultRequest } from '../src/faults/select.js';
import { SpecError } from '../src/trial/spec.js';

const poison: FaultRequest = { type: 'value-corrupt-src', site: 'audigy.write.pbuf', persistence: 'deterministic', armAtUs: 1210324, bit: 28, trigger: 64 };
const play = (strategy: string, fault: FaultRequest = poison) => runTrial({ driver: 'audigy', app: 'mp3-player', strategy, seed: 2, fault });

test('a trigger selects about 1 in N request contents, never a call without a request', () => {
  let hits = 0;
  for (let tag = 1; tag < 64001; tag += 2) if (triggeredBy(tag, 64, 5)) hits++;
  assert.ok(hits > 32000 / 64 * 0.8 && hits < 32000 / 64 * 1.2, `${hits} of 32000`);
  assert.equal(triggeredBy(0, 2, 5), false);
});

test('a poison request fails the shadow again on every resubmission until it gives up', () => {
  const r = play('shadow');
  assert.equal(r.recoveries.gaveUp, true);
  assert.notEqual(r.outcome, 'correct');
  assert.ok(r.fault!.fired >= 2 && r.fault!.trigger === 64);
});

test('shadow-skip skips the request that failed again: two failures and one error per poison request', () => {
  const r = play('shadow-skip');
  assert.equal(r.outcome, 'correct', r.reason);
  assert.equal(r.recoveries.gaveUp, false);
  const { poisonRequests, requestsRefused } = r.strategyStats;
  assert.ok(poisonRequests >= 1);
  assert.equal(r.failures, 2 * poisonRequests, 'each poison request failed the driver twice, then never again');
  assert.equal(requestsRefused, poisonRequests);
  assert.equal(r.app.writeErrors, poisonRequests, 'its caller got one error for each');
});

test('without a trigger the same fault fires on every request, and skipping one cannot help', () => {
  const r = play('shadow-skip', { ...poison, trigger: undefined });
  assert.equal(r.recoveries.gaveUp, true);
  assert.notEqual(r.outcome, 'correct');
});

test('a trigger makes the fault deterministic; asking for a transient one is an error', () => {
  assert.throws(() => play('shadow', { ...poison, persistence: 'transient' }), (e: Error) => e instanceof SpecError && /request-triggered fault fires whenever its request comes/.test(e.message));
  assert.throws(() => play('shadow', { ...poison, trigger: 1 }), /at least 2/);
});
