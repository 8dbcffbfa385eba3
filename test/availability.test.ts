// Availability is composed from measured trials along a Poisson arrival process; the walk must
// agree with the closed form MTTF/(MTTF+MTTR) when it is long, and each outcome costs what
// data/params.json says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availability, downtimeOf } from '../src/analysis/availability.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import type { Rec } from '../src/analysis/records.js';

const P = DEFAULT_PARAMS;
const rec = (strategy: string, persistence: string, outcome: string, downtimeUs = 0, gaveUp = false) =>
  ({ spec: { strategy }, fault: { persistence }, outcome, downtimeUs, recoveries: { gaveUp } }) as unknown as Rec;

test('downtime per fault follows the outcome and the downtime components', () => {
  assert.equal(downtimeOf(rec('s', 'transient', 'not-activated'), P), 0);
  assert.equal(downtimeOf(rec('s', 'transient', 'correct', P.availDeadlineUs - 1), P), 0, 'a short pause is not downtime');
  assert.equal(downtimeOf(rec('s', 'transient', 'correct', 3 * P.availDeadlineUs), P), 3 * P.availDeadlineUs);
  assert.equal(downtimeOf(rec('s', 'transient', 'app-failed'), P), P.availAppRestartUs);
  assert.equal(downtimeOf(rec('s', 'transient', 'app-failed', 0, true), P), P.availAppRestartUs + P.availRebootUs, 'a device left down needs a reboot');
  assert.equal(downtimeOf(rec('s', 'transient', 'system-crash'), P), P.availRebootUs + P.availAppRestartUs);
  assert.equal(downtimeOf(rec('s', 'transient', 'malfunction'), P), P.availMalfunctionNoticeUs + P.availAppRestartUs);
});

test('a long walk agrees with MTTF/(MTTF+MTTR); more transient faults help only the strategy that survives them', () => {
  const records = [
    ...Array.from({ length: 50 }, (_, i) => rec('good', 'transient', i % 10 === 0 ? 'app-failed' : 'correct')),
    ...Array.from({ length: 50 }, () => rec('good', 'deterministic', 'app-failed')),
    ...Array.from({ length: 50 }, () => rec('bad', 'transient', 'system-crash')),
    ...Array.from({ length: 50 }, () => rec('bad', 'deterministic', 'system-crash')),
  ];
  const rows = availability(records, P, { mttfS: [600], shares: [0.1, 0.9], faults: 20000, seed: 3 });
  for (const r of rows) assert.ok(Math.abs(r.simulated - r.analytic) < 0.002, `${r.strategy} ${r.transientShare}: ${r.simulated} vs ${r.analytic}`);
  const at = (s: string, share: number) => rows.find((r) => r.strategy === s && r.transientShare === share)!;
  assert.ok(at('good', 0.9).analytic > at('good', 0.1).analytic);
  assert.equal(at('bad', 0.9).analytic, at('bad', 0.1).analytic);
  assert.ok(at('bad', 0.1).analytic < at('good', 0.1).analytic);
});
