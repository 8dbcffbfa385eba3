// Byte arrays of a trial come from slabs the next trial reuses (sim/slab.ts): `newBytes` must
// still give zeros, and a `bytesToOverwrite` caller must write every byte, or an earlier trial's
// bytes would reach this trial (and records would depend on which trials a worker ran before).
// The second test runs every trial twice with the reused slabs filled with two different
// patterns: a byte a caller left unwritten differs between the two runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bytesToOverwrite, inTrialScope, newBytes, poisonReusedSlabs } from '../src/sim/slab.js';
import { loadExperiment, planTrials } from '../src/sweep/experiment.js';
import { runPlanned } from '../src/sweep/run-one.js';

test('a reused slab: newBytes gives zeros, bytesToOverwrite the bytes left there (the poison, in tests)', () => {
  inTrialScope(() => { for (let i = 0; i < 40; i++) newBytes(8192).fill(0xff); });
  try {
    const views = poisonReusedSlabs(0xa5);
    inTrialScope(() => {
      assert.ok(newBytes(8192).every((b) => b === 0), 'newBytes from a reused slab is zeroed');
      assert.ok(bytesToOverwrite(8192).every((b) => b === 0xa5), 'bytesToOverwrite gets the reused slab as it is');
    });
    assert.equal(views.length, 1);
  } finally { poisonReusedSlabs(null); }
  inTrialScope(() => assert.ok(newBytes(8192).every((b) => b === 0)));
});

test('every byte a trial gets from bytesToOverwrite is written (every driver x app, strategy and persistence)', () => {
  const trials = planTrials(loadExperiment('fault-injection'), 1);
  trials.forEach(runPlanned); // the pool grows as far as these trials need: later runs reuse it
  const run = (pattern: number, t: (typeof trials)[number]): { record: string; bytes: string; views: number } => {
    const views = poisonReusedSlabs(pattern);
    try {
      const record = runPlanned(t);
      const h = createHash('md5');
      for (const v of views) h.update(v);
      return { record, bytes: h.digest('hex'), views: views.length };
    } finally { poisonReusedSlabs(null); }
  };
  let checked = 0;
  for (const t of trials) {
    const a = run(0xa5, t), b = run(0x5a, t);
    assert.equal(b.views, a.views);
    assert.equal(b.bytes, a.bytes, `a byte left unwritten in trial ${t.key} (${t.spec.driver} x ${t.spec.app})`);
    assert.equal(b.record, a.record);
    checked += a.views;
  }
  assert.ok(checked > 1000, `only ${checked} views were checked`);
});
