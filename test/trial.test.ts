import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { APPS } from '../src/registry.js';

for (const app of APPS) {
  test(`fault-free ${app.id} is correct under native for 50 seeds`, () => {
    const bad: string[] = [];
    for (let seed = 0; seed < 50; seed++) {
      const r = runTrial({ driver: 'e1000', app: app.id, strategy: 'native', seed, fault: null });
      if (r.outcome !== 'correct') bad.push(`seed ${seed}: ${r.outcome} (${r.reason})`);
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
  assert.throws(() => runTrial({ driver: 'e1001', app: 'file-transfer', strategy: 'native', seed: 1 }), /unknown driver 'e1001'; valid: e1000/);
  assert.throws(() => runTrial({ driver: 'e1000', app: 'ftp', strategy: 'native', seed: 1 }), /unknown app 'ftp'; valid: .*file-transfer/);
  assert.throws(() => runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'magic', seed: 1 }), /unknown strategy 'magic'; valid: native/);
  assert.throws(() => runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'native', seed: -1 }), /seed/);
});
