// Availability measured in one long run: faults arrive inside the run, recovery, app restarts
// and reboots take their time there, and the clients' books give the availability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import type { Params } from '../src/params.js';
import { longRunRows } from '../src/analysis/availability.js';

const run = (strategy: string, persistence: 'transient' | 'deterministic' | null, params: Partial<Params> = {}, seed = 0) => runTrial({
  driver: 'e1000', app: 'request-server', strategy, seed,
  fault: persistence ? { type: 'random', persistence } : null,
  params: { longRunUs: 900_000_000, faultArrivalMeanUs: 120_000_000, ...params },
});

test('a fault-free long run answers every request; the same spec gives the same record', () => {
  const a = run('shadow', null, { longRunUs: 120_000_000 }), b = run('shadow', null, { longRunUs: 120_000_000 });
  assert.deepEqual(a, b);
  assert.equal(a.app.availability, 1);
  assert.equal(a.app.requests, 1200 - 2); // 10/s from the service's start
  assert.equal(a.app.reboots, 0);
});

test('a deterministic bug stays in the binary: it comes back after every reboot, which a one-repair model misses', () => {
  const r = run('restart', 'deterministic');
  assert.ok(r.app.faultsArrived >= 1 && r.app.faultsFired >= 1);
  assert.ok(r.app.reboots >= 2, `reboots ${r.app.reboots}`);
  assert.ok(r.longRun!.fates.some((f) => f.reboots > 1), 'one fault took the machine down more than once');
  assert.ok(r.app.availability < 0.5, String(r.app.availability));
  const [row] = longRunRows([r]);
  assert.ok(row.measured < row.composed, `measured ${row.measured} composed ${row.composed}`);
});

test('measured availability responds to the reboot time and to the fault arrival rate', () => {
  const base = run('native', 'transient'), slowBoot = run('native', 'transient', { availRebootUs: 240_000_000 });
  assert.ok(base.app.reboots >= 1);
  assert.ok(slowBoot.app.availability < base.app.availability, `${base.app.availability} -> ${slowBoot.app.availability}`);
  const rare = run('restart', 'deterministic', { faultArrivalMeanUs: 3_600_000_000 * 100 });
  assert.equal(rare.app.faultsArrived, 0);
  assert.equal(rare.app.availability, 1);
});

test('recoveries happen inside the run: a shadow recovers detected failures without the monitor', () => {
  const r = run('shadow', 'deterministic', {}, 1);
  assert.ok(r.app.failuresDetected > 0 && r.app.recoveriesSucceeded > 0);
  assert.ok(r.app.requests > 8000);
});
