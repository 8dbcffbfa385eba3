import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { APPS, DRIVERS, STRATEGIES } from '../src/registry.js';

for (const app of APPS) {
  const drivers = DRIVERS.filter((d) => d.cls === app.driverClass);
  const strategies = STRATEGIES.filter((s) => !s.classes || s.classes.includes(app.driverClass));
  test(`fault-free ${app.id} is correct under every strategy that models its class (${strategies.length}) for 50 seeds (${drivers.map((d) => d.id).join(', ')})`, () => {
    const bad: string[] = [];
    for (const strategy of strategies) {
      for (let seed = 0; seed < 50; seed++) {
        const driver = drivers[seed % drivers.length].id;
        const r = runTrial({ driver, app: app.id, strategy: strategy.id, seed, fault: null });
        if (r.outcome !== 'correct') bad.push(`${r.replay}: ${r.outcome} (${r.reason})`);
      }
    }
    assert.deepEqual(bad, []);
  });
}

test('the same spec gives a byte-identical record; another seed another trace', () => {
  const spec = { driver: 'e1000', app: 'file-transfer', strategy: 'native', seed: 7 };
  const a = JSON.stringify(runTrial(spec)), b = JSON.stringify(runTrial(spec));
  assert.equal(a, b);
  const hashes = new Set([7, 8, 9, 10].map((seed) => runTrial({ ...spec, seed }).traceHash));
  assert.equal(hashes.size, 4);
});

test('unknown ids and bad seeds are rejected with the valid values', () => {
  assert.throws(() => runTrial({ driver: 'e1001', app: 'file-transfer', strategy: 'native', seed: 1 }), /unknown driver 'e1001'; valid: e1000, pcnet32/);
  assert.throws(() => runTrial({ driver: 'audigy', app: 'file-transfer', strategy: 'native', seed: 1 }), /app 'file-transfer' needs a network driver, and 'audigy' is sound; valid drivers for it: e1000, pcnet32/);
  assert.throws(() => runTrial({ driver: 'e1000', app: 'ftp', strategy: 'native', seed: 1 }), /unknown app 'ftp'; valid: .*file-transfer/);
  assert.throws(() => runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'magic', seed: 1 }), /unknown strategy 'magic'; valid: native/);
  assert.throws(() => runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'native', seed: -1 }), /seed/);
});

test('an app that never finished is hung: not correct, whatever it checked of the work it did', () => {
  const r = runTrial({ driver: 'audigy', app: 'mp3-player', strategy: 'shadow', seed: 9,
    fault: { type: 'value-corrupt-dst', site: 'audigy.isr.store_hwp', persistence: 'deterministic', armAtUs: 1176824, bit: 4 } });
  assert.equal(r.virtualUs, r.spec.params.trialDeadlineUs);
  assert.equal(r.outcome, 'malfunction');
  assert.match(r.reason, /^hung: not finished by the deadline/);
});
